// The words a swap or a bridge is reviewed and followed in: "Sell 100 EURe, receive at least
// 0.0291 ETH via CoW Swap". The aggregators' names are theirs in every language. What the
// user typed is written exactly; what they receive is shortened, rounded down.
import type { Aggregator, SwapFacts, SwapToken } from '../../bindings';
import { chainName } from '../../chains';
import { formatAmount, formatInteger, formatTokenAmount } from '../../i18n/format';
import { m } from '../../paraglide/messages';

const NAMES: Record<Aggregator, string> = { cowSwap: 'CoW Swap', oneInch: '1inch' };

export function aggregatorName(aggregator: Aggregator): string {
  return NAMES[aggregator];
}

/** What the passkey approves, in one sentence. */
export function swapInWords(facts: SwapFacts): string {
  return m.swap_in_words({
    sell: `${formatAmount(facts.sellAmount)} ${facts.sell.symbol}`,
    minimum: `${formatTokenAmount(facts.minimumReceived, 'down')} ${facts.buy.symbol}`,
    via: aggregatorName(facts.aggregator),
  });
}

/** Seconds as `m:ss`. */
export function countdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A route's figures, as its quote and its review both carry them. */
interface RouteWords {
  sell: SwapToken;
  sellAmount: string;
  buy: SwapToken;
  buyAmount: string;
  sourceChainId: number;
  destinationChainId: number;
  provider: string;
}

/** What the passkey approves for a bridge, in one sentence: the amount sent stays exact, what arrives rounds down. */
export function routeInWords(route: RouteWords): string {
  return m.route_in_words({
    sell: `${formatAmount(route.sellAmount)} ${route.sell.symbol}`,
    from: chainName(route.sourceChainId),
    to: chainName(route.destinationChainId),
    buy: `${formatTokenAmount(route.buyAmount, 'down')} ${route.buy.symbol}`,
    via: route.provider,
  });
}

/** A duration the bridge states: seconds under 90 s, else whole minutes (rounded up). */
export function duration(seconds: number): string {
  return seconds < 90
    ? m.route_seconds({ n: formatInteger(seconds) })
    : m.route_minutes({ n: formatInteger(Math.ceil(seconds / 60)) });
}
