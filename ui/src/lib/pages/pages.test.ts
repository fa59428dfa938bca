// The signed-in view is built from `pages`: a page listed twice once blanked it (Svelte refuses
// a duplicate key in the sidebar's keyed each, and nothing rendered). Every page and group must
// be unique and named in both languages.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groups, pages, sections } from '.';

const catalog = (locale: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../../../messages', `${locale}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
const catalogs = { en: catalog('en'), fr: catalog('fr') };
type Label = (inputs?: object, options?: { locale?: 'en' | 'fr' }) => string;

/** The catalog key behind a message function (paraglide names each after its key), said in each language. */
function named(label: Label) {
  return (['en', 'fr'] as const).map((locale) => ({
    locale,
    key: label.name,
    inCatalog: catalogs[locale][label.name],
    said: label({}, { locale }),
  }));
}

const duplicates = (ids: string[]) => ids.filter((id, i) => ids.indexOf(id) !== i);

describe('the page list', () => {
  it('has each page and each group once', () => {
    expect(duplicates(pages.map((p) => p.id))).toEqual([]);
    expect(duplicates(groups.map((g) => g.id))).toEqual([]);
  });

  it('puts every page in a known group, and the sidebar shows each exactly once', () => {
    const known = new Set<string>(groups.map((g) => g.id));
    expect(pages.filter((p) => !known.has(p.group)).map((p) => p.id)).toEqual([]);
    const shown = sections().flatMap((s) => s.pages.map((p) => p.id));
    expect([...shown].sort()).toEqual(pages.map((p) => p.id).sort());
  });

  it('names every page and group in English and French, from the catalogs', () => {
    for (const label of [...pages.map((p) => p.label), ...groups.map((g) => g.label)]) {
      for (const n of named(label as Label)) {
        expect(typeof n.inCatalog, `${n.key} in ${n.locale}.json`).toBe('string');
        expect(n.said, `${n.key} in ${n.locale}`).toBe(n.inCatalog);
      }
    }
  });

  it('gives pages distinct names in each language (two entries alike could not be told apart)', () => {
    for (const locale of ['en', 'fr'] as const) {
      expect(duplicates(pages.map((p) => (p.label as Label)({}, { locale }))), locale).toEqual([]);
    }
  });
});
