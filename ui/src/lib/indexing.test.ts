import { describe, expect, it } from 'vitest';
import { indexingDelayMs } from './indexing';

describe('indexing retries', () => {
  it('start at the documented 5 s, back off and cap', () => {
    expect([1, 2, 3, 4, 5].map(indexingDelayMs)).toEqual([5000, 10000, 20000, 30000, 30000]);
  });
});
