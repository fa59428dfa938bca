// One operation's life in the UI, whatever its kind: prepared into a review, approved with the
// passkey provider the user chose (or the core recommends), then followed to its outcome from
// the core's events. Pages hold one per form and show it with the kit's components.
import { describeError, type Backend } from '../backend';
import type { OperationUpdate, ProviderKind } from '../bindings';
import { approveOperation, recommendedPasskeyProvider } from '../passkeys/flow';
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
  /** The last failure, as a sentence; cleared by the next step. */
  error = $state<string | null>(null);
  /** The passkey provider that approves; null until known, or when none can sign here. */
  provider = $state<ProviderKind | null>(null);
  /** The latest status of the operation being approved or submitted. */
  live = $state<OperationUpdate | null>(null);
  /** The core is working (preparing or approving): inputs and actions wait. */
  readonly busy = $derived(this.phase === 'preparing' || this.phase === 'approving');
  /** How the submitted operation ended, once it has. */
  readonly outcome = $derived<FinalStatus | null>(
    this.phase === 'submitted' && this.live && isFinal(this.live.status) ? this.live.status : null,
  );
  /** The userOpHash whose events are followed. */
  #tracked: string | null = null;
  #backend: Backend | null = null;

  /** The core this operation talks to, once connected. */
  get backend(): Backend | null {
    return this.#backend;
  }

  /**
   * Learns the provider and follows the core's events; call from `onMount`, returns the
   * cleanup. Nothing can be approved before.
   */
  connect(backend: Backend): () => void {
    this.#backend = backend;
    recommendedPasskeyProvider(backend)
      .then((p) => (this.provider = p))
      .catch((e: unknown) => (this.error = describeError(e)));
    return backend.subscribe((event) => {
      if (event.kind === 'operationUpdated' && event.update.userOpHash === this.#tracked) {
        this.live = latest(this.live, event.update);
      }
    });
  }

  /**
   * Runs the page's prepare command. `run` may return null when the page stopped on its own
   * (e.g. a field to fix): the form stays.
   */
  async prepare(run: () => Promise<R | null>): Promise<void> {
    this.phase = 'preparing';
    this.error = null;
    try {
      const review = await run();
      this.review = review;
      this.phase = review ? 'review' : 'editing';
    } catch (e) {
      this.error = describeError(e);
      this.phase = 'editing';
    }
  }

  /** Asks the passkey to sign the review; on success the operation is followed to its outcome. */
  async approve(): Promise<void> {
    const { review, provider } = this;
    const backend = this.#backend;
    if (!review || !provider || !backend || this.busy) return;
    this.phase = 'approving';
    this.error = null;
    this.live = null;
    // Events may arrive before the command answers: follow the hash from now on.
    this.#tracked = review.signing.userOpHash;
    try {
      const first = await approveOperation(backend, provider, review);
      this.#tracked = first.userOpHash;
      this.live = latest(this.live, first);
      this.review = null;
      this.phase = 'submitted';
    } catch (e) {
      this.#tracked = null;
      this.live = null;
      this.error = describeError(e);
      this.phase = 'review';
    }
  }

  /** Leaves the review for the page's form, which keeps what was entered. */
  back(): void {
    if (this.busy) return;
    this.review = null;
    this.error = null;
    this.phase = 'editing';
  }

  /** Forgets the operation: the page starts again. */
  reset(): void {
    this.review = null;
    this.error = null;
    this.live = null;
    this.#tracked = null;
    this.phase = 'editing';
  }
}
