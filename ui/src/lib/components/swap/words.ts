// The words a swap is reviewed and followed in: "Sell 100 EURe, receive at least 0.0291 ETH
// via CoW Swap". The aggregators' names are theirs in every language.
import type { Aggregator, SwapFacts } from '../../bindings';
import { formatAmount } from '../../i18n/format';
import { m } from '../../paraglide/messages';

const NAMES: Record<Aggregator, string> = { cowSwap: 'CoW Swap', oneInch: '1inch' };

export function aggregatorName(aggregator: Aggregator): string {
  return NAMES[aggregator];
}

/** What the passkey approves, in one sentence. */
export function swapInWords(facts: SwapFacts): string {
  return m.swap_in_words({
    sell: `${formatAmount(facts.sellAmount)} ${facts.sell.symbol}`,
    minimum: `${formatAmount(facts.minimumReceived)} ${facts.buy.symbol}`,
    via: aggregatorName(facts.aggregator),
  });
}

/** Seconds as `m:ss`. */
export function countdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
