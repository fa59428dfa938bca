// What the window needs before its first paint: the build's facts and the settings, whose
// language and theme are applied before anything is drawn (main.ts awaits this).
import { call, describeError, type Backend } from './backend';
import type { AppInfo, Settings } from './bindings';
import { applyLocale, localeOfTags, resolveLocale } from './i18n/locale';
import { applyTheme } from './theme';

export type Startup = { info: AppInfo; settings: Settings; error?: undefined } | { error: string };

export async function startup(backend: Backend): Promise<Startup> {
  try {
    const [info, settings] = await Promise.all([
      call(backend.commands.appInfo()),
      call(backend.commands.settingsGet()),
    ]);
    applyLocale(resolveLocale(settings.language, info.systemLocale));
    applyTheme(settings.theme);
    return { info, settings };
  } catch (e) {
    // The core did not answer: say so in the language the browser prefers.
    applyLocale(localeOfTags(navigator.languages));
    return { error: describeError(e) };
  }
}
