import { describe, expect, it } from 'vitest';
import { formatAmount, formatFiat, roundDecimal } from './money';

describe('money display', () => {
  it('rounds exactly, half away from zero', () => {
    expect(roundDecimal('850.268775', 2)).toBe('850.27');
    expect(roundDecimal('0.005', 2)).toBe('0.01');
    expect(roundDecimal('-0.005', 2)).toBe('-0.01');
    expect(roundDecimal('-0.004', 2)).toBe('0.00');
    expect(roundDecimal('2', 2)).toBe('2.00');
    expect(roundDecimal('0.999', 2)).toBe('1.00');
    // Beyond float precision.
    expect(roundDecimal('12345678901234567890.125', 2)).toBe('12345678901234567890.13');
  });

  it('formats fiat and keeps every token digit', () => {
    expect(formatFiat('1234567.891', 'EUR')).toBe('€1,234,567.89');
    expect(formatFiat('-3.5', 'USD')).toBe('-$3.50');
    expect(formatFiat(null, 'USD')).toBe('—');
    expect(formatAmount('1234.000000000000000001')).toBe('1,234.000000000000000001');
  });
});
