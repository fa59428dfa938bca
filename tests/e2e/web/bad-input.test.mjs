// Bad passkey input through the UI (issue 5 §4e): a challenge that expires before the
// authenticator answers, a server that asks for another rpId, and a page origin IBEx does not
// allow. Each ends with a specific message, and nothing is half-done.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { addVirtualAuthenticator, useHostAndBrowser } from '../support/browser.mjs';
import { chooseBrowserProvider, recordingBrowser } from '../support/handoff.mjs';
import { byLocale } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';
import { sandbox, startSandbox, useServer } from '../support/sandbox.mjs';

const browserLog = recordingBrowser();
const env = useHostAndBrowser({ env: browserLog.env });
const shots = artifactsDir('web/bad-input');

/** @param {import('playwright-core').Page} page */
async function openSignedOut(page) {
  await page.goto(env.host().url);
  await page.locator('[data-testid="sign-out"], [data-testid="create-wallet"]').first().waitFor();
  if (await page.getByTestId('sign-out').isVisible()) await page.getByTestId('sign-out').click();
  await page.getByTestId('create-wallet').waitFor();
}

test('a challenge that expires before the passkey answers is explained, and a retry works', async () => {
  const wallet = await env.browser().newPage();
  await openSignedOut(wallet);
  await chooseBrowserProvider(wallet);
  const sandboxUrl = (await wallet.getByTestId('base-url').textContent()) ?? '';
  const system = await env.browser().newPage();
  await addVirtualAuthenticator(system);

  const opened = browserLog.urls().length;
  await wallet.getByTestId('create-wallet').click();
  const url = await browserLog.nth(opened + 1);
  // The user is slow: the sandbox clock passes the 60 s challenge lifetime first.
  await sandbox(sandboxUrl, 'clock/advance', { seconds: 61 });
  await system.goto(url);
  const error = wallet.getByTestId('auth-error');
  await error.waitFor({ timeout: 30000 });
  assert.match(
    (await error.textContent()) ?? '',
    byLocale({ en: /answered after this request had expired/, fr: /a répondu après l’expiration de la demande/ }),
  );
  await wallet.screenshot({ path: join(shots, '1-expired.png'), fullPage: true });

  await wallet.getByTestId('create-wallet').click();
  await system.goto(await browserLog.nth(opened + 2));
  await wallet.getByTestId('safe-address').first().waitFor({ timeout: 30000 });
  await system.close();
  await wallet.close();
});

test('a server asking for another rpId, or refusing this page origin, gets a specific message', async () => {
  const otherRp = await startSandbox(['--rp-id', 'wallet.example']);
  const strictOrigin = await startSandbox(['--origin', 'https://only.example']);
  try {
    const wallet = await env.browser().newPage();
    await addVirtualAuthenticator(wallet);
    await openSignedOut(wallet);

    // Configured for rpId localhost, but this IBEx serves only wallet.example.
    await useServer(wallet, otherRp.url, 'localhost');
    await wallet.getByTestId('create-wallet').click();
    const error = wallet.getByTestId('auth-error');
    await error.waitFor({ timeout: 30000 });
    assert.match(
      (await error.textContent()) ?? '',
      byLocale({
        en: /This IBEx server does not serve the rpId localhost\. Check the network's rpId/,
        fr: /Ce serveur IBEx ne prend pas en charge le rpId localhost\. Vérifiez le rpId du réseau/,
      }),
    );
    await wallet.screenshot({ path: join(shots, '2-wrong-rp-id.png'), fullPage: true });

    // rpId localhost, but this IBEx accepts only https://only.example as the page origin.
    await useServer(wallet, strictOrigin.url, 'localhost');
    await wallet.getByTestId('provider-choice-webview').check();
    await wallet.getByTestId('create-wallet').click();
    await error.waitFor({ timeout: 30000 });
    assert.match(
      (await error.textContent()) ?? '',
      byLocale({
        en: /IBEx does not accept passkeys used from this page \(origin http:\/\/localhost:\d+/,
        fr: /IBEx n’accepte pas les clés d’accès utilisées depuis cette page \(origine http:\/\/localhost:\d+/,
      }),
    );
    await wallet.screenshot({ path: join(shots, '3-origin-refused.png'), fullPage: true });
    await wallet.close();
  } finally {
    await otherRp.stop();
    await strictOrigin.stop();
  }
});
