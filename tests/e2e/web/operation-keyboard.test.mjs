// The operations kit from the keyboard, against the real core and sandbox: the review takes the
// focus when it opens, Escape goes back to the form as it was (focus included), Tab reaches
// Approve, the progress and then the next step take the focus. A review the core no longer
// holds (another window prepared one since) can only be reviewed again, and that works.
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
import { byLocale, literally, pattern, t } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';

const env = useHostAndBrowser();
const shots = artifactsDir('web/operations');
const BOB = '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359';

/** What has the focus: its test id, or its text. @param {import('playwright-core').Page} page */
const focused = (page) =>
  page.evaluate(() => {
    const e = document.activeElement;
    return e?.getAttribute('data-testid') ?? e?.textContent?.trim() ?? '';
  });

test('keyboard: review, Escape back, approve, outcome; a stale review is reviewed again', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  await addVirtualAuthenticator(page);
  await openSignedOutAt(page, env.host().url);
  await page.getByTestId('create-wallet').click();
  await page.getByTestId('nav-send').click({ timeout: 30000 });
  await page.getByTestId('send-token').waitFor({ timeout: 30000 });
  await page.getByTestId('send-to').fill(BOB);
  await page.getByTestId('send-amount').fill('0.0001');

  // Enter in the form opens the review, whose heading has the focus.
  await page.getByTestId('send-amount').press('Enter');
  await page.getByTestId('review').waitFor({ timeout: 30000 });
  assert.equal(await focused(page), t('op_title_transfer'));
  await page.keyboard.press('Escape');
  await page.getByTestId('send-amount').waitFor();
  assert.equal(await focused(page), 'send-amount', 'Back returns the focus where it was');
  assert.equal(await page.getByTestId('send-to').inputValue(), BOB, 'and keeps the form');

  await page.keyboard.press('Enter');
  await page.getByTestId('review').waitFor({ timeout: 30000 });
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'approve');
  assert.match((await page.locator('#approve-how').textContent()) ?? '', literally(t('provider_webview_name')));
  await page.keyboard.press('Enter');
  await page.getByTestId('op-timeline').waitFor({ timeout: 30000 });
  assert.match(
    await focused(page),
    pattern('op_summary_transfer', {
      amount: byLocale({ en: '0\\.0001', fr: '0,0001' }),
      symbol: '\\w+',
      to: '0xfB69…d359',
    }),
  );
  await page
    .getByTestId('op-result')
    .filter({ hasText: literally(t('op_confirmed')) })
    .waitFor({ timeout: 90000 });
  await page.getByRole('button', { name: t('send_new') }).waitFor();
  assert.equal(await focused(page), t('send_new'), 'the next step has the focus');
  assert.match((await page.getByTestId('op-tx').textContent()) ?? '', /^0x[0-9a-f]{64}$/);
  await page.screenshot({ path: join(shots, '1-confirmed-light.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(shots, '2-confirmed-dark.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.emulateMedia({ colorScheme: 'light' });

  // This window reviews a transfer; another window of the same wallet then prepares its own,
  // which replaces it in the core.
  await page.keyboard.press('Enter');
  await page.getByTestId('send-to').fill(BOB);
  await page.getByTestId('send-amount').fill('0.0002');
  await page.getByTestId('review-send').click();
  await page.getByTestId('review').waitFor({ timeout: 30000 });
  const other = await env.browser().newPage();
  await other.goto(env.host().url);
  await other.getByTestId('nav-send').click({ timeout: 30000 });
  await other.getByTestId('send-to').fill(BOB);
  await other.getByTestId('send-amount').fill('0.0003');
  await other.getByTestId('review-send').click();
  await other.getByTestId('review').waitFor({ timeout: 30000 });
  await other.close();

  await page.getByTestId('approve').click();
  const again = page.getByTestId('review-again');
  await again.waitFor({ timeout: 30000 });
  assert.match(
    (await page.getByTestId('send-error').textContent()) ?? '',
    byLocale({ en: /no longer waiting for approval/, fr: /n’attend plus d’approbation/ }),
  );
  assert.equal(await focused(page), 'review-again');
  assert.equal(await page.getByTestId('approve').count(), 0, 'the stale review cannot be approved');
  await page.screenshot({ path: join(shots, '3-stale-review.png'), fullPage: true });
  await page.keyboard.press('Enter');
  await page.getByTestId('approve').waitFor({ timeout: 30000 });
  assert.match(
    (await page.getByTestId('review-amount').textContent()) ?? '',
    byLocale({ en: /^0\.0002 /, fr: /^0,0002 / }),
  );
  assert.equal(await page.getByTestId('send-error').count(), 0);
  await page.getByTestId('approve').click();
  await page
    .getByTestId('op-result')
    .filter({ hasText: literally(t('op_confirmed')) })
    .waitFor({ timeout: 90000 });
  assert.deepEqual(errors, []);
  await page.close();
});
