// What every reviewed operation shows, whatever it does: the part every kind signs the same way
// (chain, Safe, userOpHash, expiry, who pays the gas) and the kind's own decoded facts. The core's
// `OperationReview` already has this shape (`signing` + `operation`); this adapts its decoded part
// to the kit's kinds.
import type { OperationReview } from '../bindings';
import { m } from '../paraglide/messages';

/** What the passkey signs, the same for every kind. */
export interface SigningPart {
  chainId: number;
  /** The Safe that executes the operation. */
  safe: string;
  /** The hash the passkey signs (0x-hex). */
  userOpHash: string;
  /** RFC 3339; after it the operation must be prepared again. */
  expiresAt: string | null;
  /** IBEx's paymaster pays the gas, as IBEx records the operation; null when IBEx did not say. */
  sponsored: boolean | null;
}

/** A fact of a kind's review, as a labelled line. */
export interface ReviewLine {
  label: string;
  value: string;
}

/** Each kind's decoded facts, tagged by `kind`: a new kind adds a member and its facts component. */
export type KindPart =
  | {
      kind: 'transfer';
      to: string;
      /** The contact or recent recipient `to` belongs to, when known. */
      toName: string | null;
      symbol: string;
      amount: string;
    }
  | { kind: 'recovery'; action: 'enable' | 'cancel'; details: ReviewLine[] };

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

function signingPart(r: OperationReview): SigningPart {
  const s = r.signing;
  return {
    chainId: s.chainId,
    safe: s.safe,
    userOpHash: s.userOpHash,
    expiresAt: s.expiresAt ?? null,
    sponsored: s.sponsored ?? null,
  };
}

/** A transfer's review; the recipient's name is the contact or recent recipient the core matched. */
export function transferReview(r: OperationReview): Review<Extract<KindPart, { kind: 'transfer' }>> {
  if (r.operation.kind !== 'transfer') throw new Error(`expected a transfer review, got ${r.operation.kind}`);
  const t = r.operation;
  return {
    id: r.id,
    optionsJson: r.optionsJson,
    signing: signingPart(r),
    details: { kind: 'transfer', to: t.to, toName: t.recipient?.name ?? null, symbol: t.symbol, amount: t.amount },
  };
}

export function recoveryReview(r: OperationReview): Review<Extract<KindPart, { kind: 'recovery' }>> {
  const op = r.operation;
  let details: Extract<KindPart, { kind: 'recovery' }>;
  if (op.kind === 'enableRecovery') {
    const id = op.identity;
    details = {
      kind: 'recovery',
      action: 'enable',
      details: [
        { label: m.id_first_names(), value: id.firstName },
        { label: m.id_last_name(), value: id.lastName },
        { label: m.id_birth_date(), value: id.birthDate },
        { label: m.id_birth_city(), value: id.birthCity },
        { label: m.id_birth_country(), value: id.birthCountry },
      ],
    };
  } else if (op.kind === 'cancelRecovery') {
    details = {
      kind: 'recovery',
      action: 'cancel',
      details: [{ label: m.rec_effect(), value: m.rec_cancel_effect() }],
    };
  } else {
    throw new Error(`expected a recovery review, got ${op.kind}`);
  }
  return { id: r.id, optionsJson: r.optionsJson, signing: signingPart(r), details };
}
