import { describe, expect, it } from 'vitest';
import { localeOfTags, resolveLocale } from './locale';

describe('language choice', () => {
  it('takes the first system language the wallet speaks', () => {
    expect(localeOfTags(['fr-FR', 'en-US'])).toBe('fr');
    expect(localeOfTags(['de-DE', 'fr-CA'])).toBe('fr');
    expect(localeOfTags(['EN-gb'])).toBe('en');
    expect(localeOfTags(['de-DE'])).toBe('en');
    expect(localeOfTags([])).toBe('en');
  });

  it('lets an explicit choice win over the system', () => {
    expect(resolveLocale('system', 'fr')).toBe('fr');
    expect(resolveLocale('en', 'fr')).toBe('en');
    expect(resolveLocale('fr', 'en')).toBe('fr');
  });
});
