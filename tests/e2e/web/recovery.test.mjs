// Recovery through the web transport against the real core and sandbox: enable it (after the
// form refuses bad fields), a guardian starts a recovery through the sandbox's test API, the
// countdown runs, the sandbox clock jumps so the 24 h and 1 h alerts fall due, and the passkey
// cancels it. The core reads time from IBEx's documented `/health` timestamp (the sandbox's
// movable clock), so its alerts follow the server's deadline, not this machine's clock.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  addVirtualAuthenticator,
  collectPageErrors,
  seriousA11yViolations,
  useHostAndBrowser,
} from '../support/browser.mjs';
import { byLocale, t } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';
import { sandbox } from '../support/sandbox.mjs';

// The background check runs every second here (5 min / 30 s near a deadline by default).
const env = useHostAndBrowser({ args: ['--recovery-check-seconds', '1'] });
const shots = artifactsDir('web/recovery');
// The OS notification's title, as the core writes it in the run's language.
const PENDING_TITLE = byLocale({ en: 'Wallet recovery pending', fr: 'Récupération du portefeuille en cours' });

/** @typedef {{ title: string, body: string }} Shown */

/** What the devhost's notifier delivered so far. @param {import('playwright-core').Page} page */
async function notifications(page) {
  const secret = await page.evaluate(() => sessionStorage.getItem('ibex-devhost-secret'));
  const resp = await fetch(`${env.host().origin}/test/notifications`, {
    headers: { 'x-devhost-secret': secret ?? '' },
  });
  return /** @type {Shown[]} */ (await resp.json());
}

/** Polls `read` until `done` holds for its value (a wait, not a timing assertion). */
async function until(
  /** @type {() => Promise<Shown[]>} */ read,
  /** @type {(v: Shown[]) => boolean} */ done,
  what = '',
) {
  for (let i = 0; i < 300; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gave up waiting for ${what}`);
}

test('recovery: validation, enable, a guardian recovery with deadline alerts, cancel', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  await addVirtualAuthenticator(page);
  await page.goto(env.host().url);
  await page.getByTestId('create-wallet').waitFor();
  const sandboxUrl = (await page.getByTestId('base-url').textContent()) ?? '';
  await page.getByTestId('create-wallet').click();
  const safe = (await page.getByTestId('safe-address').first().textContent({ timeout: 30000 })) ?? '';
  await page.getByTestId('nav-recovery').click();
  await page.getByTestId('recovery-form').waitFor({ timeout: 30000 });

  // Every empty field is flagged on its own; then one specific date problem at a time.
  const review = page.getByTestId('recovery-review-enable');
  await review.click();
  for (const field of ['firstName', 'lastName', 'birthDate', 'birthCity', 'birthCountry']) {
    await page.getByTestId(`recovery-${field}-problem`).waitFor();
  }
  await page.getByTestId('recovery-firstName').fill('Jeanne Marie');
  await page.getByTestId('recovery-lastName').fill('Dupont');
  await page.getByTestId('recovery-birthDate').fill('1990-02-30');
  await page.getByTestId('recovery-birthCity').fill('Lyon');
  await page.getByTestId('recovery-birthCountry').fill('France');
  await review.click();
  const dateProblem = page.getByTestId('recovery-birthDate-problem');
  await page.getByTestId('recovery-firstName-problem').waitFor({ state: 'detached' });
  assert.match(
    (await dateProblem.textContent()) ?? '',
    byLocale({ en: /not a real calendar date/, fr: /n’est pas une date du calendrier/ }),
  );
  assert.equal(await page.locator('.field-problem').count(), 1);
  assert.equal(await page.getByTestId('recovery-birthDate').getAttribute('aria-invalid'), 'true');
  await page.screenshot({ path: join(shots, '1-validation.png'), fullPage: true });
  const future = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
  await page.getByTestId('recovery-birthDate').fill(future);
  await review.click();
  await dateProblem.filter({ hasText: byLocale({ en: /in the past/, fr: /dans le passé/ }) }).waitFor();

  // Valid: the review shows what the passkey signs, and the operation confirms.
  await page.getByTestId('recovery-birthDate').fill('1990-01-31');
  await review.click();
  await page.getByTestId('recovery-review').waitFor({ timeout: 30000 });
  assert.match(
    (await page.getByTestId('recovery-review').textContent()) ?? '',
    /Jeanne Marie.*Dupont.*1990-01-31.*Lyon.*France/s,
  );
  assert.match((await page.getByTestId('recovery-review-hash').textContent()) ?? '', /^0x[0-9a-f]{64}$/);
  await page.screenshot({ path: join(shots, '2-review.png'), fullPage: true });
  await page.getByTestId('recovery-approve').click();
  await page
    .getByTestId('recovery-op-result')
    .filter({ hasText: t('op_status_confirmed') })
    .waitFor({ timeout: 90000 });
  await page
    .getByTestId('recovery-state')
    .filter({ hasText: t('rec_state_enabled') })
    .waitFor({ timeout: 30000 });
  await page.getByTestId('recovery-done').click();
  await page.getByTestId('recovery-enabled').waitFor();
  assert.deepEqual(await notifications(page), [], 'nothing to warn about yet');

  // The guardian starts a recovery (1-day delay): the background check sees it, the countdown
  // runs and the 24 h alert is delivered at once.
  await sandbox(sandboxUrl, 'recovery/start', { safeAddress: safe });
  const countdown = page.getByTestId('recovery-countdown');
  await countdown.waitFor({ timeout: 30000 });
  // The full day, or a few seconds less if a tick has passed since the recovery started.
  assert.match(
    (await countdown.innerText()).replace(/\s+/g, ' '),
    byLocale({
      en: /^(0 days 23 hours 5\d minutes \d+ seconds?|1 day 0 hours 0 minutes 0 seconds)$/,
      fr: /^(0 jour 23 heures 5\d minutes \d+ secondes?|1 jour 0 heure 0 minute 0 seconde)$/,
    }),
  );
  const first = await until(
    () => notifications(page),
    (n) => n.length >= 1,
    'the 24 h alert',
  );
  assert.equal(first[0]?.title, PENDING_TITLE);
  assert.match(
    first[0]?.body ?? '',
    byLocale({ en: /executed in (1 day|23 h 5\d min)\./, fr: /exécutée dans (1 jour|23 h 5\d min)\./ }),
  );

  // 23 h later on the server's clock: the 1 h alert, once.
  await sandbox(sandboxUrl, 'clock/advance', { seconds: 23 * 3600 + 60 });
  const second = await until(
    () => notifications(page),
    (n) => n.length >= 2,
    'the 1 h alert',
  );
  assert.equal(second.length, 2);
  assert.equal(second[1]?.title, PENDING_TITLE);
  assert.match(second[1]?.body ?? '', byLocale({ en: /executed in 5\d min\./, fr: /exécutée dans 5\d min\./ }));
  await countdown
    .filter({ hasText: byLocale({ en: /^\s*0\s*days\s*0\s*hours/, fr: /^\s*0\s*jour\s*0\s*heure/ }) })
    .waitFor({ timeout: 30000 });
  await page
    .getByTestId('recovery-alert')
    .filter({ hasText: t('det_sent') })
    .nth(1)
    .waitFor({ timeout: 30000 });
  await page.screenshot({ path: join(shots, '3-pending-light.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(shots, '4-pending-dark.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.emulateMedia({ colorScheme: 'light' });

  // Cancel with the passkey, after a confirmation: enabled again, the schedule cleared.
  await page.getByTestId('recovery-cancel').click();
  await page.getByTestId('recovery-cancel-confirm').click();
  await page.getByTestId('recovery-review').waitFor({ timeout: 30000 });
  // Escape leaves the review for the alarm, "Cancel recovery" focused; then on to the passkey.
  await page.keyboard.press('Escape');
  await page.getByTestId('recovery-cancel').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'recovery-cancel');
  await page.keyboard.press('Enter');
  await page.getByTestId('recovery-cancel-confirm').click();
  await page.getByTestId('recovery-review').waitFor({ timeout: 30000 });
  assert.match((await page.getByTestId('recovery-review-hash').textContent()) ?? '', /^0x[0-9a-f]{64}$/);
  await page.getByTestId('recovery-approve').click();
  await page
    .getByTestId('recovery-op-result')
    .filter({ hasText: t('op_status_confirmed') })
    .waitFor({ timeout: 90000 });
  await page
    .getByTestId('recovery-state')
    .filter({ hasText: t('rec_state_enabled') })
    .waitFor({ timeout: 30000 });
  await page.getByTestId('recovery-done').click();
  await page.getByTestId('recovery-enabled').waitFor();
  assert.equal(await countdown.count(), 0);
  assert.equal(await page.getByTestId('recovery-alerts').count(), 0);
  await page.screenshot({ path: join(shots, '5-cancelled.png'), fullPage: true });
  const stored = JSON.parse(readFileSync(join(env.host().dataDir, 'devhost.json'), 'utf8'));
  assert.deepEqual(stored['recovery-deadlines'], {}, 'the persisted schedule is cleared');
  assert.equal((await notifications(page)).length, 2, 'no alert after the cancel');
  assert.deepEqual(errors, []);
  await page.close();
});
