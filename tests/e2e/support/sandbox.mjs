// The sandbox's control API (`/__sandbox/...`: ledger transfers, faults, the clock, the mailbox,
// counters), as every journey calls it, and a sandbox of a journey's own as a custom network.
import assert from 'node:assert/strict';
import { literally, t } from './i18n.mjs';
import { binary } from './paths.mjs';
import { freePort, startProcess } from './process.mjs';

/**
 * Calls `/__sandbox/<path>`: POSTs `body` as JSON when there is one, else a GET (or `method`).
 * Fails the test when the sandbox refuses; returns its JSON answer (null when it sent none).
 * @param {string} sandboxUrl @param {string} path @param {unknown} [body] @param {'GET' | 'POST' | 'DELETE'} [method]
 * @returns {Promise<any>}
 */
export async function sandbox(sandboxUrl, path, body, method = body === undefined ? 'GET' : 'POST') {
  const r = await fetch(
    `${sandboxUrl.replace(/\/$/, '')}/__sandbox/${path}`,
    body === undefined
      ? { method }
      : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  const text = await r.text();
  assert.ok(r.ok, `${path}: ${r.status} ${text}`);
  return text === '' ? null : JSON.parse(text);
}

/** A separate sandbox binary with its own flags, used as a custom IBEx server. @param {string[]} [args] */
export async function startSandbox(args = []) {
  const port = await freePort();
  const proc = startProcess(binary('ibex-sandbox'), ['--port', String(port), ...args], /listening on (\S+)/);
  const [, url] = await proc.matched;
  return { url: /** @type {string} */ (url), stop: () => proc.stop() };
}

/** Points the wallet at `baseUrl` with `rpId` through the network form.
 * @param {import('playwright-core').Page} page @param {string} baseUrl @param {string} [rpId] */
export async function useServer(page, baseUrl, rpId = 'localhost') {
  await page.getByRole('radio', { name: literally(t('net_custom')) }).check();
  await page.getByRole('textbox', { name: t('net_url') }).fill(baseUrl);
  await page.getByRole('textbox', { name: t('net_rp_id') }).fill(rpId);
  await page.getByTestId('save-network').click();
  await page.getByTestId('base-url').filter({ hasText: baseUrl }).waitFor({ timeout: 30000 });
}
