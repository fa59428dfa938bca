import { describe, expect, it } from 'vitest';
import type { KindPart } from '../review';
import { kindView } from '.';

const transfer = (name: string | null): KindPart<'transfer'> => ({
  kind: 'transfer',
  to: '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
  recipient: name ? { address: '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359', name, source: 'contact' } : null,
  tokenAddress: '0x0000000000000000000000000000000000000000',
  symbol: 'ETH',
  amount: '0.5',
});

describe('kind views', () => {
  it('names a transfer by its recipient when the user knows it, else by a short address', () => {
    expect(kindView(transfer('Alice')).summary(transfer('Alice'))).toBe('Transfer of 0.5 ETH to Alice');
    expect(kindView(transfer(null)).summary(transfer(null))).toBe('Transfer of 0.5 ETH to 0xfB69…d359');
  });
  it('titles each recovery change', () => {
    const cancel: KindPart<'cancelRecovery'> = { kind: 'cancelRecovery' };
    expect(kindView(cancel).title(cancel)).toBe('Cancel the pending recovery');
  });
});
