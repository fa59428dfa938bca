// The current account as every view knows it (set by App from the core's session events): the
// Safe picker and the reviews name Safes with the user's labels from here.
import type { Account } from './bindings';
import type { PageId } from './pages';
import { shortAddress } from './addressDiff';
import { m } from './paraglide/messages';

export const current = $state<{ account: Account | null }>({ account: null });

/** The user's name for the Safe at `address`, else "Primary Safe" / "Safe". */
export function safeName(address: string, account: Account | null = current.account): string {
  const wallet = account?.wallets.find((w) => w.address.toLowerCase() === address.toLowerCase());
  if (wallet?.name) return wallet.name;
  return wallet?.primary ? m.safes_primary() : m.safes_other();
}

/** "Savings · 0x12…cdef": how a Safe is named in pickers and reviews. */
export function safeLabel(address: string, account: Account | null = current.account): string {
  return m.safes_option({ name: safeName(address, account), address: shortAddress(address) });
}

/** The pages whose work acts for one Safe: the Safe picker heads them. */
export const SAFE_PAGES: readonly PageId[] = ['portfolio', 'send', 'swap', 'earn', 'message', 'recovery'];
