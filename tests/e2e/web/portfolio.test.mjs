// The portfolio against the real core and sandbox: totals that add up exactly, hidden zero and
// scam tokens, the chain filter, refresh, the cached snapshot shown before IBEx answers, and the
// "not indexed yet" state with its retries.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  addVirtualAuthenticator,
  collectPageErrors,
  seriousA11yViolations,
  useHostAndBrowser,
} from '../support/browser.mjs';
import { byLocale, literally, pattern, t } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';
import { sandbox } from '../support/sandbox.mjs';

const env = useHostAndBrowser();
const shots = artifactsDir('web/portfolio');
const BASE = 8453;
const SCAM = '0x5c1a1ab5a1e0e2e4b2d1a1c9f0e8d7c6b5a4f3e2';

// Fiat as the locale writes it: `€1,234.56` in English, `1 234,56 €` in French (U+202F between
// digit groups, U+00A0 before the sign).
const MONEY = byLocale({
  en: /^-?[€$]([\d,]+)\.(\d\d)$/,
  fr: /^-?([\d\u202f]+),(\d\d)\u00a0(?:€|\$US)$/,
});
const USD = byLocale({ en: /^\$[\d,]+\.\d\d$/, fr: /^[\d\u202f]+,\d\d\u00a0\$US$/ });
const TOKEN_AMOUNT = byLocale({ en: /^[\d,]+(\.\d+)?$/, fr: /^[\d\u202f]+(,\d+)?$/ });

/** `€1,234.56` or `1 234,56 €` → 123456n (cents). @param {string | null} text */
function cents(text) {
  const m = MONEY.exec((text ?? '').trim());
  assert.ok(m, `not a money amount: ${text}`);
  return BigInt(`${m[1]?.replace(/[,\u202f]/g, '')}${m[2]}`);
}

/** Records when the portfolio first shows as cached and as fresh, in ms since navigation. */
function recordFreshness() {
  /** @type {Record<string, number>} */
  const seen = {};
  const check = () => {
    const source = document.querySelector('[data-testid="portfolio-state"]')?.getAttribute('data-source');
    if (source && !(source in seen)) seen[source] = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
  Object.assign(window, { __freshness: seen });
}

test('portfolio: totals, hidden tokens, chain filter, refresh, cached start and indexing', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  await addVirtualAuthenticator(page);
  await page.addInitScript(recordFreshness);
  await page.goto(env.host().url);
  const sandboxUrl = (await page.getByTestId('base-url').textContent({ timeout: 30000 })) ?? '';
  await page.getByTestId('create-wallet').click();
  const safe = (await page.getByTestId('safe-address').first().textContent({ timeout: 30000 })) ?? '';
  const state = page.getByTestId('portfolio-state');
  await page.locator('[data-testid="portfolio-state"][data-source="fresh"]').waitFor({ timeout: 30000 });
  // The account's WebSocket is open from the first portfolio fetch on.
  await page
    .getByTestId('live-status')
    .filter({ hasText: t('app_live_on') })
    .waitFor({ timeout: 30000 });
  // IBEx registers the Safe on the other chains a moment after sign-up: refresh until all show.
  while ((await page.getByTestId('chain-total').count()) < 3) {
    await page.waitForTimeout(500);
    await page.getByTestId('refresh-portfolio').click();
    await page.getByText(t('pf_refreshing')).waitFor({ state: 'detached' });
  }

  // Each chain's subtotal is the exact sum of its rows' values (summed in Rust, never a float);
  // the total is IBEx's documented grand total, which it rounds once rather than per row.
  const total = cents(await page.getByTestId('total-eur').textContent());
  assert.ok(total > 0n);
  let sumOfChains = 0n;
  for (const chain of await page.getByTestId('chain-total').all()) {
    const id = await chain.getAttribute('data-chain');
    const subtotal = cents(await chain.getByTestId('chain-value-eur').textContent());
    const values = await page
      .locator(`[data-testid="token-row"][data-chain="${id}"] [data-testid="token-value-eur"]`)
      .allTextContents();
    assert.equal(
      values.map(cents).reduce((a, b) => a + b, 0n),
      subtotal,
      `chain ${id}`,
    );
    sumOfChains += subtotal;
  }
  const rowCount = BigInt(await page.getByTestId('token-row').count());
  assert.ok(sumOfChains - total <= rowCount && total - sumOfChains <= rowCount, `${sumOfChains} vs ${total}`);
  assert.match((await page.getByTestId('total-usd').textContent()) ?? '', USD);
  const rows = page.getByTestId('token-row');
  assert.ok((await rows.count()) >= 6, 'every genesis token is listed');
  for (const balance of await page.getByTestId('token-balance').allTextContents()) assert.match(balance, TOKEN_AMOUNT);
  await page.screenshot({ path: join(shots, '1-portfolio-light.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);

  // An airdropped scam token and a zero balance are hidden until asked for.
  await sandbox(sandboxUrl, 'ledger/transfers', {
    safeAddress: safe,
    chainId: BASE,
    tokenAddress: SCAM,
    amount: '1000',
  });
  await page.getByTestId('refresh-portfolio').click();
  await page.getByText(t('pf_show_hidden', { count: 2 })).waitFor({ timeout: 30000 });
  const symbols = async () => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-symbol')));
  assert.ok(!(await symbols()).includes('CLAIM-BASE.XYZ'));
  assert.ok(!(await symbols()).includes('WETH'));
  await page.getByTestId('show-hidden').check();
  assert.ok((await symbols()).includes('CLAIM-BASE.XYZ'));
  assert.ok((await symbols()).includes('WETH'));
  await page.locator('[data-symbol="CLAIM-BASE.XYZ"]').getByText(t('pf_hidden_suspicious')).waitFor();
  await page.locator('[data-symbol="WETH"]').getByText(t('pf_hidden_zero')).waitFor();
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(shots, '2-portfolio-hidden-shown-dark.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByTestId('show-hidden').uncheck();
  assert.ok(!(await symbols()).includes('CLAIM-BASE.XYZ'));

  // The chain filter narrows rows and subtotals to one chain.
  await page.getByTestId('chain-filter').selectOption(String(BASE));
  const chainsShown = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-chain')));
  assert.ok(chainsShown.length > 0 && chainsShown.every((c) => c === String(BASE)), chainsShown.join());
  assert.deepEqual(
    await page.getByTestId('chain-total').evaluateAll((els) => els.map((e) => e.getAttribute('data-chain'))),
    [String(BASE)],
  );
  await page.getByTestId('chain-filter').selectOption('all');

  // Refresh shows its progress (the sandbox is made slow so it can be seen).
  await sandbox(sandboxUrl, 'faults', { latencyMs: 1500 });
  await page.getByTestId('refresh-portfolio').click();
  await page.getByText(t('pf_refreshing')).waitFor();
  await page.getByText(t('pf_refreshing')).waitFor({ state: 'detached', timeout: 30000 });

  // Cached start: on reload the last snapshot is on screen, marked cached, before IBEx answers.
  await sandbox(sandboxUrl, 'faults', { latencyMs: 3000 });
  await page.reload();
  await page.locator('[data-testid="portfolio-state"][data-source="cached"]').waitFor({ timeout: 30000 });
  assert.match((await state.textContent()) ?? '', pattern('pf_cached_updated', { when: '.+' }));
  assert.match((await state.textContent()) ?? '', literally(t('pf_cached')));
  assert.equal(cents(await page.getByTestId('total-eur').textContent()), total);
  await page.screenshot({ path: join(shots, '3-portfolio-cached.png'), fullPage: true });
  await page.locator('[data-testid="portfolio-state"][data-source="fresh"]').waitFor({ timeout: 30000 });
  assert.doesNotMatch((await state.textContent()) ?? '', literally(t('pf_cached')));
  const slow = await page.evaluate(() => /** @type {any} */ (window).__freshness);
  await sandbox(sandboxUrl, 'faults', undefined, 'DELETE');
  await page.reload();
  await page.locator('[data-testid="portfolio-state"][data-source="fresh"]').waitFor({ timeout: 30000 });
  const fast = await page.evaluate(() => /** @type {any} */ (window).__freshness);
  console.log(
    `bench: page load → cached portfolio ${Math.round(fast.cached ?? NaN)} ms, → fresh ${Math.round(fast.fresh)} ms (sandbox on loopback); ` +
      `with 3000 ms API latency: cached ${Math.round(slow.cached)} ms, fresh ${Math.round(slow.fresh)} ms`,
  );
  assert.ok(slow.cached < slow.fresh, 'the cached snapshot came first');

  // Not indexed yet: IBEx answers 404 to the first reads (the client already retried once).
  await sandbox(sandboxUrl, 'faults', { notIndexedReads: 2 });
  await page.getByTestId('refresh-portfolio').click();
  const indexing = page.getByTestId('indexing');
  await indexing.waitFor({ timeout: 30000 });
  assert.match((await indexing.textContent()) ?? '', literally(t('indexing_title')));
  await page.screenshot({ path: join(shots, '4-portfolio-indexing.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  // "Check now" retries at once…
  await page.getByTestId('retry-indexing').click();
  await indexing.waitFor({ state: 'detached', timeout: 30000 });
  await page.locator('[data-testid="portfolio-state"][data-source="fresh"]').waitFor();
  // …and without the user, the page retries by itself after the documented pause.
  await sandbox(sandboxUrl, 'faults', { notIndexedReads: 2 });
  await page.getByTestId('refresh-portfolio').click();
  await indexing.waitFor({ timeout: 30000 });
  await page.getByText(pattern('indexing_again_in', { seconds: '\\d+' })).waitFor();
  await indexing.waitFor({ state: 'detached', timeout: 30000 });
  assert.equal(cents(await page.getByTestId('total-eur').textContent()), total);
  await sandbox(sandboxUrl, 'faults', undefined, 'DELETE');
  assert.deepEqual(errors, []);
  await page.close();
});
