// Which language the UI speaks. The choice (`system | en | fr`) lives in the core's settings so
// that the core's own texts (errors, OS notifications) follow it too, and "system" is resolved by
// the core (its `AppInfo.systemLocale`), so the window and the core never disagree.

import { baseLocale, isLocale, setLocale, type Locale } from '../paraglide/runtime';
import type { Language } from '../bindings';

export type { Language, Locale };

/** The first of `tags` (BCP 47, e.g. `navigator.languages`) that the wallet speaks, else English. */
export function localeOfTags(tags: readonly string[]): Locale {
  for (const tag of tags) {
    const primary = tag.split('-')[0]?.toLowerCase();
    if (isLocale(primary)) return primary;
  }
  return baseLocale;
}

/** The locale a language choice means, given the system's (settings saved before the choice existed mean "system"). */
export function resolveLocale(language: Language | undefined, system: Locale): Locale {
  return language === undefined || language === 'system' ? system : language;
}

/** Switches the messages and `<html lang>` to `locale`. */
export function applyLocale(locale: Locale, root: HTMLElement = document.documentElement): Locale {
  // No reload: App.svelte re-renders its tree under the new locale.
  setLocale(locale, { reload: false });
  root.lang = locale;
  return locale;
}
