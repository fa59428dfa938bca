// Display names of the chains IBEx documents; others show their id.
import { m } from './paraglide/messages';

const NAMES: Record<number, string> = {
  100: 'Gnosis',
  421614: 'Arbitrum Sepolia',
  8453: 'Base',
  42161: 'Arbitrum',
  11155111: 'Sepolia',
};

export function chainName(id: number): string {
  return NAMES[id] ?? m.chain_unknown({ id });
}
