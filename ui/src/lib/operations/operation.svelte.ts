// One operation's life in the UI, whatever its kind: prepared into a review, approved with the
// passkey provider the user chose (or the core recommends), then followed to its outcome from
// the core's events. Pages hold one per form and show it with the kit's components.
import { tick } from 'svelte';
import { BackendError, describeError, type Backend } from '../backend';
import type { ErrorCode, OperationUpdate, PasskeyCapabilities, ProviderKind } from '../bindings';
import { approveOperation, passkeyCapabilities, passkeyProvider } from '../passkeys/flow';
import type { Review } from './review';
import { isFinal, latest, type FinalStatus } from './status';

/**
 * `editing`: the page's own form; `preparing`: the core builds the review; `review`: the user
 * checks it; `approving`: the passkey is asked; `submitted`: IBEx has it, `live` follows it.
 */
export type Phase = 'editing' | 'preparing' | 'review' | 'approving' | 'submitted';

export class Operation<R extends Review = Review> {
  phase = $state<Phase>('editing');
  /** What the passkey is about to sign (in `review` and `approving`). */
  review = $state<R | null>(null);
  /** The review that was approved (in `submitted`), for the progress to say what it follows. */
  submitted = $state<R | null>(null);
  /** The core no longer holds the review (it expired or was replaced): only a new one can be approved. */
  stale = $state(false);
  /** The last failure, as a sentence; cleared by the next step. */
  error = $state<string | null>(null);
  /** The core's code for that failure (e.g. `quoteExpired`), for pages that act on it. */
  errorCode = $state<ErrorCode | null>(null);
  /** What can sign here; null until the core answered. */
  capabilities = $state<PasskeyCapabilities | null>(null);
  /** The latest status of the operation being approved or submitted. */
  live = $state<OperationUpdate | null>(null);
  /** The passkey provider that approves (the user's choice, else the core's); null when none can sign here. */
  readonly provider = $derived<ProviderKind | null>(this.capabilities ? passkeyProvider(this.capabilities) : null);
  /** The core is working (preparing or approving): inputs and actions wait. */
  readonly busy = $derived(this.phase === 'preparing' || this.phase === 'approving');
  /** How the submitted operation ended, once it has. */
  readonly outcome = $derived<FinalStatus | null>(
    this.phase === 'submitted' && this.live && isFinal(this.live.status) ? this.live.status : null,
  );
  /** The userOpHash whose events are followed. */
  #tracked: string | null = null;
  #backend: Backend | null = null;
  /** The page's last prepare, for "Review again". */
  #run: (() => Promise<R | null>) | null = null;
  /** What had the focus when the review was asked for (the page's Review button), to return to on Back. */
  #opener: HTMLElement | null = null;
  #returnTo: string | null = null;

  /** The core this operation talks to, once connected. */
  get backend(): Backend | null {
    return this.#backend;
  }

  /**
   * Learns what can sign here and follows the core's events; call from `onMount`, returns the
   * cleanup. Nothing can be approved before.
   */
  connect(backend: Backend): () => void {
    this.#backend = backend;
    passkeyCapabilities(backend)
      .then((c) => (this.capabilities = c))
      .catch((e: unknown) => (this.error = describeError(e)));
    return backend.subscribe((event) => {
      if (event.kind === 'operationUpdated' && event.update.userOpHash === this.#tracked) {
        this.live = latest(this.live, event.update);
      }
    });
  }

  /**
   * Runs the page's prepare command. `run` may return null when the page stopped on its own
   * (e.g. a field to fix): the form stays. Back returns the focus to what had it, or to the
   * element `returnTo` names when that one will be gone (e.g. a confirmation's button).
   */
  async prepare(run: () => Promise<R | null>, returnTo?: string): Promise<void> {
    if (this.busy) return;
    this.#run = run;
    if (this.phase === 'editing' && typeof document !== 'undefined') {
      this.#opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      this.#returnTo = returnTo ?? null;
    }
    this.phase = 'preparing';
    this.error = null;
    this.errorCode = null;
    this.stale = false;
    try {
      const review = await run();
      this.review = review;
      this.phase = review ? 'review' : 'editing';
    } catch (e) {
      this.error = describeError(e);
      this.errorCode = e instanceof BackendError ? e.code : null;
      this.review = null;
      this.phase = 'editing';
    }
  }

  /** Prepares the same operation again from what the page holds (after the review went stale). */
  again(): Promise<void> {
    return this.#run ? this.prepare(this.#run) : Promise.resolve();
  }

  /** Asks the passkey to sign the review; on success the operation is followed to its outcome. */
  async approve(): Promise<void> {
    const { review, provider } = this;
    const backend = this.#backend;
    if (!review || !provider || !backend || this.busy || this.stale) return;
    this.phase = 'approving';
    this.error = null;
    this.errorCode = null;
    this.live = null;
    // Events may arrive before the command answers: follow the hash from now on.
    this.#tracked = review.signing.userOpHash;
    try {
      const first = await approveOperation(backend, provider, review);
      this.#tracked = first.userOpHash;
      this.live = latest(this.live, first);
      this.submitted = review;
      this.review = null;
      this.phase = 'submitted';
    } catch (e) {
      this.#tracked = null;
      this.live = null;
      this.error = describeError(e);
      this.errorCode = e instanceof BackendError ? e.code : null;
      // The core answers Conflict when it no longer holds this review, QuoteExpired when what
      // it showed no longer holds: either way only a new review can be approved.
      this.stale = this.errorCode === 'conflict' || this.errorCode === 'quoteExpired';
      this.phase = 'review';
    }
  }

  /** Leaves the review for the page's form, which keeps what was entered, and its focus. */
  back(): void {
    if (this.busy) return;
    this.review = null;
    this.error = null;
    this.errorCode = null;
    this.stale = false;
    this.phase = 'editing';
    const opener = this.#opener;
    const id = this.#returnTo ?? opener?.id;
    void tick().then(() => {
      // The form may have been drawn again: find the same control by its id.
      const target = opener?.isConnected ? opener : id ? document.getElementById(id) : null;
      target?.focus();
    });
  }

  /** Forgets the operation: the page starts again. */
  reset(): void {
    this.review = null;
    this.submitted = null;
    this.error = null;
    this.errorCode = null;
    this.stale = false;
    this.live = null;
    this.#tracked = null;
    this.#run = null;
    this.phase = 'editing';
  }
}
