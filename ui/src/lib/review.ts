// Shared wording of an operation review's signing facts.

/** The network fee line: IBEx's paymaster, the wallet, or unknown when IBEx did not say. */
export function feeText(sponsored: boolean | null | undefined): string {
  if (sponsored == null) return 'Not stated by IBEx';
  return sponsored ? 'Sponsored — you pay nothing' : 'Paid by your wallet';
}
