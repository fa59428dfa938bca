// The vault providers' names: theirs in every language.
import type { VaultProvider } from '../../bindings';

const NAMES: Record<VaultProvider, string> = { aave: 'Aave', morpho: 'Morpho', hyperliquid: 'Hyperliquid' };

export function providerName(provider: VaultProvider): string {
  return NAMES[provider];
}
