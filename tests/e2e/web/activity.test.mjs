// Activity against the real core and sandbox: per-chain paging, scope switching, a transfer in
// flight shown live, and the CSV export compared with what the sandbox's ledger holds.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createWallet, collectPageErrors, seriousA11yViolations, useHostAndBrowser } from '../support/browser.mjs';
import { byLocale, pattern, t } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';
import { sandbox } from '../support/sandbox.mjs';

const downloads = mkdtempSync(join(tmpdir(), 'ibex-downloads-'));
after(() => rmSync(downloads, { recursive: true, force: true }));
const env = useHostAndBrowser({ env: { IBEX_DOWNLOAD_DIR: downloads } });
const shots = artifactsDir('web/activity');
const BASE = 8453;
const BASE_USDC = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913';
const GNOSIS_EURE = '0x420CA0f9B9b604cE0fd9C18EF134C705e5Fa3430';
const PEER = '0x52908400098527886E0F7030069857D2E4169EE7';
const DECIMALS = /** @type {Record<string, number>} */ ({ USDC: 6 });

/** Base units → exact decimal text, trailing zeros trimmed. @param {string} raw @param {number} decimals */
function units(raw, decimals) {
  const digits = raw.padStart(decimals + 1, '0');
  const frac = digits.slice(digits.length - decimals).replace(/0+$/, '');
  const int = digits.slice(0, digits.length - decimals);
  return frac ? `${int}.${frac}` : int;
}

/** Loads every page of every chain shown. @param {import('playwright-core').Page} page */
async function loadAll(page) {
  for (;;) {
    const more = page.locator('[data-testid^="load-more-"]').first();
    if (!(await more.count())) return;
    await more.click();
    await page.locator('[data-testid^="load-more-"]:disabled').waitFor({ state: 'detached' });
  }
}

test('activity: paging per chain, scopes, a transfer in flight, and an exact CSV export', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  const { sandboxUrl, safe } = await createWallet(page, env.host().url);
  // Give Base more history than one page, and an outgoing amount no float can hold.
  await sandbox(sandboxUrl, 'ledger/transfers', {
    safeAddress: safe,
    chainId: BASE,
    tokenAddress: BASE_USDC,
    amount: '1.000001',
    count: 30,
    counterparty: PEER,
  });
  await sandbox(sandboxUrl, 'ledger/transfers', {
    safeAddress: safe,
    chainId: 100,
    tokenAddress: GNOSIS_EURE,
    amount: '0.000000000000000001',
    direction: 'OUT',
    counterparty: PEER,
  });
  /** @type {{ transfers: Record<string, string>[] }} */
  const ledger = await sandbox(sandboxUrl, `ledger/${safe}`);
  const onBase = ledger.transfers.filter((t) => t.blockchainId === String(BASE)).length;
  assert.ok(onBase > 30, `${onBase} transfers on Base`);

  await page.getByTestId('nav-activity').click();
  const base = page.locator(`[data-testid="chain-history"][data-chain="${BASE}"]`);
  await base.waitFor({ timeout: 30000 });
  assert.equal(
    await base.getByTestId('chain-count').textContent(),
    t('act_count', { shown: '20', total: String(onBase) }),
  );
  assert.equal(await base.getByTestId('activity-row').count(), 20);
  await page.getByTestId('fiat-history').getByText(t('act_no_bank_transfers')).waitFor();
  await page.screenshot({ path: join(shots, '1-activity-light.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);

  // Scopes: bank only, crypto only, then both again.
  await page.getByTestId('scope-fiat').click();
  await page.getByTestId('fiat-history').waitFor();
  await base.waitFor({ state: 'detached' });
  await page.getByTestId('scope-crypto').click();
  await base.waitFor();
  assert.equal(await page.getByTestId('fiat-history').count(), 0);
  assert.equal(await page.getByTestId('scope-crypto').getAttribute('aria-pressed'), 'true');
  await page.getByTestId('scope-mixed').click();
  await page.getByTestId('fiat-history').waitFor();

  // "Load more" pages one chain at a time, as the API paginates.
  const gnosisBefore = await page
    .locator('[data-testid="chain-history"][data-chain="100"] [data-testid="activity-row"]')
    .count();
  await page.getByTestId(`load-more-${BASE}`).click();
  await base
    .getByTestId('chain-count')
    .getByText(t('act_count', { shown: String(Math.min(40, onBase)), total: String(onBase) }))
    .waitFor();
  assert.equal(
    await page.locator('[data-testid="chain-history"][data-chain="100"] [data-testid="activity-row"]').count(),
    gnosisBefore,
  );
  await loadAll(page);
  assert.equal(
    await base.getByTestId('chain-count').textContent(),
    t('act_count', { shown: String(onBase), total: String(onBase) }),
  );
  const outgoing = page.locator('[data-testid="chain-history"][data-chain="100"] [data-testid="activity-amount"]', {
    hasText: byLocale({ en: '0.000000000000000001 EURe', fr: '0,000000000000000001 EURe' }),
  });
  await outgoing.waitFor();
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(shots, '2-activity-all-pages-dark.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.emulateMedia({ colorScheme: 'light' });

  // The CSV holds exactly the sandbox's ledger, newest first.
  await page.getByTestId('export-csv').click();
  const saved = (await page.getByTestId('export-result').textContent({ timeout: 30000 })) ?? '';
  const match = pattern('act_exported', { count: '(\\d+)', path: '(.+ibex-activity-\\d{4}-\\d{2}-\\d{2}\\.csv)' }).exec(
    saved,
  );
  assert.ok(match, saved);
  const csv = readFileSync(match[2] ?? '', 'utf8');
  const lines = csv.split('\r\n');
  assert.equal(lines[0], 'date,type,chain_id,direction,asset,amount,counterparty,value_eur,value_usd,tx_hash');
  assert.equal(lines.at(-1), '', 'every line ends with CRLF');
  const body = lines.slice(1, -1);
  assert.equal(body.length, ledger.transfers.length);
  assert.equal(Number(match[1]), ledger.transfers.length);
  const expected = ledger.transfers.map((t) => {
    const direction = t.direction === 'IN' ? 'in' : 'out';
    const counterparty = direction === 'in' ? t.from : t.to;
    const amount = units(t.value ?? '', DECIMALS[t.tokenSymbol ?? ''] ?? 18);
    return [
      t.timestamp,
      'crypto',
      t.blockchainId,
      direction,
      t.tokenSymbol,
      amount,
      counterparty,
      t.value_eur,
      t.value_usd,
      t.transactionHash,
    ].join(',');
  });
  assert.deepEqual([...body].sort(), [...expected].sort());
  const dates = body.map((l) => l.split(',')[0] ?? '');
  assert.deepEqual(dates, [...dates].sort().reverse(), 'newest first');
  assert.ok(body.some((l) => l.includes(`,out,EURe,0.000000000000000001,${PEER},`)));

  // A transfer in flight is listed on top with its live status, then lands in the history.
  await page.getByTestId('nav-send').click();
  await page.getByTestId('send-token').waitFor({ timeout: 30000 });
  await page.getByTestId('send-to').fill(PEER);
  await page.getByTestId('send-amount').fill(byLocale({ en: '0.0001', fr: '0,0001' }));
  await page.getByTestId('review-send').click();
  await page.getByTestId('approve').click();
  await page.getByTestId('op-timeline').waitFor({ timeout: 30000 });
  await page.getByTestId('nav-activity').click();
  const pending = page.getByTestId('pending-ops');
  await pending.waitFor({ timeout: 10000 });
  assert.match(
    (await pending.textContent()) ?? '',
    new RegExp(
      `(${t('op_status_signed')}|${t('op_status_executed')}|${t('op_status_pending')}) ${t('act_transfer')} ${t('act_pending_amount', { amount: byLocale({ en: '0\\.0001', fr: '0,0001' }) })}`,
    ),
  );
  await page.screenshot({ path: join(shots, '3-activity-pending.png'), fullPage: true });
  await pending.waitFor({ state: 'detached', timeout: 60000 });
  await page
    .getByTestId('activity-amount')
    .filter({ hasText: byLocale({ en: /^0\.0001 /, fr: /^0,0001 / }) })
    .first()
    .waitFor({ timeout: 30000 });
  assert.deepEqual(errors, []);
  await page.close();
});
