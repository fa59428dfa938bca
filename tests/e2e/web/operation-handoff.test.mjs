// Approving operations through the system browser (the Linux hand-off), with the operations kit
// of Send and Recovery: the review's approve button opens the one-time page, the wallet shows
// where to look and a way out, and the passkey in the "browser" (Chromium with a virtual
// authenticator) signs what the sandbox then executes. Cancelling comes back as a clear message
// with the review still there.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  addVirtualAuthenticator,
  collectPageErrors,
  seriousA11yViolations,
  useHostAndBrowser,
} from '../support/browser.mjs';
import { chooseBrowserProvider, recordingBrowser } from '../support/handoff.mjs';
import { byLocale, literally, t } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';

const browserLog = recordingBrowser();
const env = useHostAndBrowser({ env: browserLog.env });
const shots = artifactsDir('web/operation-handoff');
const BOB = '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359';

test('a transfer and a recovery change are approved in the browser; cancelling keeps the review', async () => {
  const wallet = await env.browser().newPage();
  const errors = collectPageErrors(wallet);
  const system = await env.browser().newPage();
  await addVirtualAuthenticator(system);
  await wallet.goto(env.host().url);
  await wallet.getByTestId('create-wallet').waitFor();
  await chooseBrowserProvider(wallet);
  let opened = browserLog.urls().length;
  await wallet.getByTestId('create-wallet').click();
  await system.goto(await browserLog.nth(opened + 1));
  await wallet.getByTestId('safe-address').first().waitFor({ timeout: 30000 });

  // Send: approve opens the browser; the wallet waits there, then follows the operation.
  await wallet.getByTestId('nav-send').click();
  await wallet.getByTestId('send-to').fill(BOB);
  await wallet.getByTestId('send-amount').fill('0.0001');
  await wallet.getByTestId('review-send').click();
  opened = browserLog.urls().length;
  await wallet.getByTestId('approve').click({ timeout: 30000 });
  const url = await browserLog.nth(opened + 1);
  await wallet.getByTestId('browser-waiting').waitFor();
  assert.equal(await wallet.getByTestId('approve').isDisabled(), true, 'one approval at a time');
  await wallet.screenshot({ path: join(shots, '1-send-continue-in-browser.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(wallet), []);
  await wallet.emulateMedia({ colorScheme: 'dark' });
  await wallet.screenshot({ path: join(shots, '2-send-continue-in-browser-dark.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(wallet), []);
  await wallet.emulateMedia({ colorScheme: 'light' });
  assert.equal(await wallet.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'passkey-cancel');
  await system.goto(url);
  const result = wallet.getByTestId('op-result');
  await result.filter({ hasText: literally(t('op_confirmed')) }).waitFor({ timeout: 90000 });
  assert.equal(await wallet.getByTestId('browser-waiting').count(), 0);

  // Cancel in the wallet: a clear message, the review stays to approve again.
  await wallet.getByRole('button', { name: t('send_new') }).click();
  await wallet.getByTestId('send-to').fill(BOB);
  await wallet.getByTestId('send-amount').fill('0.0001');
  await wallet.getByTestId('review-send').click();
  opened = browserLog.urls().length;
  await wallet.getByTestId('approve').click({ timeout: 30000 });
  await browserLog.nth(opened + 1);
  await wallet.getByTestId('passkey-cancel').click();
  const error = wallet.getByTestId('send-error');
  await error.waitFor({ timeout: 30000 });
  assert.match(
    (await error.textContent()) ?? '',
    byLocale({ en: /You cancelled the passkey request/, fr: /Vous avez annulé la demande de clé d’accès/ }),
  );
  await wallet.getByTestId('review').waitFor();
  assert.equal(await wallet.getByTestId('approve').isDisabled(), false);
  await wallet.getByRole('button', { name: t('back') }).click();
  assert.equal(await wallet.getByTestId('send-to').inputValue(), BOB, 'Back keeps the form');

  // Recovery uses the same approval: the browser hand-off shows there too.
  await wallet.getByTestId('nav-recovery').click();
  await wallet.getByTestId('recovery-form').waitFor({ timeout: 30000 });
  await wallet.getByTestId('recovery-firstName').fill('Jeanne');
  await wallet.getByTestId('recovery-lastName').fill('Dupont');
  await wallet.getByTestId('recovery-birthDate').fill('1990-01-31');
  await wallet.getByTestId('recovery-birthCity').fill('Lyon');
  await wallet.getByTestId('recovery-birthCountry').fill('France');
  await wallet.getByTestId('recovery-review-enable').click();
  await wallet.getByTestId('recovery-review').waitFor({ timeout: 30000 });
  opened = browserLog.urls().length;
  await wallet.getByTestId('recovery-approve').click();
  const recoveryUrl = await browserLog.nth(opened + 1);
  await wallet.getByTestId('browser-waiting').waitFor();
  await system.goto(recoveryUrl);
  await wallet
    .getByTestId('recovery-op-result')
    .filter({ hasText: t('op_status_confirmed') })
    .waitFor({ timeout: 90000 });
  await wallet
    .getByTestId('recovery-state')
    .filter({ hasText: t('rec_state_enabled') })
    .waitFor({ timeout: 30000 });
  assert.deepEqual(errors, []);
  await system.close();
  await wallet.close();
});
