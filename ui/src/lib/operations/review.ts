// What every reviewed operation shows, whatever it does: the part every kind signs the same way
// (chain, Safe, userOpHash, expiry, who pays the gas — the core's `Signing`) and the kind's own
// decoded facts.
import type { OperationReview, PersonalData, Signing } from '../bindings';

/** What the passkey signs, the same for every kind. */
export type SigningPart = Signing;

/** Each kind's decoded facts, tagged by `kind`: a new kind adds a member and its facts component. */
export type KindPart =
  | {
      kind: 'transfer';
      to: string;
      /** The contact, recent recipient or own Safe `to` is, when the user knows it. */
      toName: string | null;
      symbol: string;
      amount: string;
    }
  | { kind: 'recovery'; action: 'enable' | 'cancel'; identity: PersonalData | null };

export type Kind = KindPart['kind'];

/** A prepared operation waiting for the passkey. */
export interface Review<K extends KindPart = KindPart> {
  /** The id the approve commands take. */
  id: string;
  /** Request options for the WebView provider (JSON text). */
  optionsJson: string;
  signing: SigningPart;
  details: K;
}

/** The kit's view of the core's review. */
export function reviewOf(r: OperationReview): Review {
  const op = r.operation;
  const details: KindPart =
    op.kind === 'transfer'
      ? { kind: 'transfer', to: op.to, toName: op.recipient?.name ?? null, symbol: op.symbol, amount: op.amount }
      : op.kind === 'enableRecovery'
        ? { kind: 'recovery', action: 'enable', identity: op.identity }
        : { kind: 'recovery', action: 'cancel', identity: null };
  return { id: r.id, optionsJson: r.optionsJson, signing: r.signing, details };
}
