import { describe, expect, it } from 'vitest';
import { diffSegments, shortAddress } from './addressDiff';

describe('diffSegments', () => {
  it('marks only the characters that differ, ignoring checksum case', () => {
    expect(diffSegments('0xAB12cd', '0xab99CD')).toEqual([
      { text: '0xAB', differs: false },
      { text: '12', differs: true },
      { text: 'cd', differs: false },
    ]);
  });

  it('treats identical addresses as one matching run', () => {
    expect(diffSegments('0xabc', '0xABC')).toEqual([{ text: '0xabc', differs: false }]);
  });
});

describe('shortAddress', () => {
  it('keeps the first 4 and last 4 hex characters', () => {
    expect(shortAddress('0x52908400098527886E0F7030069857D2E4169EE7')).toBe('0x5290…9EE7');
  });
});
