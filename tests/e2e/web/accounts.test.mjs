// Several Safes and several accounts through the UI against the real core and sandbox: add a
// Safe with the passkey, name it, see the portfolio per Safe and in total, pick it in Send (the
// review names it); add a second account, switch between them, sign out of one (the other stays).
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
import { LOCALE, t } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';

const env = useHostAndBrowser();
const shots = artifactsDir('web/accounts');
const BOB = '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359';

/** @param {import('playwright-core').Page} page @param {string} name */
async function shoot(page, name) {
  await page.screenshot({ path: join(shots, `${name}-${LOCALE}-light.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(shots, `${name}-${LOCALE}-dark.png`), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), [], `${name} (dark)`);
  await page.emulateMedia({ colorScheme: 'light' });
  assert.deepEqual(await seriousA11yViolations(page), [], `${name} (light)`);
}

test('Safes: add one, portfolio per Safe, pick it in Send; accounts: add, switch, sign out of one', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  await addVirtualAuthenticator(page);
  await openSignedOutAt(page, env.host().url);
  await page.getByTestId('create-wallet').click();
  const primary = (await page.getByTestId('safe-address').first().textContent({ timeout: 30000 })) ?? '';
  assert.match(primary, /^0x[0-9a-fA-F]{40}$/);
  // One Safe: the picker shows it, and there is nothing to switch to yet.
  assert.equal(await page.getByTestId('safe-picked').textContent(), primary);
  assert.equal(await page.getByTestId('safe-select').isDisabled(), true);

  // Add a Safe: a name longer than allowed is refused by the core, with nothing created.
  await page.getByTestId('safe-add').click();
  await page.getByTestId('add-safe-name').evaluate((el) => el.removeAttribute('maxlength'));
  await page.getByTestId('add-safe-name').fill('x'.repeat(41));
  await page.getByTestId('add-safe-submit').click();
  await page.getByTestId('add-safe-error').waitFor({ timeout: 30000 });
  assert.equal(await page.getByTestId('safe-select').locator('option').count(), 1);
  await page.getByTestId('add-safe-name').fill('Savings');
  await page.getByTestId('add-safe-submit').click();
  await page
    .getByTestId('safe-added')
    .filter({ hasText: t('safes_added', { name: 'Savings' }) })
    .waitFor({ timeout: 60000 });
  const added = (await page.getByTestId('safe-picked').textContent()) ?? '';
  assert.match(added, /^0x[0-9a-fA-F]{40}$/);
  assert.notEqual(added.toLowerCase(), primary.toLowerCase());
  assert.equal(await page.getByTestId('safe-select').locator('option').count(), 2);

  // The portfolio per Safe and in total: both Safes listed, each with its exact value.
  await page.locator('[data-testid="portfolio-state"][data-source="fresh"]').waitFor({ timeout: 30000 });
  const totals = page.getByTestId('safe-total');
  while ((await totals.count()) < 2) {
    await page.waitForTimeout(500);
    await page.getByTestId('refresh-portfolio').click();
  }
  assert.match((await totals.filter({ hasText: 'Savings' }).textContent()) ?? '', /Savings/);
  // The holdings filter shows one Safe's rows only.
  await page.getByTestId('safe-filter').selectOption(added);
  assert.ok((await page.getByTestId('token-row').count()) > 0, 'the new Safe holds its seeded tokens');
  await shoot(page, '1-portfolio-per-safe');

  // Rename the Safe in place.
  await page.getByTestId('safe-rename').click();
  await page.getByTestId('safe-name').fill('Savings 2026');
  await page.getByTestId('safe-name-save').click();
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="safe-select"] option:checked')?.textContent?.includes('Savings 2026'),
  );

  // Send acts for the picked Safe, and the review names it.
  await page.getByTestId('nav-send').click();
  await page.getByTestId('send-token').waitFor({ timeout: 30000 });
  assert.equal(await page.getByTestId('safe-picked').textContent(), added);
  await page.getByTestId('send-to').fill(BOB);
  await page.getByTestId('send-amount').fill('0.0001');
  await page.getByTestId('review-send').click();
  await page.getByTestId('review-safe').filter({ hasText: 'Savings 2026' }).waitFor({ timeout: 30000 });
  await shoot(page, '2-send-review-names-the-safe');
  await page.getByTestId('approve').click();
  await page.getByTestId('op-result').waitFor({ timeout: 90000 });

  // Back to the primary Safe: Send's form reloads for it.
  await page.getByTestId('safe-select').selectOption(primary);
  await page.getByTestId('safe-picked').filter({ hasText: primary }).waitFor();

  // A second account, signed in beside the first.
  await page.getByTestId('account-switcher').click();
  await page.getByTestId('account-rename').click();
  await page.getByTestId('account-name').fill('Personal');
  await page.getByTestId('account-name-save').click();
  await page.getByTestId('account-switcher').filter({ hasText: 'Personal' }).waitFor();
  await page.getByTestId('account-add').click();
  await page.getByTestId('create-wallet').click();
  // Signed in as the new account, on the page that was open: its portfolio shows its Safe.
  await page.getByTestId('nav-portfolio').click({ timeout: 60000 });
  await page.getByTestId('safe-address').first().waitFor({ timeout: 60000 });
  const second = (await page.getByTestId('safe-address').first().textContent()) ?? '';
  assert.notEqual(second, primary);
  await page.getByTestId('account-switcher').click();
  const entries = page.getByTestId('account-entry');
  assert.equal(await entries.count(), 2);
  assert.equal(await page.locator('[data-testid="account-entry"][data-current="true"]').count(), 1);
  await shoot(page, '3-account-switcher');

  // Switch to "Personal": its Safes come back, with their names.
  await page.locator('[data-testid="account-entry"][data-current="false"] [data-testid="account-switch"]').click();
  await page.getByTestId('account-switcher').filter({ hasText: 'Personal' }).waitFor();
  await page.getByTestId('safe-picked').filter({ hasText: primary }).waitFor({ timeout: 30000 });
  assert.equal(await page.getByTestId('safe-select').locator('option').count(), 2);

  // Sign out of the other account from the menu: "Personal" stays signed in.
  await page.getByTestId('account-switcher').click();
  await page.locator('[data-testid="account-entry"][data-current="false"] [data-testid="account-sign-out"]').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="account-entry"]').length === 1);
  await page.getByTestId('account-switcher').filter({ hasText: 'Personal' }).waitFor();
  assert.equal(await page.getByTestId('safe-picked').textContent(), primary);
  await shoot(page, '4-after-signing-out-of-one');
  assert.deepEqual(errors, []);
  await page.close();
});
