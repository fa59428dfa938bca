import { describe, expect, it } from 'vitest';
import { checkAmount } from './amount';

const EURE = { decimals: 18, available: '100' };

describe('checkAmount', () => {
  it('gives the core its form of what was typed, in either language', () => {
    const usdc = { decimals: 6, available: null };
    expect(checkAmount(' 1,234.5 ', usdc, 'en')).toEqual({ ok: true, amount: '1234.5' });
    expect(checkAmount('1\u202f234,5', usdc, 'fr')).toEqual({ ok: true, amount: '1234.5' });
    expect(checkAmount('0,5', usdc, 'fr')).toEqual({ ok: true, amount: '0.5' });
  });

  it('refuses empty text, words and signs', () => {
    expect(checkAmount('  ', EURE)).toEqual({ ok: false, problem: { kind: 'empty' } });
    for (const text of ['abc', '-1', '1e3', '1.2.3', '.5', 'Infinity']) {
      expect(checkAmount(text, EURE, 'en')).toEqual({ ok: false, problem: { kind: 'notAnAmount' } });
    }
  });

  it('counts fraction digits exactly (trailing zeros are not digits of value)', () => {
    expect(checkAmount('1.0000001', { decimals: 6, available: null })).toEqual({
      ok: false,
      problem: { kind: 'tooManyDecimals', decimals: 6 },
    });
    expect(checkAmount('1.500000000', { decimals: 6, available: null })).toEqual({ ok: true, amount: '1.500000000' });
    expect(checkAmount('1.000000000000000001', EURE).ok).toBe(true);
    expect(checkAmount('1.0000000000000000001', EURE).ok).toBe(false);
  });

  it('refuses zero, however it is written', () => {
    for (const text of ['0', '0.000', '000']) {
      expect(checkAmount(text, EURE, 'en')).toEqual({ ok: false, problem: { kind: 'zero' } });
    }
  });

  it('compares with what is available to the last wei, no float involved', () => {
    expect(checkAmount('100', EURE).ok).toBe(true);
    expect(checkAmount('100.000000000000000001', EURE)).toEqual({
      ok: false,
      problem: { kind: 'moreThanAvailable', available: '100' },
    });
    // 2^53 + 1 whole tokens: a float would call these equal.
    const huge = { decimals: 18, available: '9007199254740993' };
    expect(checkAmount('9007199254740993', huge).ok).toBe(true);
    expect(checkAmount('9007199254740994', huge).ok).toBe(false);
  });

  it('leaves the balance to the core when the UI does not know it', () => {
    expect(checkAmount('5000', { decimals: 6, available: null }).ok).toBe(true);
  });
});
