// A session IBEx refuses is told by account, in the user's language, with a way back in and a
// way to dismiss it: the sandbox clock passes the refresh token's 24 h while the background
// recovery check keeps calling IBEx for the account (a refused token at start-up is the same
// notice, covered by crates/wallet-core/tests/restore.rs: the web host's keychain is memory).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  addVirtualAuthenticator,
  collectPageErrors,
  openSignedOutAt,
  seriousA11yViolations,
  useHostAndBrowser,
} from '../support/browser.mjs';
import { LOCALE, byLocale, t } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';

const env = useHostAndBrowser({ args: ['--recovery-check-seconds', '1'] });
const shots = artifactsDir('web/session-notices');

/** @param {import('playwright-core').Page} page @param {string} name */
async function shoot(page, name) {
  await page.screenshot({ path: join(shots, `${name}-${LOCALE}-light.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(shots, `${name}-${LOCALE}-dark.png`), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), [], `${name} (dark)`);
  await page.emulateMedia({ colorScheme: 'light' });
  assert.deepEqual(await seriousA11yViolations(page), [], `${name} (light)`);
}

test('a refused session is told by name; Sign in again opens the sign-in, Dismiss removes it', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  await addVirtualAuthenticator(page);
  await openSignedOutAt(page, env.host().url);
  const sandboxUrl = ((await page.getByTestId('base-url').textContent()) ?? '').replace(/\/$/, '');
  await page.getByTestId('create-wallet').click();
  await page.getByTestId('account-switcher').click({ timeout: 60000 });
  await page.getByTestId('account-rename').click();
  await page.getByTestId('account-name').fill('Personal');
  await page.getByTestId('account-name-save').click();
  await page.getByTestId('account-switcher').filter({ hasText: 'Personal' }).waitFor();

  // A day and an hour later at IBEx: the refresh token is too old, the next call ends the session.
  const advanced = await fetch(`${sandboxUrl}/__sandbox/clock/advance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seconds: 25 * 3600 }),
  });
  assert.equal(advanced.status, 200);
  const notice = page.getByTestId('session-notice');
  await notice.waitFor({ timeout: 30000 });
  assert.equal(await notice.getAttribute('data-kind'), 'ended');
  assert.match(
    (await notice.textContent()) ?? '',
    byLocale({ en: /Your session for Personal expired\. Sign in again/, fr: /Votre session pour Personal a expiré/ }),
  );
  await page.getByTestId('create-wallet').waitFor();
  await shoot(page, '1-signed-out-told');

  // Another account signs in: the notice is about Personal, it stays.
  await page.getByTestId('create-wallet').click();
  await page.getByTestId('account-switcher').waitFor({ timeout: 60000 });
  assert.equal(await notice.count(), 1);
  await shoot(page, '2-other-account-told');

  // Sign in again: the sign-in form opens, focused, the notice still there until it is done.
  const signIn = notice.getByTestId('session-notice-sign-in');
  assert.equal(await signIn.textContent(), t('session_notice_sign_in', { label: 'Personal' }));
  await signIn.click();
  await page.getByTestId('account-add-back').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'onb-title');
  await page.getByTestId('account-add-back').click();

  // Dismiss: gone, and gone after a reload too (the core forgot it).
  await notice.getByTestId('session-notice-dismiss').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid="session-notice"]'));
  await page.reload();
  await page.getByTestId('account-switcher').waitFor({ timeout: 30000 });
  assert.equal(await notice.count(), 0);
  assert.deepEqual(errors, []);
});
