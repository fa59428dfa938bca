// Swaps through the UI against the real core and the sandbox: CoW Swap and 1inch quoted side by
// side (rate, minimum received, fee, price impact, expiry), a review in words, approval, live
// status and the result in Activity; then a quote that expires before the passkey is asked is
// never signed — the wallet quotes again and shows the new review — and one aggregator alone.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWallet, collectPageErrors, seriousA11yViolations, useHostAndBrowser } from '../support/browser.mjs';
import { literally, t } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';
import { sandbox } from '../support/sandbox.mjs';

const env = useHostAndBrowser();
const shots = artifactsDir('web/swap');
const ARB = 421614;
const EURE_ARB = '0x0c0a4f4c0d1fd81a0f4e8b1f3c8c0e4d2b1a9e71';

/** A new wallet holding 100 more EURe on Arbitrum Sepolia, on the Swap page, selling them for ETH. */
async function walletOnSwap() {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  const { sandboxUrl, safe } = await createWallet(page, env.host().url);
  await sandbox(sandboxUrl, 'ledger/transfers', {
    safeAddress: safe,
    chainId: ARB,
    tokenAddress: EURE_ARB,
    amount: '100',
  });
  await page.getByTestId('nav-swap').click();
  const sell = page.getByTestId('swap-sell');
  await sell.locator('option', { hasText: 'EURe' }).first().waitFor({ state: 'attached', timeout: 30000 });
  const eure = await sell.locator('option', { hasText: /EURe .*Arbitrum Sepolia/ }).getAttribute('value');
  await sell.selectOption(eure ?? '');
  await page.getByTestId('swap-buy').locator('option', { hasText: /^ETH$/ }).waitFor({ state: 'attached' });
  await page.getByTestId('swap-buy').selectOption({ label: 'ETH' });
  return { page, errors, sandboxUrl };
}

test('swap: both aggregators side by side, review in words, approve, confirmed, in Activity', async () => {
  const { page, errors } = await walletOnSwap();
  // Bad input first: more decimals than EURe has, then more than held.
  await page.getByTestId('swap-amount').fill('1.0000000000000000001');
  await page.getByTestId('swap-get-quotes').click();
  await page.getByTestId('swap-amount-error').filter({ hasText: /18/ }).waitFor({ timeout: 30000 });
  // The problem is the field's: tied to it, announced, and the focus is back in it.
  const field = page.getByTestId('swap-amount');
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.equal(
    await page.locator(`#${await field.getAttribute('aria-describedby')} [data-testid="swap-amount-error"]`).count(),
    1,
  );
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'swap-amount');
  await page.getByTestId('swap-amount').fill('100000');
  await page.getByTestId('swap-get-quotes').click();
  await page
    .getByTestId('swap-amount-error')
    .filter({ hasText: /100000|100 000|EURe/ })
    .waitFor();

  await page.getByTestId('swap-amount').fill('100');
  await page.getByTestId('swap-get-quotes').click();
  const cow = page.getByTestId('swap-quote-cowSwap');
  const oneInch = page.getByTestId('swap-quote-oneInch');
  await cow.waitFor({ timeout: 30000 });
  await oneInch.waitFor();
  // CoW's 0.5 % fee beats 1inch's 0.6 % spread: CoW is the best quote, and states its fee.
  await cow.getByTestId('swap-best').waitFor();
  assert.equal(await oneInch.getByTestId('swap-best').count(), 0);
  assert.match((await cow.getByTestId('swap-quote-fee').textContent()) ?? '', /0[.,]5 EURe/);
  assert.equal((await oneInch.getByTestId('swap-quote-fee').textContent())?.trim(), t('swap_fee_none'));
  assert.match((await cow.getByTestId('swap-quote-impact').textContent()) ?? '', /%/);
  // The expiry counts down from about five minutes.
  const first = (await cow.getByTestId('swap-quote-expiry').textContent()) ?? '';
  assert.match(first, /[45]:\d\d/);
  await page.waitForTimeout(2100);
  assert.notEqual(await cow.getByTestId('swap-quote-expiry').textContent(), first);
  await page.screenshot({ path: join(shots, '1-quotes.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(shots, '1-quotes-dark.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.emulateMedia({ colorScheme: 'light' });

  // Keyboard: the quotes are one radio group; choose CoW with the keyboard and review.
  await cow.locator('input[type=radio]').focus();
  await page.keyboard.press('Space');
  const minimum = ((await cow.getByTestId('swap-quote-minimum').textContent()) ?? '').trim();
  await page.getByTestId('swap-review-button').click();
  const words = page.getByTestId('swap-review-words');
  await words.waitFor({ timeout: 30000 });
  assert.match(
    (await words.textContent()) ?? '',
    literally(t('swap_in_words', { sell: '100 EURe', minimum, via: 'CoW Swap' })),
  );
  assert.equal(((await page.getByTestId('swap-review-minimum').textContent()) ?? '').trim(), minimum);
  await page.screenshot({ path: join(shots, '2-review.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(shots, '2-review-dark.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });

  await page.getByTestId('swap-approve').click();
  await page.getByTestId('swap-op-timeline').waitFor({ timeout: 30000 });
  await page.getByTestId('swap-op-result').waitFor({ timeout: 90000 });
  await page.screenshot({ path: join(shots, '3-confirmed.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);

  // The result is in Activity: the EURe that left.
  await page.getByTestId('swap-see-activity').click();
  await page
    .getByText(/100 EURe|-100|−100/)
    .first()
    .waitFor({ timeout: 30000 });
  await page.screenshot({ path: join(shots, '4-activity.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('swap: a quote that expires before approval is never signed; the wallet quotes again', async () => {
  const { page, errors, sandboxUrl } = await walletOnSwap();
  await page.getByTestId('swap-from-1inch').check();
  await page.getByTestId('swap-slippage-custom').check();
  await page.getByTestId('swap-slippage-input').fill('75');
  await page.getByTestId('swap-amount').fill('10');
  await page.getByTestId('swap-get-quotes').click();
  await page
    .getByTestId('swap-error')
    .filter({ hasText: /slippage|glissement/i })
    .waitFor({ timeout: 30000 });
  await page.getByTestId('swap-slippage-input').fill('1');
  await page.getByTestId('swap-get-quotes').click();
  const only = page.getByTestId('swap-quote-oneInch');
  await only.waitFor({ timeout: 30000 });
  assert.equal(await page.getByTestId('swap-quote-cowSwap').count(), 0, 'only 1inch was asked');
  await page.getByTestId('swap-review-button').click();
  await page.getByTestId('swap-review-words').waitFor({ timeout: 30000 });
  const firstHash = await page.getByTestId('swap-review-hash').textContent();

  // IBEx's clock passes the quote's five minutes while the review is open.
  await sandbox(sandboxUrl, 'clock/advance', { seconds: 301 });
  await page.getByTestId('swap-approve').click();
  const notice = page.getByTestId('swap-notice');
  await notice.filter({ hasText: t('swap_expired_at_approval') }).waitFor({ timeout: 30000 });
  // A new review of a fresh quote: another operation hash, nothing signed before.
  await page.waitForFunction(
    (before) => {
      const hash = document.querySelector('[data-testid="swap-review-hash"]')?.textContent;
      return hash && hash !== before;
    },
    firstHash,
    { timeout: 30000 },
  );
  assert.equal(await page.getByTestId('swap-op-timeline').count(), 0, 'nothing was submitted');
  await page.screenshot({ path: join(shots, '5-requoted.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.getByTestId('swap-approve').click();
  await page.getByTestId('swap-op-result').waitFor({ timeout: 90000 });
  assert.deepEqual(errors, []);
  await page.close();
});
