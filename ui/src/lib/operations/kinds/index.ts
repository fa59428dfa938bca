// Each operation kind's part of the review: a title, a summary and the facts only that kind
// has. A new kind of the core's `Reviewed` (a swap, a vault deposit, a signed message…) is one
// entry here and one facts component; the type below fails to check until both exist.
import type { Component } from 'svelte';
import { shortAddress } from '../../addressDiff';
import { chainName } from '../../chains';
import { formatAmount, formatInteger } from '../../i18n/format';
import { m } from '../../paraglide/messages';
import type { Kind, KindPart } from '../review';
import CancelRecoveryFacts from './CancelRecoveryFacts.svelte';
import EnableRecoveryFacts from './EnableRecoveryFacts.svelte';
import OwnerFacts from './OwnerFacts.svelte';
import SignMessageFacts from './SignMessageFacts.svelte';
import RouteFacts from './RouteFacts.svelte';
import SwapFacts from './SwapFacts.svelte';
import ThresholdFacts from './ThresholdFacts.svelte';
import TransferFacts from './TransferFacts.svelte';
import VaultFacts from './VaultFacts.svelte';
import OpenIbanFacts from './OpenIbanFacts.svelte';
import SepaPaymentFacts from './SepaPaymentFacts.svelte';
import { paymentInWords } from '../../components/bank/words';
import { routeInWords, swapInWords } from '../../components/swap/words';

/** The props of a kind's facts component: rows (`<dt>`/`<dd>`) of the review's list. */
export interface KindFacts<K extends Kind> {
  details: KindPart<K>;
}

interface KindView<K extends Kind> {
  /** The review's heading. */
  title: (details: KindPart<K>) => string;
  /** What the operation does, in a few words: the heading of its progress. */
  summary: (details: KindPart<K>) => string;
  facts: Component<KindFacts<K>>;
  /** What its confirmation means, where "Confirmed." would claim too much (a route's source
   * leg is confirmed long before the bridge delivers). */
  confirmed?: (details: KindPart<K>) => string;
}

const KINDS: { [K in Kind]: KindView<K> } = {
  transfer: {
    title: () => m.op_title_transfer(),
    summary: (d) =>
      m.op_summary_transfer({
        amount: formatAmount(d.amount),
        symbol: d.symbol,
        to: d.recipient?.name ?? shortAddress(d.to),
      }),
    facts: TransferFacts,
  },
  enableRecovery: {
    title: () => m.op_title_recovery_enable(),
    summary: () => m.op_title_recovery_enable(),
    facts: EnableRecoveryFacts,
  },
  cancelRecovery: {
    title: () => m.op_title_recovery_cancel(),
    summary: () => m.op_title_recovery_cancel(),
    facts: CancelRecoveryFacts,
  },
  swap: { title: () => m.op_title_swap(), summary: (d) => swapInWords(d), facts: SwapFacts },
  route: {
    title: () => m.op_title_route(),
    summary: (d) => routeInWords(d),
    facts: RouteFacts,
    confirmed: (d) => m.op_confirmed_route({ chain: chainName(d.sourceChainId) }),
  },
  signMessage: {
    title: () => m.op_title_message(),
    summary: (d) => m.op_summary_message({ bytes: formatInteger(d.bytes) }),
    facts: SignMessageFacts,
  },
  vaultDeposit: {
    title: () => m.op_title_vault_deposit(),
    summary: (d) =>
      m.op_summary_vault_deposit({ amount: `${formatAmount(d.amount)} ${d.asset.symbol}`, vault: d.vault }),
    // One component for both directions (Svelte's component type is invariant in its props).
    facts: VaultFacts as Component<KindFacts<'vaultDeposit'>>,
  },
  vaultWithdraw: {
    title: () => m.op_title_vault_withdraw(),
    summary: (d) =>
      m.op_summary_vault_withdraw({ amount: `${formatAmount(d.amount)} ${d.asset.symbol}`, vault: d.vault }),
    facts: VaultFacts as Component<KindFacts<'vaultWithdraw'>>,
  },
  openIban: {
    title: () => m.op_title_open_iban(),
    summary: (d) => (d.provider === 'MONERIUM' ? m.op_summary_open_iban_monerium() : m.op_summary_open_iban_ibex()),
    facts: OpenIbanFacts,
  },
  sepaPayment: { title: () => m.op_title_sepa_payment(), summary: (d) => paymentInWords(d), facts: SepaPaymentFacts },
  addOwner: {
    title: () => m.op_title_owner_add(),
    summary: (d) => m.op_summary_owner_add({ owner: d.label ?? shortAddress(d.owner) }),
    facts: OwnerFacts as Component<KindFacts<'addOwner'>>,
  },
  removeOwner: {
    title: () => m.op_title_owner_remove(),
    summary: (d) => m.op_summary_owner_remove({ owner: d.label ?? shortAddress(d.owner) }),
    facts: OwnerFacts as Component<KindFacts<'removeOwner'>>,
  },
  changeThreshold: {
    title: () => m.op_title_threshold(),
    summary: (d) => m.op_summary_threshold({ threshold: formatInteger(d.after), owners: formatInteger(d.owners) }),
    facts: ThresholdFacts,
  },
};

/** The view of `details`' kind. (One cast: TypeScript cannot tie `KINDS[k]` to `details`' own kind.) */
export function kindView(details: KindPart): KindView<Kind> {
  return KINDS[details.kind] as unknown as KindView<Kind>;
}
