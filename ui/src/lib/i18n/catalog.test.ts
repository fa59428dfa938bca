// The message catalogs (ui/messages/*.json) are complete in both languages, say the same thing
// with the same placeholders, and the French follows French typography.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const uiDir = join(import.meta.dirname, '../../..');
type Catalog = Record<string, unknown>;
const load = (locale: string): Catalog => {
  const messages = JSON.parse(readFileSync(join(uiDir, 'messages', `${locale}.json`), 'utf8')) as Catalog;
  delete messages.$schema;
  return messages;
};
const en = load('en');
const fr = load('fr');

/** Every text of a message: a plain string, or each branch of a plural/select variant. */
function texts(message: unknown): string[] {
  if (typeof message === 'string') return [message];
  if (Array.isArray(message)) return message.flatMap((v: { match: Record<string, string> }) => Object.values(v.match));
  throw new Error(`unexpected message shape ${JSON.stringify(message)}`);
}
const placeholders = (message: unknown) =>
  [...new Set(texts(message).flatMap((t) => [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1])))].sort();

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'paraglide') return [];
    if (statSync(path).isDirectory()) return sources(path);
    if (!/\.(svelte|ts)$/.test(name) || name.endsWith('.test.ts')) return [];
    // Only modules that import the catalog as `m` can use its messages.
    const text = readFileSync(path, 'utf8');
    return /import \{ m \} from '[./]+(lib\/)?paraglide\/messages'/.test(text) ? [text] : [];
  });
}

describe('message catalogs', () => {
  it('have the same keys in English and French', () => {
    const missingInFr = Object.keys(en).filter((k) => !(k in fr));
    const missingInEn = Object.keys(fr).filter((k) => !(k in en));
    expect({ missingInFr, missingInEn }).toEqual({ missingInFr: [], missingInEn: [] });
  });

  it('have no empty message', () => {
    for (const [locale, catalog] of [
      ['en', en],
      ['fr', fr],
    ] as const) {
      const empty = Object.entries(catalog)
        .filter(([, m]) => texts(m).some((t) => t.trim() === ''))
        .map(([k]) => k);
      expect(empty, locale).toEqual([]);
    }
  });

  it('use the same placeholders in both languages', () => {
    const differ = Object.keys(en).filter((k) => k in fr && placeholders(en[k]).join() !== placeholders(fr[k]).join());
    expect(differ).toEqual([]);
  });

  it('are all used by the UI, and the UI uses no unknown key', () => {
    const code = sources(join(uiDir, 'src')).join('\n');
    const used = new Set([...code.matchAll(/\bm\.(\w+)\b/g)].map((x) => x[1] ?? ''));
    expect(Object.keys(en).filter((k) => !used.has(k))).toEqual([]);
    expect([...used].filter((k) => !(k in en))).toEqual([]);
  });

  it('write French with French typography', () => {
    const faults: string[] = [];
    for (const [key, message] of Object.entries(fr)) {
      for (const text of texts(message).map((t) => t.replace(/IBEx Wallet/g, ''))) {
        // A no-break space (U+00A0, or U+202F) before ; : ! ? and inside « ».
        if (/ [;:!?»]|« /.test(text)) faults.push(`${key}: breaking space before ;:!?» or after «`);
        if (/[^\s\u00a0\u202f({][;!?]|[^\s\u00a0\u202f({/\d]:(?!\/\/)/.test(text.replace(/\{\w+\}/g, 'x')))
          faults.push(`${key}: no space before ;:!?`);
        if (/"/.test(text)) faults.push(`${key}: straight quotes (use « »)`);
        if (/'/.test(text)) faults.push(`${key}: straight apostrophe (use ’)`);
        if (/\.\.\./.test(text)) faults.push(`${key}: three dots (use …)`);
        if (/\bpasskey|\bwallet\b/i.test(text)) faults.push(`${key}: English term (clé d’accès, portefeuille)`);
      }
    }
    expect(faults).toEqual([]);
  });
});
