// The operation state on its own, with a scripted core: what the kit shows at each step, and
// how it combines the approve command's answer with the core's events.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Backend } from '../backend';
import type { AppError, CoreEvent, OperationUpdate, OpStatus } from '../bindings';
import { Operation } from './operation.svelte';
import type { Review } from './review';

const HASH = '0x' + '11'.repeat(32);
const update = (status: OpStatus): OperationUpdate => ({ userOpHash: HASH, status, txHash: null, error: null });
const review = (id = 'r1'): Review => ({
  id,
  optionsJson: '{}',
  signing: {
    chainId: 1,
    safe: '0x' + '22'.repeat(20),
    userOpHash: HASH,
    expiresAt: null,
    sponsored: true,
    approves: 'userOperation',
  },
  operation: {
    kind: 'transfer',
    to: '0x' + '33'.repeat(20),
    recipient: null,
    tokenAddress: '0x' + '00'.repeat(20),
    symbol: 'ETH',
    amount: '1',
  },
});
const ok = <T>(data: T) => Promise.resolve({ status: 'ok' as const, data });
const err = (error: AppError) => Promise.resolve({ status: 'error' as const, error });

/** A core that can sign with the `native` provider; `approve` answers the approve command. */
function scriptedCore(approve: (emit: (e: CoreEvent) => void) => ReturnType<typeof ok | typeof err>) {
  const handlers = new Set<(e: CoreEvent) => void>();
  const emit = (e: CoreEvent) => handlers.forEach((h) => h(e));
  const backend = {
    transport: 'web',
    commands: {
      passkeyCapabilities: () =>
        ok({
          platform: 'linux',
          rpId: 'localhost',
          providers: [{ kind: 'native', available: true }],
          recommended: 'native',
        }),
      operationApproveNative: () => approve(emit),
    },
    subscribe(handler: (e: CoreEvent) => void) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  } as unknown as Backend;
  return { backend, emit };
}

const settled = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => vi.stubGlobal('window', { location: { origin: 'http://localhost' }, navigator: {} }));
afterEach(() => vi.unstubAllGlobals());

describe('Operation', () => {
  it('prepares, approves and follows the operation; an answer older than the events does not move it back', async () => {
    const { backend, emit } = scriptedCore((emit) => {
      // The core's event for "executed" arrives before the command's own answer ("signed").
      emit({ kind: 'operationUpdated', update: update('executed') });
      return ok(update('signed'));
    });
    const op = new Operation();
    const stop = op.connect(backend);
    await settled();
    expect(op.provider).toBe('native');

    await op.prepare(async () => review());
    expect(op.phase).toBe('review');
    await op.approve();
    expect(op.phase).toBe('submitted');
    expect(op.live?.status).toBe('executed');
    expect(op.outcome).toBeNull();
    expect(op.submitted?.id).toBe('r1');

    emit({ kind: 'operationUpdated', update: { ...update('confirmed'), userOpHash: '0x' + '99'.repeat(32) } });
    expect(op.live?.status).toBe('executed');
    emit({ kind: 'operationUpdated', update: update('confirmed') });
    expect(op.outcome).toBe('confirmed');
    stop();
  });

  it('a review the core no longer holds is stale until prepared again', async () => {
    let answer: () => ReturnType<typeof ok | typeof err> = () =>
      err({ code: 'conflict', message: 'This operation is no longer waiting for approval. Review it again.' });
    const { backend } = scriptedCore(() => answer());
    const op = new Operation();
    op.connect(backend);
    await settled();
    let prepared = 0;
    await op.prepare(async () => review(`r${++prepared}`));
    await op.approve();
    expect(op.phase).toBe('review');
    expect(op.stale).toBe(true);
    expect(op.error).toMatch(/no longer waiting/);
    await op.approve();
    expect(prepared).toBe(1);

    answer = () => ok(update('signed'));
    await op.again();
    expect([op.review?.id, op.stale, op.error]).toEqual(['r2', false, null]);
    await op.approve();
    expect(op.phase).toBe('submitted');
  });

  it('a cancelled passkey keeps the review to approve again', async () => {
    const { backend } = scriptedCore(() =>
      err({ code: 'passkeyCancelled', message: 'You cancelled the passkey request. Nothing was signed.' }),
    );
    const op = new Operation();
    op.connect(backend);
    await settled();
    await op.prepare(async () => review());
    await op.approve();
    expect([op.phase, op.stale, op.live]).toEqual(['review', false, null]);
    expect(op.error).toMatch(/cancelled/);
  });

  it('stays on the form when the page stops or the core refuses', async () => {
    const op = new Operation();
    await op.prepare(async () => null);
    expect([op.phase, op.error]).toEqual(['editing', null]);
    await op.prepare(async () => {
      throw new Error('Insufficient balance');
    });
    expect([op.phase, op.error, op.review]).toEqual(['editing', 'Insufficient balance', null]);
  });

  it('cannot approve before it knows how to sign', async () => {
    const op = new Operation();
    await op.prepare(async () => review());
    await op.approve();
    expect(op.phase).toBe('review');
  });
});
