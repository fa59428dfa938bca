// Each operation kind's part of the review: a title, a summary and the facts only that kind
// has. A new kind of the core's `Reviewed` (a swap, a vault deposit, a signed message…) is one
// entry here and one facts component; the type below fails to check until both exist.
import type { Component } from 'svelte';
import { shortAddress } from '../../addressDiff';
import type { Kind, KindPart } from '../review';
import CancelRecoveryFacts from './CancelRecoveryFacts.svelte';
import EnableRecoveryFacts from './EnableRecoveryFacts.svelte';
import TransferFacts from './TransferFacts.svelte';

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
}

const KINDS: { [K in Kind]: KindView<K> } = {
  transfer: {
    title: () => 'Review the transfer',
    summary: (d) => `Transfer of ${d.amount} ${d.symbol} to ${d.recipient?.name ?? shortAddress(d.to)}`,
    facts: TransferFacts,
  },
  enableRecovery: { title: () => 'Enable recovery', summary: () => 'Enable recovery', facts: EnableRecoveryFacts },
  cancelRecovery: {
    title: () => 'Cancel the pending recovery',
    summary: () => 'Cancel the pending recovery',
    facts: CancelRecoveryFacts,
  },
};

/** The view of `details`' kind. (One cast: TypeScript cannot tie `KINDS[k]` to `details`' own kind.) */
export function kindView(details: KindPart): KindView<Kind> {
  return KINDS[details.kind] as unknown as KindView<Kind>;
}
