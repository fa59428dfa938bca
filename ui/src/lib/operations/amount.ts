// What an amount field accepts, checked before anything is sent: a decimal in the locale's
// writing (`1 234,5` in French, `1,234.5` in English), no more fraction digits than the token
// has, more than zero, and no more than the user can spend when the UI knows it. Exact text in,
// exact text out: the comparison is on BigInt base units, never a float. The core checks again
// (it is the authority); this spares a round trip and puts the message next to the field.
import { parseAmountInput } from '../i18n/format';
import { getLocale, type Locale } from '../paraglide/runtime';

/** What bounds an amount: the token's decimals and, when known, the most that can be used. */
export interface AmountLimits {
  decimals: number;
  /** Exact decimal text (a balance, a deposit's worth), or null when only the core knows. */
  available: string | null;
}

export type AmountProblem =
  | { kind: 'empty' }
  | { kind: 'notAnAmount' }
  | { kind: 'tooManyDecimals'; decimals: number }
  | { kind: 'zero' }
  | { kind: 'moreThanAvailable'; available: string };

export type AmountCheck = { ok: true; amount: string } | { ok: false; problem: AmountProblem };

const PLAIN = /^\d+(\.\d+)?$/;

/** `digits[.digits]` as base units of a token with `decimals` (the caller checked the fraction fits). */
function units(text: string, decimals: number): bigint {
  const [int = '0', frac = ''] = text.split('.');
  return BigInt(int + frac.padEnd(decimals, '0').slice(0, decimals));
}

/** Checks what the user typed; on success, the amount in the core's form (`.` decimal point, no grouping). */
export function checkAmount(typed: string, limits: AmountLimits, locale: Locale = getLocale()): AmountCheck {
  if (typed.trim() === '') return { ok: false, problem: { kind: 'empty' } };
  const amount = parseAmountInput(typed, locale);
  if (!PLAIN.test(amount)) return { ok: false, problem: { kind: 'notAnAmount' } };
  const fraction = amount.split('.')[1] ?? '';
  if (fraction.replace(/0+$/, '').length > limits.decimals) {
    return { ok: false, problem: { kind: 'tooManyDecimals', decimals: limits.decimals } };
  }
  const asked = units(amount, limits.decimals);
  if (asked === 0n) return { ok: false, problem: { kind: 'zero' } };
  const available = limits.available;
  if (available !== null && PLAIN.test(available)) {
    // A balance may carry more digits than the token (it never should): compare on the longer.
    const places = Math.max(limits.decimals, available.split('.')[1]?.length ?? 0);
    if (units(amount, places) > units(available, places)) {
      return { ok: false, problem: { kind: 'moreThanAvailable', available } };
    }
  }
  return { ok: true, amount };
}
