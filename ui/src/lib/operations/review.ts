// The core's review of a prepared operation (`OperationReview`, generated): the part every kind
// signs the same way (`signing`: chain, Safe, userOpHash, expiry, sponsorship) and the kind's
// own decoded facts (`operation`, tagged by `kind`). Names the kit uses for them.
import type { OperationReview, Reviewed, Signing } from '../bindings';
import { m } from '../paraglide/messages';

export type Review = OperationReview;
export type { Reviewed, Signing };
export type Kind = Reviewed['kind'];
/** The decoded facts of one kind. */
export type KindPart<K extends Kind = Kind> = Extract<Reviewed, { kind: K }>;

/** The network fee line: IBEx's paymaster, the wallet, or unknown when IBEx did not say. */
export function feeText(sponsored: boolean | null | undefined): string {
  if (sponsored == null) return m.sf_not_stated();
  return sponsored ? m.sf_sponsored() : m.sf_paid();
}
