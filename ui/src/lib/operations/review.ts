// What every reviewed operation shows, whatever it does: the part every kind signs the same way
// (chain, Safe, userOpHash, expiry, who pays the gas) and the kind's own decoded facts.
import type { OperationReview, RecoveryAction, RecoveryReview, ReviewDetail } from '../bindings';

/** What the passkey signs, the same for every kind. */
export interface SigningPart {
  chainId: number;
  /** The Safe that executes the operation. */
  safe: string;
  /** The hash the passkey signs (0x-hex). */
  userOpHash: string;
  /** RFC 3339; after it the operation must be prepared again. */
  expiresAt: string | null;
  /** IBEx's paymaster pays the gas. */
  gasSponsored: boolean;
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
  | { kind: 'recovery'; action: RecoveryAction; details: ReviewDetail[] };

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

/** A transfer's review; `toName` is the contact the recipient check found for `r.to`. */
export function transferReview(
  r: OperationReview,
  toName: string | null,
): Review<Extract<KindPart, { kind: 'transfer' }>> {
  return {
    id: r.id,
    optionsJson: r.optionsJson,
    signing: {
      chainId: r.chainId,
      safe: r.from,
      userOpHash: r.userOpHash,
      expiresAt: r.expiresAt ?? null,
      gasSponsored: r.gasSponsored,
    },
    details: { kind: 'transfer', to: r.to, toName, symbol: r.symbol, amount: r.amount },
  };
}

export function recoveryReview(r: RecoveryReview): Review<Extract<KindPart, { kind: 'recovery' }>> {
  return {
    id: r.id,
    optionsJson: r.optionsJson,
    signing: {
      chainId: r.chainId,
      safe: r.safe,
      userOpHash: r.userOpHash,
      expiresAt: r.expiresAt ?? null,
      gasSponsored: r.gasSponsored,
    },
    details: { kind: 'recovery', action: r.action, details: r.details },
  };
}
