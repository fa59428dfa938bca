// Each operation kind's part of the review: a title and the facts only that kind has. A new kind
// (a swap, a vault deposit, a signed message…) is one entry here and one facts component; the
// type below fails to check until both exist.
import type { Component } from 'svelte';
import { shortAddress } from '../../addressDiff';
import type { Kind, KindPart } from '../review';
import RecoveryFacts from './RecoveryFacts.svelte';
import TransferFacts from './TransferFacts.svelte';

/** The props of a kind's facts component: rows (`<dt>`/`<dd>`) of the review's list. */
export interface KindFacts<K extends Kind> {
  details: Extract<KindPart, { kind: K }>;
}

interface KindView<K extends Kind> {
  /** The review's heading. */
  title: (details: Extract<KindPart, { kind: K }>) => string;
  /** What the operation does, in a few words: the heading of its progress. */
  summary: (details: Extract<KindPart, { kind: K }>) => string;
  facts: Component<KindFacts<K>>;
}

function recoveryTitle(d: Extract<KindPart, { kind: 'recovery' }>): string {
  return d.action === 'enable' ? 'Enable recovery' : 'Cancel the pending recovery';
}

const KINDS: { [K in Kind]: KindView<K> } = {
  transfer: {
    title: () => 'Review the transfer',
    summary: (d) => `Transfer of ${d.amount} ${d.symbol} to ${d.toName ?? shortAddress(d.to)}`,
    facts: TransferFacts,
  },
  recovery: {
    title: recoveryTitle,
    summary: recoveryTitle,
    facts: RecoveryFacts,
  },
};

/** The view of `details`' kind. (One cast: TypeScript cannot tie `KINDS[k]` to `details`' own kind.) */
export function kindView(details: KindPart): KindView<Kind> {
  return KINDS[details.kind] as unknown as KindView<Kind>;
}
