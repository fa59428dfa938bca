// The Linux passkey hand-off end to end: the wallet (devhost) opens a one-time loopback page in
// the "system browser" (record-browser.sh files the URL), Chromium with a virtual authenticator
// plays that browser, and the sandbox verifies every attestation and assertion.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  addVirtualAuthenticator,
  collectPageErrors,
  seriousA11yViolations,
  startDevhost,
  useHostAndBrowser,
} from '../support/browser.mjs';
import { chooseBrowserProvider, recordingBrowser } from '../support/handoff.mjs';
import { byLocale } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';
import { sandbox } from '../support/sandbox.mjs';

const browserLog = recordingBrowser();
const env = useHostAndBrowser({ env: browserLog.env });
const shots = artifactsDir('web/handoff');

/** @param {import('playwright-core').Page} page @param {string} url */
async function openSignedOut(page, url) {
  await page.goto(url);
  await page.locator('[data-testid="sign-out"], [data-testid="create-wallet"]').first().waitFor();
  if (await page.getByTestId('sign-out').isVisible()) await page.getByTestId('sign-out').click();
  await page.getByTestId('create-wallet').waitFor();
  await chooseBrowserProvider(page);
}

/** Sandbox route counts. @param {string} sandboxUrl */
async function counters(sandboxUrl) {
  return /** @type {{ routes: Record<string, number> }} */ (await sandbox(sandboxUrl, 'counters'));
}

test('sign up, sign out and sign in through the system browser; a wrong state is refused', async () => {
  const wallet = await env.browser().newPage();
  const errors = collectPageErrors(wallet);
  await openSignedOut(wallet, env.host().url);
  const sandboxUrl = (await wallet.getByTestId('base-url').textContent()) ?? '';
  const before = await counters(sandboxUrl);
  // The "system browser": its own tab with a virtual authenticator (PRF on).
  const system = await env.browser().newPage();
  const { cdp, authenticatorId } = await addVirtualAuthenticator(system);
  const systemErrors = collectPageErrors(system);

  const opened = browserLog.urls().length;
  let started = Date.now();
  await wallet.getByTestId('create-wallet').click();
  const url = await browserLog.nth(opened + 1);
  const { origin } = new URL(url);
  assert.match(origin, /^http:\/\/localhost:\d+$/);
  await wallet.getByTestId('browser-waiting').waitFor();
  await wallet.screenshot({ path: join(shots, '1-continue-in-browser.png'), fullPage: true });

  // Another local process guessing the state is refused; the ceremony keeps waiting.
  const forged = await fetch(`${origin}/callback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ state: 'guessed', credential: { id: 'AA' } }),
  });
  assert.equal(forged.status, 403);
  assert.equal((await fetch(`${origin}/?state=guessed`)).status, 403);
  assert.equal(await wallet.getByTestId('browser-waiting').count(), 1);

  await system.goto(url);
  await system
    .getByText(byLocale({ en: 'Done. Return to IBEx Wallet', fr: 'C’est fait. Revenez à IBEx Wallet' }))
    .waitFor({ timeout: 30000 });
  const address = wallet.getByTestId('safe-address').first();
  await address.waitFor({ timeout: 30000 });
  const signUpMs = Date.now() - started;
  await system.screenshot({ path: join(shots, '2-browser-done.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(system), []);
  const safe = (await address.textContent()) ?? '';
  assert.match(safe, /^0x[0-9a-fA-F]{40}$/);
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.equal(credentials.length, 1, 'the browser authenticator holds the new passkey');
  // The one-time server is gone.
  await assert.rejects(fetch(`${origin}/?state=x`));

  await wallet.getByTestId('sign-out').click();
  await wallet.getByTestId('sign-in').waitFor();
  started = Date.now();
  await wallet.getByTestId('sign-in').click();
  const url2 = await browserLog.nth(opened + 2);
  assert.notEqual(new URL(url2).searchParams.get('state'), new URL(url).searchParams.get('state'));
  await system.goto(url2);
  await address.waitFor({ timeout: 30000 });
  const signInMs = Date.now() - started;
  assert.equal(await address.textContent(), safe, 'the same Safe after signing in');
  const after = await counters(sandboxUrl);
  const count = (/** @type {typeof before} */ c, /** @type {string} */ r) => c.routes[r] ?? 0;
  assert.equal(count(after, 'POST /v1.2/auth/sign-up') - count(before, 'POST /v1.2/auth/sign-up'), 1);
  assert.equal(count(after, 'POST /v1.2/auth/sign-in') - count(before, 'POST /v1.2/auth/sign-in'), 1);
  console.log(
    `hand-off round trip (click → signed in, incl. the 2 s wallet window at sign-up): sign-up ${signUpMs} ms, sign-in ${signInMs} ms`,
  );
  await wallet.screenshot({ path: join(shots, '3-signed-in.png'), fullPage: true });
  assert.deepEqual(errors, []);
  assert.deepEqual(systemErrors, []);
  await system.close();
  await wallet.close();
});

test('cancelling in the browser or in the wallet comes back as a clear message', async () => {
  const wallet = await env.browser().newPage();
  await openSignedOut(wallet, env.host().url);
  // A browser whose authenticator holds no passkey: Chromium answers NotAllowedError.
  const system = await env.browser().newPage();
  await addVirtualAuthenticator(system);
  const opened = browserLog.urls().length;
  await wallet.getByTestId('sign-in').click();
  await system.goto(await browserLog.nth(opened + 1));
  const error = wallet.getByTestId('auth-error');
  await error.waitFor({ timeout: 30000 });
  assert.match(
    (await error.textContent()) ?? '',
    byLocale({
      en: /passkey prompt in your browser was closed or timed out/,
      fr: /La demande de clé d’accès de votre navigateur a été fermée ou a expiré/,
    }),
  );
  await system.getByText(byLocale({ en: 'No passkey was used', fr: 'Aucune clé d’accès n’a été utilisée' })).waitFor();

  await wallet.getByTestId('sign-in').click();
  await browserLog.nth(opened + 2);
  await wallet.getByTestId('passkey-cancel').click();
  await error.waitFor();
  assert.match(
    (await error.textContent()) ?? '',
    byLocale({ en: /You cancelled the passkey request/, fr: /Vous avez annulé la demande de clé d’accès/ }),
  );
  await wallet.screenshot({ path: join(shots, '4-cancelled.png'), fullPage: true });
  await system.close();
  await wallet.close();
});

test('a browser that never answers ends with a clear timeout', async () => {
  const host = await startDevhost({ env: { ...browserLog.env, IBEX_HANDOFF_TIMEOUT_SECS: '2' } });
  try {
    const wallet = await env.browser().newPage();
    await openSignedOut(wallet, host.url);
    const opened = browserLog.urls().length;
    await wallet.getByTestId('create-wallet').click();
    const { origin } = new URL(await browserLog.nth(opened + 1));
    const error = wallet.getByTestId('auth-error');
    await error.waitFor({ timeout: 30000 });
    assert.match(
      (await error.textContent()) ?? '',
      byLocale({
        en: /Your browser did not answer within 2 seconds/,
        fr: /Votre navigateur n’a pas répondu en 2 secondes/,
      }),
    );
    await assert.rejects(fetch(`${origin}/`), 'the listener is closed after the timeout');
    await wallet.close();
  } finally {
    await host.stop();
  }
});

test('when the browser cannot be started, the wallet shows the page to open by hand', async () => {
  const host = await startDevhost({ env: { BROWSER: '/nonexistent/browser' } });
  try {
    const wallet = await env.browser().newPage();
    await openSignedOut(wallet, host.url);
    await wallet.getByTestId('create-wallet').click();
    const page = wallet.getByTestId('handoff-page');
    await page.waitFor({ timeout: 30000 });
    const url = (await page.textContent()) ?? '';
    assert.match(url, /^http:\/\/localhost:\d+\/\?state=/);
    await wallet.screenshot({ path: join(shots, '5-open-by-hand.png'), fullPage: true });
    assert.deepEqual(await seriousA11yViolations(wallet), []);
    // The user pastes it into their browser: the ceremony was waiting and completes.
    const system = await env.browser().newPage();
    await addVirtualAuthenticator(system);
    await system.goto(url);
    await wallet.getByTestId('safe-address').first().waitFor({ timeout: 30000 });
    await system.close();
    await wallet.close();
  } finally {
    await host.stop();
  }
});
