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
  it("names an owner change by the owner's label, else its short address, and a threshold by its value", () => {
    const owner = (label: string | null): KindPart<'addOwner'> => ({
      kind: 'addOwner',
      owner: '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
      label,
      thisDevice: false,
      thresholdBefore: 1,
      threshold: 1,
      ownersAfter: 2,
    });
    expect(kindView(owner('YubiKey')).summary(owner('YubiKey'))).toBe('New owner: YubiKey');
    expect(kindView(owner(null)).summary(owner(null))).toBe('New owner: 0xfB69…d359');
    const threshold: KindPart<'changeThreshold'> = { kind: 'changeThreshold', before: 1, after: 2, owners: 3 };
    expect(kindView(threshold).summary(threshold)).toBe('Threshold 2 of 3');
  });
  it('titles each recovery change', () => {
    const cancel: KindPart<'cancelRecovery'> = { kind: 'cancelRecovery' };
    expect(kindView(cancel).title(cancel)).toBe('Cancel the pending recovery');
  });
});
