// Locale formatting of exact decimal text (fiat values, token balances come from the core as
// strings) and of dates. Digits never go through a float: the integer part is grouped by
// Intl.NumberFormat on a BigInt, the fraction is kept as typed, and the locale's symbols and
// their order (minus sign, currency, spaces) come from Intl's parts.

import { getLocale, type Locale } from '../paraglide/runtime';

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Rounds `-?digits[.digits]` half away from zero to `places` fraction digits (padded). */
export function roundDecimal(text: string, places: number): string {
  const negative = text.startsWith('-');
  const [int = '0', frac = ''] = (negative ? text.slice(1) : text).split('.');
  const scaled = BigInt(int + frac.padEnd(places, '0').slice(0, places));
  const next = frac.length > places ? Number(frac[places]) : 0;
  const units = scaled + (next >= 5 ? 1n : 0n);
  const digits = units.toString().padStart(places + 1, '0');
  const head = digits.slice(0, digits.length - places);
  const tail = places > 0 ? `.${digits.slice(digits.length - places)}` : '';
  return `${negative && units !== 0n ? '-' : ''}${head}${tail}`;
}

const formatters = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: Locale, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let nf = formatters.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(locale, options);
    formatters.set(key, nf);
  }
  return nf;
}

/**
 * Writes exact decimal text the way `options` would format it in `locale`: the shape (sign,
 * currency, separators, spaces) comes from formatting 1.5 or -1.5, then its digits are replaced by
 * the exact integer (grouped through BigInt) and fraction.
 */
function formatExact(text: string, locale: Locale, options: Intl.NumberFormatOptions): string {
  if (!DECIMAL.test(text)) return text;
  const negative = text.startsWith('-');
  const [int = '0', frac = ''] = (negative ? text.slice(1) : text).split('.');
  const grouped = numberFormat(locale, { useGrouping: true, maximumFractionDigits: 0 }).format(BigInt(int));
  const shape = numberFormat(locale, { ...options, minimumFractionDigits: 1, maximumFractionDigits: 1 });
  let out = '';
  for (const part of shape.formatToParts(negative ? -1.5 : 1.5)) {
    if (part.type === 'integer') out += grouped;
    else if (part.type === 'decimal') out += frac ? part.value : '';
    else if (part.type === 'fraction') out += frac;
    else out += part.value;
  }
  return out;
}

/** A plain exact decimal, every digit kept, grouped for reading: `1 234,000000000000000001` in French. */
export function formatAmount(text: string, locale: Locale = getLocale()): string {
  return formatExact(text, locale, {});
}

/**
 * Which way a shortened amount may round. A figure the user relies on as a bound rounds to
 * their disadvantage: a minimum received `down` (never promises more than the order accepts),
 * a fee `up` (never less than is charged); other figures to the `nearest`.
 */
export type Rounding = 'down' | 'up' | 'nearest';

/** Cuts `-?digits[.digits]` to `places` fraction digits, rounding (in magnitude) as asked; no trailing zeros. */
export function cutDecimal(text: string, places: number, rounding: Rounding): string {
  if (!DECIMAL.test(text)) return text;
  const negative = text.startsWith('-');
  const [int = '0', frac = ''] = (negative ? text.slice(1) : text).split('.');
  if (frac.length <= places) return text;
  const rest = frac.slice(places);
  const bump = rounding === 'up' ? /[1-9]/.test(rest) : rounding === 'nearest' && Number(rest[0]) >= 5;
  const units = BigInt(int + frac.slice(0, places)) + (bump ? 1n : 0n);
  const digits = units.toString().padStart(places + 1, '0');
  const head = digits.slice(0, digits.length - places);
  const tail = digits.slice(digits.length - places).replace(/0+$/, '');
  return `${negative && units !== 0n ? '-' : ''}${head}${tail ? `.${tail}` : ''}`;
}

/** Fraction digits that keep `significant` significant digits of `text` (all of its whole part). */
function placesFor(text: string, significant: number): number {
  const [int = '0', frac = ''] = text.replace(/^-/, '').split('.');
  const whole = int.replace(/^0+/, '').length;
  if (whole > 0) return Math.max(0, significant - whole);
  const zeros = /^0*/.exec(frac)?.[0].length ?? 0;
  return zeros + significant;
}

/**
 * A token amount shortened to `significant` significant digits (6 by default, never cutting its
 * whole part), rounded as `rounding` says, in the locale's way: `0.0289545` ETH, `1 234,57` in
 * French. Exact text in, exact text out: no float on the way.
 */
export function formatTokenAmount(
  text: string,
  rounding: Rounding = 'nearest',
  significant = 6,
  locale: Locale = getLocale(),
): string {
  if (!DECIMAL.test(text)) return text;
  return formatExact(cutDecimal(text, placesFor(text, significant), rounding), locale, {});
}

/** From this whole amount on, totals are written compactly (`€12.3M`, `12,3 M €`). */
const COMPACT_FROM = 100_000n;

/**
 * `text` from 100 000 on in the locale's compact notation with three significant digits, or
 * null below (or when it is not a positive decimal). Rounded half up on the exact digits, so
 * Intl only writes an integer given as a BigInt.
 */
function compact(text: string, locale: Locale, options: Intl.NumberFormatOptions): string | null {
  if (!DECIMAL.test(text) || text.startsWith('-')) return null;
  const int = BigInt(text.split('.')[0] ?? '0');
  if (int < COMPACT_FROM) return null;
  const scale = 10n ** BigInt(int.toString().length - 3);
  const rounded = ((int + scale / 2n) / scale) * scale;
  return numberFormat(locale, { ...options, notation: 'compact', maximumSignificantDigits: 3 }).format(rounded);
}

/** A total in tokens (a vault's TVL) for reading at a glance: `12.3M` from 100 000 on, else six significant digits. */
export function formatCompactAmount(text: string, locale: Locale = getLocale()): string {
  return compact(text, locale, {}) ?? formatTokenAmount(text, 'nearest', 6, locale);
}

/** Fiat for reading at a glance (a total): to the cent below 100 000, else compact (`€12.3M`, `12,3 M €`). */
export function formatCompactFiat(
  text: string | null | undefined,
  currency: 'EUR' | 'USD',
  locale: Locale = getLocale(),
): string {
  return (text && compact(text, locale, { style: 'currency', currency })) || formatFiat(text, currency, locale);
}

/** Fiat text rounded to the cent: `"1229.4251"`, EUR → `1 229,43 €` (fr) or `€1,229.43` (en); nothing → an em dash. */
export function formatFiat(
  text: string | null | undefined,
  currency: 'EUR' | 'USD',
  locale: Locale = getLocale(),
): string {
  if (!text || !DECIMAL.test(text)) return '—';
  return formatExact(roundDecimal(text, 2), locale, { style: 'currency', currency });
}

/** A whole number (counts, minutes): `12 345` in French. */
export function formatInteger(n: number | bigint, locale: Locale = getLocale()): string {
  return numberFormat(locale, { maximumFractionDigits: 0 }).format(n);
}

type DateStyle = 'date' | 'time' | 'dateTime' | 'dateTimeSeconds';

const DATE_OPTIONS: Record<DateStyle, Intl.DateTimeFormatOptions> = {
  date: { dateStyle: 'medium' },
  time: { timeStyle: 'medium' },
  dateTime: { dateStyle: 'medium', timeStyle: 'short' },
  dateTimeSeconds: { dateStyle: 'medium', timeStyle: 'medium' },
};

/** An ISO 8601 instant in the user's time zone: `1 déc. 2026, 14:05` in French; unreadable text as is, nothing → an em dash. */
export function formatDate(
  iso: string | null | undefined,
  style: DateStyle = 'dateTime',
  locale: Locale = getLocale(),
): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : new Intl.DateTimeFormat(locale, DATE_OPTIONS[style]).format(date);
}

/**
 * What the user typed as an amount, in the core's form (`.` decimal point, no grouping): French
 * users write `1 234,5`, English users `1,234.5`. Anything else is passed on trimmed, for the
 * core to judge (and refuse with its own message).
 */
export function parseAmountInput(text: string, locale: Locale = getLocale()): string {
  const trimmed = text.trim();
  if (locale === 'fr' && /^(\d+|\d{1,3}([ \u00a0\u202f]\d{3})+)(,\d+)?$/.test(trimmed)) {
    return trimmed.replace(/[ \u00a0\u202f]/g, '').replace(',', '.');
  }
  if (locale === 'en' && /^\d{1,3}(,\d{3})+(\.\d+)?$/.test(trimmed)) return trimmed.replace(/,/g, '');
  return trimmed;
}

/** A download size in decimal units, as the locale writes them: `3.1 MB` / `3,1 Mo`, `12 kB` / `12 ko`. */
export function formatSize(bytes: number, locale: Locale = getLocale()): string {
  return bytes >= 1_000_000
    ? numberFormat(locale, {
        style: 'unit',
        unit: 'megabyte',
        minimumFractionDigits: 1,
        maximumFractionDigits: 1,
      }).format(bytes / 1_000_000)
    : numberFormat(locale, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 0 }).format(
        Math.max(1, Math.round(bytes / 1000)),
      );
}
