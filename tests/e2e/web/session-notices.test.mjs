// A session IBEx refuses is told by account, in the user's language, with a way back in and a
// way to dismiss it: the sandbox clock passes the refresh token's 24 h while the background
// recovery check keeps calling IBEx for the account (a refused token at start-up is the same
// notice, covered by crates/wallet-core/tests/restore.rs: the web host's keychain is memory).
// A session IBEx could not resume is tried again with "Try again": going back to a network
// resumes its accounts from the keychain, as a start does, while that IBEx answers 500.
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
import { LOCALE, byLocale, literally, t } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';
import { sandbox, startSandbox, useServer } from '../support/sandbox.mjs';

// The automatic tries wait 10 min here: this file tests the user's.
const env = useHostAndBrowser({ args: ['--recovery-check-seconds', '1', '--resume-retry-seconds', '600'] });
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

test('a session IBEx could not resume is tried again with Try again: progress, then the account is back', async () => {
  const ibex = await startSandbox();
  const ibexUrl = ibex.url;
  try {
    const page = await env.browser().newPage();
    const errors = collectPageErrors(page);
    await addVirtualAuthenticator(page);
    await openSignedOutAt(page, env.host().url);
    await useServer(page, ibexUrl);
    await page.getByTestId('create-wallet').click();
    await page.getByTestId('account-switcher').click({ timeout: 60000 });
    await page.getByTestId('account-rename').click();
    await page.getByTestId('account-name').fill('Travel');
    await page.getByTestId('account-name-save').click();
    await page.getByTestId('account-switcher').filter({ hasText: 'Travel' }).waitFor();

    // Over to the local sandbox (Travel keeps running there), IBEx fails, and back: the wallet
    // resumes Travel from the keychain and cannot.
    await page.getByTestId('nav-settings').click();
    await page.getByRole('radio', { name: literally(t('net_sandbox')) }).check();
    await page.getByTestId('save-network').click();
    await page.getByTestId('create-wallet').waitFor({ timeout: 30000 });
    await sandbox(ibexUrl, 'faults', { serverErrorRate: 1.0 });
    await useServer(page, ibexUrl);
    const notice = page.getByTestId('session-notice');
    await notice.waitFor({ timeout: 30000 });
    assert.equal(await notice.getAttribute('data-kind'), 'notResumed');
    assert.match(
      (await notice.textContent()) ?? '',
      byLocale({
        en: /Your session for Travel could not be resumed\. .*keeps trying/,
        fr: /Votre session pour Travel n’a pas pu être reprise\. .*continue d’essayer/,
      }),
    );
    const retry = notice.getByTestId('session-notice-retry');
    assert.equal(await retry.textContent(), t('session_notice_try_again'));
    await shoot(page, '3-not-resumed');

    // Still down, and slow: the button says it is trying, keeps the focus, and a second press
    // does nothing; then the notice says it is still not resumed.
    await sandbox(ibexUrl, 'faults', { serverErrorRate: 1.0, latencyMs: 2500 });
    await retry.focus();
    await page.keyboard.press('Enter');
    const status = notice.getByTestId('session-notice-status');
    await status.filter({ hasText: t('session_notice_trying_status') }).waitFor();
    assert.equal(await retry.textContent(), t('session_notice_trying'));
    assert.equal(await retry.getAttribute('aria-disabled'), 'true');
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('data-testid')),
      'session-notice-retry',
    );
    await page.keyboard.press('Enter');
    await status.filter({ hasText: t('session_notice_still_not_resumed') }).waitFor({ timeout: 30000 });
    assert.equal(await retry.getAttribute('aria-disabled'), 'false');
    assert.equal(await notice.count(), 1);
    await shoot(page, '4-still-not-resumed');

    // IBEx is back (slowly): Try again shows its progress, then Travel is back, the notice gone.
    await sandbox(ibexUrl, 'faults', { serverErrorRate: 0, latencyMs: 3000 });
    const before = (await sandbox(ibexUrl, 'counters')).refresh;
    await retry.click();
    await status.filter({ hasText: t('session_notice_trying_status') }).waitFor();
    await page.screenshot({ path: join(shots, `5-trying-${LOCALE}-light.png`), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(shots, `5-trying-${LOCALE}-dark.png`), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    const back = page.getByTestId('session-notice-resumed');
    await back.waitFor({ timeout: 60000 });
    assert.equal(await back.textContent().then((s) => s?.trim()), t('session_notice_resumed', { label: 'Travel' }));
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('data-testid')),
      'session-notice-resumed',
    );
    assert.equal(await notice.count(), 0);
    await sandbox(ibexUrl, 'faults', { latencyMs: 0 });
    await page.getByTestId('account-switcher').filter({ hasText: 'Travel' }).waitFor({ timeout: 30000 });
    assert.equal((await sandbox(ibexUrl, 'counters')).refresh - before, 1, 'the token was sent once');
    await shoot(page, '6-back');
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await ibex.stop();
  }
});
