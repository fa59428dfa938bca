// Owners and devices, and the Bitcoin and Solana wallets, through the UI against the real core
// and the sandbox: the Safe's one owner marked as this device; removing it (the last owner)
// refused by the core even after the this-device confirmation; thresholds of 0 and above the
// owners refused; a security key (the test build's software CTAP2 key, PIN in the wallet's
// dialog) added as an owner, reviewed and approved; the threshold raised to 2 with its warning.
// Then the derived Bitcoin and Solana wallets: balances, UTXOs, fees, bad addresses and amounts
// refused with specific messages, a payment planned and reviewed, and the plain statement that
// the wallet cannot sign it.
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
import { byLocale, t } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';

const env = useHostAndBrowser();
const shots = artifactsDir('web/owners');

/** Screenshots `name` in light and dark, each checked for serious accessibility violations.
 * @param {import('playwright-core').Page} page @param {string} name */
async function shoot(page, name) {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), [], `${name} (light)`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(shots, `${name}-dark.png`), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), [], `${name} (dark)`);
  await page.emulateMedia({ colorScheme: 'light' });
}

/** @param {import('playwright-core').Page} page */
async function signedUp(page) {
  await addVirtualAuthenticator(page);
  await openSignedOutAt(page, env.host().url);
  await page.getByTestId('create-wallet').click();
  await page.getByTestId('safe-address').first().waitFor({ timeout: 30000 });
}

/** Submits the open owners form and waits for the core's refusal containing `text`.
 * @param {import('playwright-core').Page} page @param {string} text */
async function refused(page, text) {
  await page.getByTestId('owners-submit').click();
  await page.getByTestId('owners-error').filter({ hasText: text }).waitFor({ timeout: 30000 });
}

/** Approves the review on screen and waits for the outcome, then goes back to the list.
 * @param {import('playwright-core').Page} page */
async function approve(page) {
  await page.getByTestId('owners-approve').click();
  await page
    .getByTestId('owners-op-result')
    .filter({ hasText: t('op_confirmed') })
    .waitFor({ timeout: 90000 });
  await page.getByTestId('owners-done').click();
  await page.getByTestId('owners-list').waitFor({ timeout: 30000 });
}

test('owners: this device marked, the last owner and bad thresholds refused, a security key added, the threshold raised', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  await signedUp(page);
  await page.getByTestId('nav-owners').click();
  await page.getByTestId('owners-chain').selectOption('421614');
  const items = page.getByTestId('owners-item');
  await items.first().waitFor({ timeout: 30000 });
  assert.equal(await items.count(), 1);
  assert.equal(await items.first().getByTestId('owners-this-device').textContent(), t('owners_this_device'));
  assert.equal(
    await page.getByTestId('owners-threshold').textContent(),
    t('owners_threshold_of', { threshold: '1', owners: '1' }),
  );
  await shoot(page, '1-owners');

  // The last owner: the page says why it cannot go and offers no way to submit (the core
  // refuses it too: crates/wallet-core/tests/owners.rs).
  await page.getByTestId('owners-remove').click();
  await page.getByTestId('owners-last').waitFor();
  assert.equal(await page.getByTestId('owners-last').textContent(), t('owners_last_warning'));
  assert.ok(await page.getByTestId('owners-submit').isDisabled(), 'the last owner cannot be removed');
  assert.equal(await page.getByTestId('owners-threshold-input').count(), 0);
  await shoot(page, '2-last-owner-refused');

  // Thresholds of 0 and above the owners.
  await page.getByTestId('owners-change-threshold').click();
  assert.equal(await page.getByTestId('owners-last').count(), 0);
  await page.getByTestId('owners-threshold-input').fill('two');
  await refused(page, t('owners_threshold_not_number'));
  await page.getByTestId('owners-threshold-input').fill('0');
  await refused(page, byLocale({ en: 'at least 1', fr: 'd’au moins 1' }));
  await page.getByTestId('owners-threshold-input').fill('2');
  await refused(page, byLocale({ en: 'A threshold of 2', fr: 'Un seuil de 2' }));

  // A security key as a second owner: the wallet's PIN dialog, then the review.
  await page.getByTestId('owners-add').click();
  await page.getByTestId('owners-label').fill('YubiKey 5C');
  await page.getByTestId('owners-creator').selectOption('securityKey');
  await page.getByTestId('owners-threshold-input').fill('1');
  await page.getByTestId('owners-submit').click();
  await page.getByTestId('key-pin').fill('1234', { timeout: 30000 });
  await page.getByTestId('key-pin-submit').click();
  await page.getByTestId('owners-review-owner').waitFor({ timeout: 30000 });
  assert.equal(await page.getByTestId('owners-review-label').textContent(), 'YubiKey 5C');
  assert.match((await page.getByTestId('owners-review-owner').textContent()) ?? '', /^0x[0-9a-fA-F]{40}$/);
  await shoot(page, '3-add-owner-review');
  await approve(page);
  await items.nth(1).waitFor({ timeout: 30000 });
  assert.equal(await items.count(), 2);
  const added = items.filter({ hasText: 'YubiKey 5C' });
  assert.equal(await added.getByTestId('owners-this-device').count(), 0, 'the key is not this device');
  assert.equal(await page.getByTestId('owners-this-device').count(), 1);

  // Removing this device's own passkey: the page says what happens next and asks first.
  await items
    .filter({ has: page.getByTestId('owners-this-device') })
    .getByTestId('owners-remove')
    .click();
  const warning = page.getByTestId('owners-this-device-warning');
  await warning.waitFor();
  assert.match((await warning.textContent()) ?? '', new RegExp(t('owners_remove_mine_confirm').slice(0, 12)));
  assert.ok(await page.getByTestId('owners-submit').isDisabled(), 'not without the confirmation');
  await page.getByTestId('owners-confirm-device').check();
  assert.ok(await page.getByTestId('owners-submit').isEnabled());
  await shoot(page, '4-remove-this-device');
  await page
    .getByTestId('owners-form')
    .getByRole('button', { name: t('cancel') })
    .click();

  // Threshold 2 of 2: the review warns what it means with IBEx.
  await page.getByTestId('owners-change-threshold').click();
  await page.getByTestId('owners-threshold-input').fill('2');
  await page.getByTestId('owners-submit').click();
  await page.getByTestId('owners-review-warning').waitFor({ timeout: 30000 });
  assert.equal(
    await page
      .getByTestId('owners-review-warning')
      .textContent()
      .then((s) => s?.trim()),
    t('owners_threshold_many_warning', { threshold: '2' }),
  );
  await shoot(page, '5-threshold-review');
  await approve(page);
  assert.equal(
    await page.getByTestId('owners-threshold').textContent(),
    t('owners_threshold_of', { threshold: '2', owners: '2' }),
  );
  await shoot(page, '6-two-owners');
  assert.deepEqual(errors, []);
  await page.close();
});

test('bitcoin and solana: balances, UTXOs and fees; bad input refused; a payment planned, read-only', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  await signedUp(page);
  await page.getByTestId('nav-derived').click();
  const btc = page.getByTestId('btc-address').first();
  await btc.waitFor({ timeout: 30000 });
  assert.match((await btc.locator('code').first().textContent()) ?? '', /^tb1[qp]/);
  assert.ok((await btc.getByTestId('btc-utxo').count()) >= 1, 'the UTXOs are listed');
  await page.getByTestId('sol-address').first().waitFor({ timeout: 30000 });
  await shoot(page, '7-derived');

  const plan = async (/** @type {string} */ to, /** @type {string} */ amount, /** @type {string} */ text) => {
    await page.getByTestId('btc-to').fill(to);
    await page.getByTestId('btc-amount').fill(amount);
    await page.getByTestId('btc-plan').click();
    await page.getByTestId('btc-plan-error').filter({ hasText: text }).waitFor({ timeout: 30000 });
  };
  const to = 'tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7';
  await plan('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', '0.0001', 'mainnet');
  await plan(to.slice(0, -1) + '8', '0.0001', byLocale({ en: 'checksum', fr: 'somme de contrôle' }));
  await plan(to, '0.000000001', byLocale({ en: '8 decimals', fr: '8 décimales' }));
  await plan(to, '1000', byLocale({ en: 'can spend', fr: 'peut dépenser' }));
  await plan(to, '0.000006', byLocale({ en: 'network fee', fr: 'frais de réseau' }));
  await page.getByTestId('btc-amount').fill(byLocale({ en: '0.0001', fr: '0,0001' }));
  await page.getByTestId('btc-plan').click();
  await page.getByTestId('btc-review').waitFor({ timeout: 30000 });
  assert.equal(await page.getByTestId('btc-read-only').textContent(), t('btc_read_only'));

  await page.getByTestId('sol-to').fill('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed');
  await page.getByTestId('sol-amount').fill('0.05');
  await page.getByTestId('sol-plan').click();
  await page.getByTestId('sol-plan-error').filter({ hasText: 'Ethereum' }).waitFor({ timeout: 30000 });
  await page.getByTestId('sol-to').fill('So11111111111111111111111111111111111111112');
  await page.getByTestId('sol-plan').click();
  await page.getByTestId('sol-review').waitFor({ timeout: 30000 });
  assert.equal(await page.getByTestId('sol-read-only').textContent(), t('sol_read_only'));
  await shoot(page, '8-derived-plans');
  assert.deepEqual(errors, []);
  await page.close();
});
