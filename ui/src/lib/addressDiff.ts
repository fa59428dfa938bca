/** A run of characters of an address, marked where it differs from the address it is compared with. */
export interface Segment {
  text: string;
  differs: boolean;
}

/**
 * Splits `address` into runs that match `other` (case-insensitively, since EIP-55 case is only a
 * checksum) and runs that differ, so a look-alike warning can highlight the differences.
 */
export function diffSegments(address: string, other: string): Segment[] {
  const segments: Segment[] = [];
  [...address].forEach((char, i) => {
    const differs = char.toLowerCase() !== (other[i] ?? '').toLowerCase();
    const last = segments.at(-1);
    if (last && last.differs === differs) last.text += char;
    else segments.push({ text: char, differs });
  });
  return segments;
}

/** `0x5290…9eE7`: what people glance at, and what poisoning addresses imitate. */
export function shortAddress(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}
