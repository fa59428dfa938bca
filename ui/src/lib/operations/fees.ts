// The network fee line of a review, shared by every kind.
import { m } from '../paraglide/messages';

/** The network fee line: IBEx's paymaster, the wallet, or unknown when IBEx did not say. */
export function feeText(sponsored: boolean | null | undefined): string {
  if (sponsored == null) return m.sf_not_stated();
  return sponsored ? m.sf_sponsored() : m.sf_paid();
}
