// The language the browser journeys run in: English by default, French with `E2E_LOCALE=fr`
// (`npm run test:e2e:web:fr`). The journeys read the UI's texts from its own compiled catalog
// (ui/messages → ui/src/lib/paraglide, `npm run i18n`), so one journey source checks both
// languages; the core's texts and formatted numbers, which the catalog does not hold, are
// written out per language with `byLocale`.
import * as messages from '../../../ui/src/lib/paraglide/messages.js';

/** @type {'en' | 'fr'} */
export const LOCALE = process.env.E2E_LOCALE === 'fr' ? 'fr' : 'en';

/** What the devhost needs to start in LOCALE: the core reads the system language from these. */
export const LOCALE_ENV =
  LOCALE === 'fr' ? { LC_ALL: 'fr_FR.UTF-8', LANG: 'fr_FR.UTF-8' } : { LC_ALL: 'en_US.UTF-8', LANG: 'en_US.UTF-8' };

/**
 * The UI's text for catalog key `key` in LOCALE.
 * @param {keyof typeof messages} key @param {Record<string, unknown>} [inputs]
 * @returns {string}
 */
export function t(key, inputs = {}) {
  return tIn(LOCALE, key, inputs);
}

/**
 * The UI's text for `key` in `locale`.
 * @param {'en' | 'fr'} locale @param {keyof typeof messages} key @param {Record<string, unknown>} [inputs]
 * @returns {string}
 */
export function tIn(locale, key, inputs = {}) {
  const message = /** @type {(i: Record<string, unknown>, o: { locale: string }) => string} */ (
    /** @type {unknown} */ (messages[key])
  );
  if (typeof message !== 'function') throw new Error(`no message ${key} in the UI catalog`);
  return message(inputs, { locale });
}

/**
 * The value for LOCALE.
 * @template T @param {{ en: T, fr: T }} values @returns {T}
 */
export const byLocale = (values) => values[LOCALE];

/** `text` as a RegExp that matches it literally. @param {string} text */
export const literally = (text) => new RegExp(escape(text));

/** @param {string} text */
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Message `key` as a RegExp where each of `patterns`' inputs stands for its RegExp source (e.g.
 * `{ seconds: '\\d+' }`); the rest matches literally.
 * @param {keyof typeof messages} key @param {Record<string, string>} patterns
 */
export function pattern(key, patterns) {
  const marks = Object.fromEntries(Object.keys(patterns).map((k, i) => [k, `\u0000${i}\u0000`]));
  let source = escape(t(key, marks));
  Object.values(patterns).forEach((p, i) => (source = source.replace(`\u0000${i}\u0000`, p)));
  return new RegExp(source);
}
