// Earn and positions through the UI against the real core and the sandbox: each vault kind
// (Aave, Morpho, Hyperliquid) listed with its figures, a deposit reviewed, approved and seen as
// a position, a withdrawal; amounts above what is held or deposited refused; a paused vault
// closed to deposits; the Positions page and the Portfolio section with what IBEx's total
// counts.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWallet, collectPageErrors, seriousA11yViolations, useHostAndBrowser } from '../support/browser.mjs';
import { t } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';
import { sandbox } from '../support/sandbox.mjs';

const env = useHostAndBrowser();
const shots = artifactsDir('web/earn');
const ARB = 421614;
const BASE = 8453;
/** @type {Record<number, string>} */
const USDC = {
  [ARB]: '0x75faf114eafb1BDbe2F0316DF893fd58CE46AA4d',
  [BASE]: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
};

/**
 * Deposits (or withdraws) `amount` in the vault row named `name` through the review and the
 * passkey, and waits for the outcome.
 * @param {import('playwright-core').Page} page @param {string} name @param {string} amount @param {'deposit' | 'withdraw'} how
 */
async function act(page, name, amount, how) {
  const row = page.getByTestId('earn-vault').filter({ hasText: name });
  await row.getByTestId(`earn-${how}`).click();
  await page.getByTestId('earn-amount').fill(amount);
  await page.getByTestId('earn-review').click();
  await page.getByTestId('vault-review-amount').waitFor({ timeout: 30000 });
  await page.getByTestId('earn-approve').click();
  await page.getByTestId('earn-op-result').waitFor({ timeout: 90000 });
  await page.getByRole('button', { name: t('earn_done') }).click();
  return row;
}

test('earn: Aave, Morpho and Hyperliquid deposits become positions; withdrawals; bad amounts refused', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  const { sandboxUrl, safe } = await createWallet(page, env.host().url);
  for (const chainId of [ARB, BASE]) {
    await sandbox(sandboxUrl, 'ledger/transfers', {
      safeAddress: safe,
      chainId,
      tokenAddress: USDC[chainId],
      amount: '1000',
    });
  }
  await page.getByTestId('nav-earn').click();
  await page.getByTestId('earn-vaults').waitFor({ timeout: 30000 });
  const aave = page.getByTestId('earn-vault').filter({ hasText: 'Aave USDC' }).filter({ hasText: 'Arbitrum Sepolia' });
  assert.match((await aave.getByTestId('earn-apy').textContent()) ?? '', /3[.,]10/);
  await page.screenshot({ path: join(shots, '1-vaults.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);

  // More than held, then too many decimals: refused next to the field, before anything is asked of IBEx.
  await aave.getByTestId('earn-deposit').click();
  await page.getByTestId('earn-amount').fill('5000');
  await page.getByTestId('earn-review').click();
  await page.getByTestId('earn-amount-error').filter({ hasText: /USDC/ }).waitFor({ timeout: 30000 });
  await page.getByTestId('earn-amount').fill('1.0000001');
  await page.getByTestId('earn-review').click();
  await page.getByTestId('earn-amount-error').filter({ hasText: /6/ }).waitFor();
  await page.getByTestId('earn-amount').fill('100');
  await page.getByTestId('earn-review').click();
  await page.getByTestId('vault-review-amount').waitFor({ timeout: 30000 });
  await page.screenshot({ path: join(shots, '2-deposit-review.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(shots, '2-deposit-review-dark.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByTestId('earn-approve').click();
  await page.getByTestId('earn-op-result').waitFor({ timeout: 90000 });
  await page.getByRole('button', { name: t('earn_done') }).click();
  await aave
    .getByTestId('earn-position')
    .filter({ hasText: /^\s*(99[.,]9999|100\b)/ })
    .waitFor({ timeout: 30000 });

  // Withdraw more than deposited: refused; then 40.
  await aave.getByTestId('earn-withdraw').click();
  await page.getByTestId('earn-amount').fill('200');
  await page.getByTestId('earn-review').click();
  await page.getByTestId('earn-amount-error').waitFor({ timeout: 30000 });
  await page.getByRole('button', { name: t('cancel') }).click();
  await act(page, 'Aave USDC', '40', 'withdraw');
  await aave
    .getByTestId('earn-position')
    .filter({ hasText: /^\s*(59[.,]9999|60\b)/ })
    .waitFor({ timeout: 30000 });

  await page.getByTestId('earn-tab-morpho').click();
  await act(page, 'Steakhouse USDC', '5', 'deposit');
  await page.getByTestId('earn-tab-hyperliquid').click();
  await act(page, 'Hyperliquidity Provider', '50', 'deposit');
  await act(page, 'Hyperliquidity Provider', '20', 'withdraw');

  // A paused vault takes no deposits.
  await page.getByTestId('earn-tab-morpho').click();
  const morpho = page.getByTestId('earn-vault').filter({ hasText: 'Steakhouse USDC' });
  await sandbox(sandboxUrl, 'vaults', { vaultAddress: '0xBEEF01735c132Ada46AA9aA4c54623cAA92A64CB', paused: true });
  await page.getByTestId('nav-portfolio').click();
  await page.getByTestId('nav-earn').click();
  await page.getByTestId('earn-tab-morpho').click();
  await morpho.getByText(t('earn_paused')).waitFor({ timeout: 30000 });
  assert.equal(await morpho.getByTestId('earn-deposit').isDisabled(), true);

  // Positions: one row per kind, Aave counted in IBEx's total, the others beside it.
  await page.getByTestId('nav-positions').click();
  await page.getByTestId('positions-table').waitFor({ timeout: 30000 });
  const rows = page.getByTestId('position');
  for (const provider of ['aave', 'morpho', 'hyperliquid']) {
    await rows
      .and(page.locator(`[data-provider="${provider}"]`))
      .first()
      .waitFor();
  }
  assert.equal(
    await rows.and(page.locator('[data-provider="aave"]')).getByTestId('position-in-totals').textContent(),
    t('positions_counted'),
  );
  await page.screenshot({ path: join(shots, '3-positions.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(shots, '3-positions-dark.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.emulateMedia({ colorScheme: 'light' });

  // The Portfolio shows the same positions as a section.
  await page.getByTestId('nav-portfolio').click();
  await page.getByTestId('positions').getByTestId('position').first().waitFor({ timeout: 30000 });
  await page.screenshot({ path: join(shots, '4-portfolio.png'), fullPage: true });

  // Withdraw all ("Max"): the core takes the position's exact worth; the review says the
  // interest earned until execution stays in the vault (IBEx has no "withdraw all" for Aave).
  await page.getByTestId('nav-earn').click();
  await aave.getByTestId('earn-withdraw').click();
  await page.getByTestId('earn-max').click();
  await page.getByTestId('earn-max-note').waitFor();
  assert.match(await page.getByTestId('earn-amount').inputValue(), /^(59[.,]9999|60[.,]0)\d*$/);
  await page.getByTestId('earn-review').click();
  await page
    .getByTestId('vault-review-remainder')
    .filter({ hasText: t('vault_remainder_stays') })
    .waitFor({ timeout: 30000 });
  await page.screenshot({ path: join(shots, '5-withdraw-all-review.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.getByTestId('earn-approve').click();
  await page.getByTestId('earn-op-result').waitFor({ timeout: 90000 });
  await page.getByRole('button', { name: t('earn_done') }).click();
  // What is left is the interest of the seconds between review and execution, or nothing.
  await aave
    .getByTestId('earn-position')
    .filter({ hasText: /^\s*(—|0[.,]0)/ })
    .waitFor({ timeout: 30000 });
  assert.deepEqual(errors, []);
  await page.close();
});
