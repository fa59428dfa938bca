// Display of exact decimal text (fiat values, token balances) without ever going through a
// float: rounding and digit grouping are done on the digits.

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

/** `1234567.5` → `1,234,567.5`. */
export function groupDigits(text: string): string {
  const [int = '', frac] = text.split('.');
  const sign = int.startsWith('-') ? '-' : '';
  const grouped = int.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}${frac !== undefined ? `.${frac}` : ''}`;
}

const SYMBOLS = { EUR: '€', USD: '$' } as const;

/** `"850.268775"`, EUR → `€850.27`; nothing → an em dash. */
export function formatFiat(text: string | null | undefined, currency: keyof typeof SYMBOLS): string {
  if (!text) return '—';
  const rounded = groupDigits(roundDecimal(text, 2));
  return rounded.startsWith('-') ? `-${SYMBOLS[currency]}${rounded.slice(1)}` : `${SYMBOLS[currency]}${rounded}`;
}

/** A token amount with every digit kept, grouped for reading. */
export function formatAmount(text: string): string {
  return groupDigits(text);
}
