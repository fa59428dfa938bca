// The sandbox's control API (`/__sandbox/...`: ledger transfers, faults, the clock, the mailbox,
// counters), as every journey calls it.
import assert from 'node:assert/strict';

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
