import { describe, expect, it } from 'vitest';
import type { OperationUpdate, OpStatus } from '../bindings';
import { isFinal, latest, reached, STEPS } from './status';

const HASH = '0x' + 'ab'.repeat(32);
const at = (status: OpStatus, userOpHash = HASH): OperationUpdate => ({
  userOpHash,
  status,
  txHash: null,
  error: null,
});

describe('reached', () => {
  it('marks every step up to the current one', () => {
    expect(STEPS.filter((s) => reached('executed', s))).toEqual(['created', 'signed', 'executed']);
    expect(STEPS.filter((s) => reached('confirmed', s))).toEqual([...STEPS]);
  });
  it('marks none once failed, and none for a state this version does not know', () => {
    expect(STEPS.filter((s) => reached('failed', s))).toEqual([]);
    expect(STEPS.filter((s) => reached('pending', s))).toEqual([]);
  });
});

describe('latest', () => {
  it('moves forward', () => {
    expect(latest(at('signed'), at('executed')).status).toBe('executed');
    expect(latest(null, at('created')).status).toBe('created');
  });
  it('never moves back when reports arrive out of order', () => {
    expect(latest(at('executed'), at('signed')).status).toBe('executed');
    expect(latest(at('signed'), at('pending')).status).toBe('signed');
  });
  it('keeps a final status', () => {
    expect(latest(at('confirmed'), at('failed')).status).toBe('confirmed');
    expect(latest(at('failed'), at('confirmed')).status).toBe('failed');
    expect(latest(at('executed'), at('failed')).status).toBe('failed');
  });
  it('follows a report of another operation (a new one)', () => {
    const other = '0x' + 'cd'.repeat(32);
    expect(latest(at('confirmed'), at('created', other)).userOpHash).toBe(other);
  });
  it('knows the final statuses', () => {
    expect((['created', 'signed', 'executed', 'confirmed', 'failed', 'pending'] as const).filter(isFinal)).toEqual([
      'confirmed',
      'failed',
    ]);
  });
});
