// The browser hand-off under test: the devhost's `$BROWSER` is record-browser.sh, which files
// every URL the wallet asks to open; tests read them here and open them in Chromium.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './paths.mjs';

/** Environment for a devhost whose "system browser" records URLs; `urls()` reads them. */
export function recordingBrowser() {
  const log = join(mkdtempSync(join(tmpdir(), 'ibex-browser-')), 'opened.txt');
  const urls = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []);
  return {
    env: { BROWSER: join(repoRoot, 'tests/e2e/support/record-browser.sh'), IBEX_BROWSER_LOG: log },
    urls,
    /** Waits until the wallet asked for URL number `n` (1-based) and returns it. @param {number} n */
    async nth(n, timeoutMs = 30000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const all = urls();
        if (all.length >= n) return /** @type {string} */ (all[n - 1]);
        if (Date.now() > end) throw new Error(`the wallet opened ${all.length} URLs, expected ${n}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

/** Chooses the system-browser provider on the signed-out screen. @param {import('playwright-core').Page} page */
export async function chooseBrowserProvider(page) {
  await page.getByTestId('provider-choice-native').check();
}
