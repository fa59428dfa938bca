import { describe, expect, it } from 'vitest';
import {
  cutDecimal,
  formatAmount,
  formatCompactFiat,
  formatTokenAmount,
  formatDate,
  formatFiat,
  formatInteger,
  formatSize,
  parseAmountInput,
  roundDecimal,
} from './format';

// Intl's French uses U+202F (narrow no-break space) between digit groups and U+00A0 before the
// currency sign; written out here so the expectations are unambiguous.
const NNBSP = '\u202f';
const NBSP = '\u00a0';

describe('exact rounding', () => {
  it('rounds half away from zero on the digits', () => {
    expect(roundDecimal('850.268775', 2)).toBe('850.27');
    expect(roundDecimal('0.005', 2)).toBe('0.01');
    expect(roundDecimal('-0.005', 2)).toBe('-0.01');
    expect(roundDecimal('-0.004', 2)).toBe('0.00');
    expect(roundDecimal('2', 2)).toBe('2.00');
    expect(roundDecimal('0.999', 2)).toBe('1.00');
    // Beyond float precision.
    expect(roundDecimal('12345678901234567890.125', 2)).toBe('12345678901234567890.13');
  });
});

describe('fiat for the locale', () => {
  it('writes French amounts as a French bank would', () => {
    expect(formatFiat('1229.4251', 'EUR', 'fr')).toBe(`1${NNBSP}229,43${NBSP}€`);
    expect(formatFiat('-3.5', 'USD', 'fr')).toBe(`-3,50${NBSP}$US`);
    expect(formatFiat('0', 'EUR', 'fr')).toBe(`0,00${NBSP}€`);
  });

  it('writes English amounts with the symbol first', () => {
    expect(formatFiat('1234567.891', 'EUR', 'en')).toBe('€1,234,567.89');
    expect(formatFiat('-3.5', 'USD', 'en')).toBe('-$3.50');
    expect(formatFiat('-0.004', 'USD', 'en')).toBe('$0.00');
  });

  it('keeps digits a float would lose', () => {
    expect(formatFiat('12345678901234567890.125', 'EUR', 'fr')).toBe(
      `12${NNBSP}345${NNBSP}678${NNBSP}901${NNBSP}234${NNBSP}567${NNBSP}890,13${NBSP}€`,
    );
  });

  it('shows a dash for nothing or for text that is not a decimal', () => {
    expect(formatFiat(null, 'USD', 'en')).toBe('—');
    expect(formatFiat(undefined, 'EUR', 'fr')).toBe('—');
    expect(formatFiat('NaN', 'EUR', 'fr')).toBe('—');
  });
});

describe('token amounts for the locale', () => {
  it('keeps every digit and groups the integer part', () => {
    expect(formatAmount('1234.000000000000000001', 'en')).toBe('1,234.000000000000000001');
    expect(formatAmount('1234.000000000000000001', 'fr')).toBe(`1${NNBSP}234,000000000000000001`);
    expect(formatAmount('-1000000', 'fr')).toBe(`-1${NNBSP}000${NNBSP}000`);
    expect(formatAmount('0.5', 'fr')).toBe('0,5');
    expect(formatAmount('999', 'en')).toBe('999');
  });

  it('returns text that is not a decimal as it is', () => {
    expect(formatAmount('1e5', 'fr')).toBe('1e5');
  });

  it('formats counts', () => {
    expect(formatInteger(12345, 'fr')).toBe(`12${NNBSP}345`);
    expect(formatInteger(12345, 'en')).toBe('12,345');
  });
});

describe('dates for the locale', () => {
  it('writes a French date in French', () => {
    const text = formatDate('2026-12-01T14:05:00Z', 'date', 'fr');
    expect(text).toMatch(/^\d{1,2} déc\. 2026$/);
    expect(formatDate('2026-03-01T14:05:00Z', 'date', 'en')).toMatch(/^(Mar|Feb) \d{1,2}, 2026$/);
  });

  it('uses a 24-hour clock in French', () => {
    expect(formatDate('2026-12-01T14:05:00Z', 'dateTime', 'fr')).toMatch(/\d{2}:05$/);
    expect(formatDate('2026-12-01T14:05:00Z', 'dateTime', 'fr')).not.toMatch(/PM|AM/);
  });

  it('keeps unreadable text and dashes nothing', () => {
    expect(formatDate('not a date', 'date', 'fr')).toBe('not a date');
    expect(formatDate(null, 'date', 'fr')).toBe('—');
  });
});

describe('amounts typed by the user', () => {
  it('reads French decimal commas and grouped thousands', () => {
    expect(parseAmountInput(' 1,5 ', 'fr')).toBe('1.5');
    expect(parseAmountInput(`1${NNBSP}234,56`, 'fr')).toBe('1234.56');
    expect(parseAmountInput('1 234', 'fr')).toBe('1234');
    expect(parseAmountInput('0.25', 'fr')).toBe('0.25');
  });

  it('reads English grouping', () => {
    expect(parseAmountInput('1,234.5', 'en')).toBe('1234.5');
    expect(parseAmountInput('1.5', 'en')).toBe('1.5');
  });

  it('leaves anything else to the core', () => {
    expect(parseAmountInput('1 2', 'fr')).toBe('1 2');
    expect(parseAmountInput('1,5', 'en')).toBe('1,5');
    expect(parseAmountInput('abc', 'fr')).toBe('abc');
  });
});

describe('download sizes for the locale', () => {
  it('writes decimal megabytes and kilobytes in each language', () => {
    expect(formatSize(3_140_000, 'en')).toBe('3.1 MB');
    // Intl's French puts a no-break space before the unit (narrow or not, by ICU version).
    expect(formatSize(3_140_000, 'fr')).toMatch(/^3,1[\u00a0\u202f]Mo$/);
    expect(formatSize(12_300, 'en')).toBe('12 kB');
    expect(formatSize(12_300, 'fr')).toMatch(/^12[\u00a0\u202f]ko$/);
    expect(formatSize(10, 'en')).toBe('1 kB');
  });
});

describe('shortened amounts', () => {
  it('keeps six significant digits, never cutting the whole part', () => {
    expect(formatTokenAmount('0.028954500000000000', 'down', 6, 'en')).toBe('0.0289545');
    expect(formatTokenAmount('1234.56789', 'nearest', 6, 'en')).toBe('1,234.57');
    expect(formatTokenAmount('1234567.891', 'nearest', 6, 'fr')).toBe('1\u202f234\u202f568');
    expect(formatTokenAmount('0.000012345678', 'nearest', 6, 'fr')).toBe('0,0000123457');
    expect(formatTokenAmount('5', 'down', 6, 'en')).toBe('5');
  });

  it('rounds a minimum down and a fee up, whatever the next digit', () => {
    expect(formatTokenAmount('99.20000099', 'down', 6, 'en')).toBe('99.2');
    expect(formatTokenAmount('99.99999999', 'down', 6, 'en')).toBe('99.9999');
    expect(formatTokenAmount('0.0150000001', 'up', 6, 'en')).toBe('0.0150001');
    expect(formatTokenAmount('0.01500000', 'up', 6, 'en')).toBe('0.015');
    expect(cutDecimal('9.9999999', 2, 'up')).toBe('10');
    expect(cutDecimal('-1.239', 2, 'down')).toBe('-1.23');
  });

  it('writes large fiat compactly in each language, exactly rounded', () => {
    expect(formatCompactFiat('12345678.9', 'EUR', 'en')).toBe('€12.3M');
    expect(formatCompactFiat('12345678.9', 'EUR', 'fr')).toBe('12,3\u00a0M\u00a0€');
    // Half up on the exact digits: 12 350 000 is 12.4 M.
    expect(formatCompactFiat('12350000', 'EUR', 'en')).toBe('€12.4M');
    expect(formatCompactFiat('99999.99', 'EUR', 'en')).toBe('€99,999.99');
    expect(formatCompactFiat(null, 'EUR', 'en')).toBe('—');
  });
});
