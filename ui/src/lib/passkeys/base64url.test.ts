import { describe, expect, it } from 'vitest';
import { decode, encode } from './base64url';

const bytes = (b: ArrayBuffer) => Array.from(new Uint8Array(b));

describe('base64url', () => {
  it('round-trips every length without padding', () => {
    for (let n = 0; n < 40; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 250) & 0xff);
      const text = encode(data);
      expect(text).not.toMatch(/[=+/]/);
      expect(bytes(decode(text))).toEqual(Array.from(data));
    }
  });

  it('accepts padded input and the standard alphabet', () => {
    const data = [0xfb, 0xff, 0xfe, 0x01];
    expect(bytes(decode('-__-AQ'))).toEqual(data);
    expect(bytes(decode('-__-AQ=='))).toEqual(data);
    expect(bytes(decode('+//+AQ=='))).toEqual(data);
    expect(bytes(decode('+//+AQ'))).toEqual(data);
  });

  it('rejects what is not base64, naming the field', () => {
    expect(() => decode('abc$', 'challenge')).toThrow(/challenge is not base64url/);
    expect(() => decode('a', 'user.id')).toThrow(/user.id/);
    expect(() => decode('ab=c')).toThrow();
  });
});
