// Headless Debian Chromium through playwright-core (no browser download), and the dev web
// host serving the real UI and core.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { binary, repoRoot } from './paths.mjs';
import { LOCALE, LOCALE_ENV } from './i18n.mjs';
import { sandbox } from './sandbox.mjs';
import { startProcess } from './process.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--lang=${LOCALE === 'fr' ? 'fr-FR' : 'en-US'}`,
    ],
  });
}

/**
 * Starts `ibex-devhost` on a free port; resolves with its secret-bearing URL.
 * @param {{ env?: NodeJS.ProcessEnv, args?: string[] }} [opts] extra environment (e.g. `BROWSER`)
 *   and flags (e.g. `--recovery-check-seconds 1`)
 */
export async function startDevhost(opts = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'ibex-devhost-'));
  const proc = startProcess(
    binary('ibex-devhost'),
    ['--dist', join(repoRoot, 'ui/dist'), '--data-dir', dataDir, ...(opts.args ?? [])],
    /IBEX_DEVHOST_URL=(\S+)/,
    { env: { RUST_LOG: 'warn', ...LOCALE_ENV, ...opts.env } },
  );
  const [, url] = await proc.matched;
  const stop = async () => {
    await proc.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { url, origin: new URL(url).origin, dataDir, stop };
}

/**
 * Collects console errors and CSP violations of a page; a test asserts the list is empty.
 * @param {import('playwright-core').Page} page
 */
export function collectPageErrors(page) {
  /** @type {string[]} */
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core on the page; returns violations of impact serious or critical.
 * @param {import('playwright-core').Page} page
 */
export async function seriousA11yViolations(page) {
  await page.evaluate(axeSource);
  /** @type {{ id: string, impact: string, nodes: { target: string[] }[] }[]} */
  const violations = await page.evaluate(async () => {
    // @ts-expect-error axe is injected above
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * Screenshots `page` in light then dark (`<name>.png`, `<name>-dark.png` in `dir`), asserting
 * each has no serious accessibility violation; leaves the page light.
 * @param {import('playwright-core').Page} page @param {string} dir @param {string} name
 */
export async function shootLightAndDark(page, dir, name) {
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), [], `${name} (light)`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(dir, `${name}-dark.png`), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), [], `${name} (dark)`);
  await page.emulateMedia({ colorScheme: 'light' });
}

/**
 * A CDP virtual authenticator on `page` (passkeys.md §5): discoverable credentials, user
 * verification and PRF, with user presence simulated.
 * @param {import('playwright-core').Page} page
 */
export async function addVirtualAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      ctap2Version: 'ctap2_1',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      hasPrf: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/**
 * Registers before/after hooks that start the dev web host and Chromium for one test file.
 * @param {{ env?: NodeJS.ProcessEnv, args?: string[] }} [opts] passed to {@link startDevhost}
 * @returns {{ host: () => Awaited<ReturnType<typeof startDevhost>>, browser: () => import('playwright-core').Browser }}
 */
export function useHostAndBrowser(opts = {}) {
  /** @type {Awaited<ReturnType<typeof startDevhost>> | undefined} */
  let host;
  /** @type {import('playwright-core').Browser | undefined} */
  let browser;
  before(async () => {
    host = await startDevhost(opts);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await host?.stop();
  });
  return {
    host: () => /** @type {Awaited<ReturnType<typeof startDevhost>>} */ (host),
    browser: () => /** @type {import('playwright-core').Browser} */ (browser),
  };
}

/** The web host is shared by a file's tests: start each from the signed-out screen.
 * @param {import('playwright-core').Page} page @param {string} url */
export async function openSignedOutAt(page, url) {
  await page.goto(url);
  await page.locator('[data-testid="sign-out"], [data-testid="create-wallet"]').first().waitFor();
  if (await page.getByTestId('sign-out').isVisible()) await page.getByTestId('sign-out').click();
  await page.getByTestId('create-wallet').waitFor();
}

/**
 * Creates a wallet with a new passkey from the signed-out screen and waits until the Safe is
 * registered on every chain (IBEx completes them one by one after the sign-up) and the wallet
 * lists them all, so that the sandbox can credit it anywhere and the pages show every chain.
 * @param {import('playwright-core').Page} page @param {string} url
 * @returns {Promise<{ sandboxUrl: string, safe: string }>} the sandbox's URL and the primary Safe
 */
export async function createWallet(page, url) {
  await addVirtualAuthenticator(page);
  await openSignedOutAt(page, url);
  const sandboxUrl = (await page.getByTestId('base-url').textContent({ timeout: 30000 })) ?? '';
  await page.getByTestId('create-wallet').click();
  const safe = (await page.getByTestId('safe-address').first().textContent({ timeout: 30000 })) ?? '';
  for (let waited = 0; ; waited += 100) {
    /** @type {{ chainId: number, registered: boolean }[]} */
    const chains = (await sandbox(sandboxUrl, `ledger/${safe}`)).chains;
    if (chains.every((c) => c.registered)) {
      await page.waitForFunction(
        (count) => document.querySelectorAll('[data-testid="safe-chain"]').length >= count,
        chains.length,
        { timeout: 30000 },
      );
      return { sandboxUrl, safe };
    }
    assert.ok(waited < 30000, `the Safe is not registered on every chain: ${JSON.stringify(chains)}`);
    await page.waitForTimeout(100);
  }
}
