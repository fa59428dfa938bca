// Cross-chain routes through the UI against the real core and the sandbox's route engine, on the
// Swap page's Bridge tab: a pair the engine cannot link is said so, the same chain is sent to
// Swap, a bridge is quoted (what arrives, fee, time, provider, expiry), reviewed in words; IBEx
// failing while it takes the approval is said plainly, nothing is submitted and the retry
// works; then the source leg and the arrival on the other chain, and the result in Activity.
// A quote that expires before the passkey is asked is never signed: the wallet quotes again.
// What arrives is compared with the quote; a bridge that delivers less is flagged, in Activity too.
// A bridge still on its way when the page reloads is on the Bridge card again, followed to its arrival.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWallet, collectPageErrors, seriousA11yViolations, useHostAndBrowser } from '../support/browser.mjs';
import { byLocale, literally, t } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';
import { sandbox } from '../support/sandbox.mjs';

const env = useHostAndBrowser();
const shots = artifactsDir('web/bridge');
const BASE = 8453;
const GNOSIS = 100;
const ARB = 421614;
const USDC_BASE = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913';

/** Light and dark screenshots, each checked for accessibility. @param {import('playwright-core').Page} page @param {string} name */
async function shoot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(shots, `${name}-dark.png`), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.emulateMedia({ colorScheme: 'light' });
}

/** A new wallet holding 50 more USDC on Base, on the Bridge tab, sending them. */
async function walletOnBridge() {
  const page = await env.browser().newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  const errors = collectPageErrors(page);
  const { sandboxUrl, safe } = await createWallet(page, env.host().url);
  await sandbox(sandboxUrl, 'ledger/transfers', {
    safeAddress: safe,
    chainId: BASE,
    tokenAddress: USDC_BASE,
    amount: '50',
  });
  await page.getByTestId('nav-swap').click();
  // The modes are tabs: the arrow key moves to Bridge.
  await page.getByTestId('swap-mode-swap').focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getByTestId('swap-mode-bridge').getAttribute('aria-selected'), 'true');
  const sell = page.getByTestId('route-sell');
  await sell.locator('option', { hasText: /USDC .*Base/ }).waitFor({ state: 'attached', timeout: 30000 });
  const usdc = await sell.locator('option', { hasText: /USDC .*Base/ }).getAttribute('value');
  await sell.selectOption(usdc ?? '');
  return { page, errors, sandboxUrl };
}

/**
 * Chooses the destination chain and token, the amount, and asks.
 * @param {import('playwright-core').Page} page @param {number} chain @param {string} token @param {string} amount
 */
async function ask(page, chain, token, amount) {
  await page.getByTestId('route-to-chain').selectOption(String(chain));
  await page.getByTestId('route-buy').locator('option', { hasText: token }).first().waitFor({ state: 'attached' });
  await page.getByTestId('route-buy').selectOption({ label: token });
  await page.getByTestId('route-amount').fill(amount);
  await page.getByTestId('route-get-quote').click();
}

test('bridge: unsupported pair, same chain, quote, review in words, a failed approval retried, arrival, Activity', async () => {
  const { page, errors, sandboxUrl } = await walletOnBridge();
  // A test network is not bridged to Base: said so, nothing quoted.
  await ask(page, ARB, 'USDC', '10');
  await page
    .getByTestId('route-unsupported')
    .filter({ hasText: t('route_unsupported', { from: 'Base', to: 'Arbitrum Sepolia' }) })
    .waitFor({ timeout: 30000 });
  assert.equal(await page.getByTestId('route-review-button').count(), 0);
  await shoot(page, '1-unsupported');
  // The same chain is a swap: the Swap tab takes over.
  await ask(page, BASE, 'ETH', '10');
  await page.getByTestId('route-same-chain').waitFor({ timeout: 30000 });
  await page.getByTestId('route-open-swap').click();
  assert.equal(await page.getByTestId('swap-mode-swap').getAttribute('aria-selected'), 'true');
  await page.getByTestId('swap-mode-bridge').click();
  await page
    .getByTestId('route-sell')
    .locator('option', { hasText: /USDC .*Base/ })
    .waitFor({ state: 'attached' });
  await page.getByTestId('route-sell').selectOption({ index: 0 });
  const usdc = await page
    .getByTestId('route-sell')
    .locator('option', { hasText: /USDC .*Base/ })
    .getAttribute('value');
  await page.getByTestId('route-sell').selectOption(usdc ?? '');

  // Bad input first, then the bridge's quote.
  await ask(page, GNOSIS, 'EURe', '1.0000001');
  await page.getByTestId('route-amount-error').filter({ hasText: /6/ }).waitFor({ timeout: 30000 });
  await ask(page, GNOSIS, 'EURe', '10');
  const quote = page.getByTestId('route-quote');
  await quote.waitFor({ timeout: 30000 });
  assert.match((await page.getByTestId('route-quote-fee').textContent()) ?? '', /0[.,]03 USDC/);
  assert.match((await page.getByTestId('route-quote-duration').textContent()) ?? '', /20/);
  assert.equal((await page.getByTestId('route-quote-provider').textContent())?.trim(), 'LIFI');
  assert.match((await page.getByTestId('route-quote-expiry').textContent()) ?? '', /[45]:\d\d/);
  // What arrives is shortened for reading (rounded down); the exact value is its title.
  const receive = page.getByTestId('route-quote-receive');
  const shown = ((await receive.textContent()) ?? '').trim();
  const exact = (await receive.getAttribute('data-exact')) ?? '';
  assert.match(exact, /^\d+\.\d+$/);
  const digits = shown.replace(/[^\d]/g, '').replace(/^0+/, '');
  assert.ok(digits.length <= 6, `${shown}: six significant digits at most`);
  // Rounded down: never more than the quote (a comparison for the test only).
  assert.ok(Number(shown.replace(/[^\d,.]/g, '').replace(',', '.')) <= Number(exact), `${shown} vs ${exact}`);
  if (exact.replace(/0+$/, '').length > shown.length)
    assert.ok((await receive.getAttribute('title'))?.includes('EURe'));
  await shoot(page, '2-quote');

  await page.getByTestId('route-review-button').click();
  const words = page.getByTestId('route-review-words');
  await words.waitFor({ timeout: 30000 });
  assert.match(
    (await words.textContent()) ?? '',
    literally(t('route_in_words', { sell: '10 USDC', from: 'Base', to: 'Gnosis', buy: shown, via: 'LIFI' })),
  );
  await shoot(page, '3-review');

  // IBEx fails while it takes the approval: a specific message, nothing submitted, the same
  // review approves on the retry.
  await sandbox(sandboxUrl, 'faults', { failExecutions: 1 });
  await page.getByTestId('route-approve').click();
  await page
    .getByTestId('route-error')
    .filter({
      hasText: byLocale({
        en: 'IBEx failed while taking your approval',
        fr: 'IBEx a échoué en recevant votre approbation',
      }),
    })
    .waitFor({ timeout: 30000 });
  assert.equal(await page.getByTestId('route-op-timeline').count(), 0, 'nothing was submitted');
  await page.screenshot({ path: join(shots, '4-approval-failed.png'), fullPage: true });
  await page.getByTestId('route-approve').click();
  await page.getByTestId('route-op-result').waitFor({ timeout: 90000 });
  await page.getByTestId('route-timeline').waitFor();
  // What is confirmed is the source leg, and the card says only that (the bridge comes next).
  assert.equal(
    (await page.getByTestId('route-op-result').textContent())?.trim(),
    t('op_confirmed_route', { chain: 'Base' }),
  );
  await page.screenshot({ path: join(shots, '5-source-confirmed.png'), fullPage: true });
  // The bridge delivers 20 s after the source leg, on IBEx's clock.
  await sandbox(sandboxUrl, 'clock/advance', { seconds: 25 });
  const result = page.getByTestId('route-result');
  await result.waitFor({ timeout: 60000 });
  // What arrived is read from the destination history and compared with the quote: here, all of it.
  await page.locator('[data-testid="route-result"][data-arrived]').waitFor({ timeout: 30000 });
  assert.equal(await result.getAttribute('data-arrived'), exact);
  assert.equal(await result.getAttribute('data-shortfall'), null);
  assert.equal(await result.getAttribute('role'), 'status');
  await shoot(page, '6-arrived');

  await page.getByTestId('route-see-activity').click();
  await page.getByText(/EURe/).first().waitFor({ timeout: 30000 });
  // Activity lists the bridge with what arrived.
  const flight = page.getByTestId('route-flight').first();
  await flight.waitFor({ timeout: 30000 });
  assert.equal(await flight.getAttribute('data-status'), 'destCompleted');
  await page.screenshot({ path: join(shots, '7-activity.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('bridge: a quote that expires before approval is never signed; the wallet quotes again; a short arrival is flagged', async () => {
  const { page, errors, sandboxUrl } = await walletOnBridge();
  // The bridges quoted from now on deliver 1.5 % less than they quote.
  await sandbox(sandboxUrl, 'faults', { bridgeShortfallBps: 150 });
  await ask(page, GNOSIS, 'xDAI', '5');
  await page.getByTestId('route-quote').waitFor({ timeout: 30000 });
  await page.getByTestId('route-review-button').click();
  await page.getByTestId('route-review-words').waitFor({ timeout: 30000 });
  const firstHash = await page.getByTestId('route-review-hash').textContent();
  await sandbox(sandboxUrl, 'clock/advance', { seconds: 301 });
  await page.getByTestId('route-approve').click();
  await page
    .getByTestId('route-notice')
    .filter({ hasText: t('swap_expired_at_approval') })
    .waitFor({ timeout: 30000 });
  await page.waitForFunction(
    (before) => {
      const hash = document.querySelector('[data-testid="route-review-hash"]')?.textContent;
      return hash && hash !== before;
    },
    firstHash,
    { timeout: 30000 },
  );
  assert.equal(await page.getByTestId('route-op-timeline').count(), 0, 'nothing was submitted');
  await page.screenshot({ path: join(shots, '8-requoted.png'), fullPage: true });
  await page.getByTestId('route-approve').click();
  await page.getByTestId('route-op-result').waitFor({ timeout: 90000 });
  await page.getByTestId('route-timeline').waitFor();
  await sandbox(sandboxUrl, 'clock/advance', { seconds: 25 });
  // Less arrived than quoted: said loudly, with the exact shortfall.
  const short = page.locator('[data-testid="route-result"][data-shortfall]');
  await short.waitFor({ timeout: 60000 });
  assert.equal(await short.getAttribute('role'), 'alert');
  const arrived = (await short.getAttribute('data-arrived')) ?? '';
  const shortfall = (await short.getAttribute('data-shortfall')) ?? '';
  assert.match(arrived, /^\d+(\.\d+)?$/);
  assert.match(shortfall, /^\d+(\.\d+)?$/);
  const said = (await short.textContent()) ?? '';
  for (const words of t('route_arrived_short', { amount: '@', chain: 'Gnosis', shortfall: '@', quoted: '@' }).split(
    '@',
  ))
    assert.ok(said.includes(words.trim()), `${said} lacks "${words}"`);
  await shoot(page, '9-arrived-short');
  await page.getByTestId('route-see-activity').click();
  const flight = page.getByTestId('route-flight').first();
  await flight.waitFor({ timeout: 30000 });
  await flight.locator('.warn').waitFor({ timeout: 30000 });
  await page.screenshot({ path: join(shots, '10-activity-short.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('bridge: after a reload the card shows the bridge still on its way, then its arrival; a new one can start meanwhile', async () => {
  const { page, errors, sandboxUrl } = await walletOnBridge();
  // The bridge delivers what it quotes (the test before made it short).
  await sandbox(sandboxUrl, 'faults', undefined, 'DELETE');
  await ask(page, GNOSIS, 'EURe', '10');
  await page.getByTestId('route-quote').waitFor({ timeout: 30000 });
  const exact = (await page.getByTestId('route-quote-receive').getAttribute('data-exact')) ?? '';
  await page.getByTestId('route-review-button').click();
  await page.getByTestId('route-review-words').waitFor({ timeout: 30000 });
  await page.getByTestId('route-approve').click();
  await page.getByTestId('route-op-result').waitFor({ timeout: 90000 });
  await page.getByTestId('route-timeline').waitFor();

  // The bridge delivers 20 s after its source leg on IBEx's clock, which is held: it is still
  // on its way when the page comes back.
  await page.reload();
  await page.getByTestId('nav-swap').click({ timeout: 30000 });
  await page.getByTestId('swap-mode-bridge').click();
  const resumed = page.getByTestId('route-resumed-route');
  await resumed.waitFor({ timeout: 30000 });
  assert.equal(await resumed.count(), 1);
  assert.notEqual(await resumed.getAttribute('data-status'), 'destCompleted');
  assert.match(
    (await resumed.locator('h4').textContent()) ?? '',
    literally(t('route_flight_legend', { sell: '10 USDC', from: 'Base', to: 'Gnosis' })),
  );
  const timeline = page.getByTestId('route-resumed-timeline');
  assert.equal(await timeline.locator('li.done').count(), 1, 'the source leg is done');
  assert.equal(await timeline.locator('li.current').count(), 1, 'the bridge is delivering');
  await resumed.getByText(t('route_now_bridge', { chain: 'Gnosis' })).waitFor();
  assert.equal(await page.getByTestId('route-result').count(), 0);
  // The form is there for another bridge meanwhile.
  await page.getByTestId('route-get-quote').waitFor();
  await page.getByText(t('route_resumed_hint')).waitFor();
  await shoot(page, '11-resumed-in-flight');

  await sandbox(sandboxUrl, 'clock/advance', { seconds: 25 });
  const result = page.locator('[data-testid="route-resumed-result"][data-arrived]');
  await result.waitFor({ timeout: 60000 });
  assert.equal(await result.getAttribute('data-arrived'), exact);
  assert.equal(await result.getAttribute('data-shortfall'), null);
  assert.equal(await result.getAttribute('role'), 'status');
  assert.equal(await resumed.getAttribute('data-status'), 'destCompleted');
  assert.equal(await timeline.locator('li.done').count(), 3);
  assert.equal(await page.getByText(t('route_resumed_hint')).count(), 0, 'nothing left on its way');
  await shoot(page, '12-resumed-arrived');

  // By keyboard to Activity, where the bridge is listed as arrived.
  await page.getByTestId('route-resumed-activity').focus();
  await page.keyboard.press('Enter');
  const flight = page.getByTestId('route-flight').first();
  await flight.waitFor({ timeout: 30000 });
  assert.equal(await flight.getAttribute('data-status'), 'destCompleted');
  assert.deepEqual(errors, []);
  await page.close();
});
