import { describe, expect, it } from 'vitest';
import { countdownParts, remainingMs } from './countdown';

describe('recovery countdown', () => {
  it('splits the time left into days, hours, minutes and seconds', () => {
    const ms = ((1 * 24 + 2) * 3600 + 3 * 60 + 4) * 1000 + 999;
    expect(countdownParts(ms).map((p) => p.value)).toEqual([1, 2, 3, 4]);
  });
  it('runs on the server clock and stops at zero', () => {
    const deadline = '2026-01-02T00:00:00Z';
    const server = Date.parse('2026-01-01T23:00:00Z');
    // This machine is 10 minutes behind the server.
    const local = server - 600_000;
    expect(remainingMs(deadline, local, 600_000)).toBe(3_600_000);
    expect(remainingMs(deadline, local + 7_200_000, 600_000)).toBe(0);
  });
});
