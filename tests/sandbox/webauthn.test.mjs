// Real browser passkeys against the sandbox: headless Chromium with a CDP virtual authenticator
// (ctap2, resident keys, UV, PRF — passkeys.md §5) runs create/get on a page served by the
// `ibex-sandbox` binary at http://localhost:<port>, and the sandbox must accept the genuine
// credentials and refuse tampered, replayed and wrong-origin ones.
// Run: `cargo build -p ibex-sandbox --bin ibex-sandbox && node --test tests/sandbox/`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { addVirtualAuthenticator, launchChromium } from '../e2e/support/browser.mjs';
import { binary } from '../e2e/support/paths.mjs';
import { startProcess } from '../e2e/support/process.mjs';

/** @type {ReturnType<typeof startProcess>} */
let sandbox;
/** @type {import('playwright-core').Browser} */
let browser;
/** @type {import('playwright-core').Page} */
let page;
let base = '';

before(async () => {
  sandbox = startProcess(
    binary('ibex-sandbox'),
    ['--port', '0', '--address-ready-seconds', '0'],
    /listening on http:\/\/127\.0\.0\.1:(\d+)/,
    { env: { RUST_LOG: 'warn' } },
  );
  const [, port] = await sandbox.matched;
  base = `http://localhost:${port}`;
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${base}/__sandbox/blank`);
  await addVirtualAuthenticator(page);
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

/**
 * @param {string} method @param {string} path @param {unknown} [body] @param {string} [token]
 * @param {string} [server] another sandbox's base URL
 */
async function api(method, path, body, token, server = base) {
  /** @type {Record<string, string>} */
  const headers = { 'X-RpId': 'localhost', 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`${server}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/**
 * Runs navigator.credentials.create/get in the page on server options; returns toJSON().
 * @param {'create' | 'get'} kind @param {any} options
 * @returns {Promise<any>}
 */
function ceremony(kind, options) {
  return page.evaluate(
    async ([kind, options]) => {
      const credential =
        kind === 'create'
          ? await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) })
          : await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
      // @ts-expect-error toJSON exists on PublicKeyCredential in Chromium ≥ 129
      return credential.toJSON();
    },
    [kind, options],
  );
}

/** Flips one character of a base64url field. @param {string} text */
function flip(text) {
  const i = Math.floor(text.length / 2);
  return text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
}

test('a registration and assertions from Chromium are verified; tampering is refused', async () => {
  const signUp = await api('GET', '/v1.2/auth/sign-up?wallet=passkeys&rpId=localhost');
  assert.equal(signUp.status, 200);
  const registration = await ceremony('create', signUp.body.credentialRequestOptions);
  const created = await api('POST', '/v1.2/auth/sign-up', { credential: registration });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  assert.equal(created.body.authMethod, 'PASSKEY');
  assert.equal(created.body.prfCapable, true);

  const signIn = await api('GET', '/v1.2/auth/sign-in?rpId=localhost');
  const assertion = await ceremony('get', signIn.body.credentialRequestOptions);
  assert.ok(assertion.clientExtensionResults.prf?.results?.first, 'PRF output for the master salt');
  const clientData = JSON.parse(Buffer.from(assertion.response.clientDataJSON, 'base64url').toString());
  assert.equal(clientData.origin, base);

  const tampered = structuredClone(assertion);
  tampered.response.signature = flip(tampered.response.signature);
  const refused = await api('POST', '/v1.2/auth/sign-in', { credential: tampered });
  assert.deepEqual([refused.status, refused.body.code], [400, 'INVALID_SIGNATURE']);

  const foreign = structuredClone(assertion);
  const forged = { ...clientData, origin: 'https://evil.example' };
  foreign.response.clientDataJSON = Buffer.from(JSON.stringify(forged)).toString('base64url');
  const wrongOrigin = await api('POST', '/v1.2/auth/sign-in', { credential: foreign });
  assert.deepEqual([wrongOrigin.status, wrongOrigin.body.code], [400, 'ORIGIN_MISMATCH']);

  const accepted = await api('POST', '/v1.2/auth/sign-in', { credential: assertion });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  assert.equal(accepted.body.subject, created.body.subject);
  const replayed = await api('POST', '/v1.2/auth/sign-in', { credential: assertion });
  assert.deepEqual([replayed.status, replayed.body.code], [400, 'CHALLENGE_UNKNOWN']);

  // An operation signed in the browser: challenge = base64url(userOpHash).
  const token = accepted.body.access_token;
  const safe = accepted.body.safeAddress['421614'];
  const prepared = await api(
    'POST',
    '/v1.2/safes/operations',
    { safeAddress: safe, chainId: 421614, operations: [{ type: 'SIGN_MESSAGE', message: 'Hello, world!' }] },
    token,
  );
  assert.equal(prepared.status, 200, JSON.stringify(prepared.body));
  const hash = Buffer.from(prepared.body.credentialRequestOptions.challenge, 'base64url').toString('hex');
  assert.equal(`0x${hash}`, prepared.body.data.userOpHash);
  const signed = await ceremony('get', prepared.body.credentialRequestOptions);
  const executed = await api('PUT', '/v1.2/safes/operations', { credential: signed }, token);
  assert.deepEqual([executed.status, executed.body.status], [200, 'SIGNED']);
});

test('a genuine credential from an origin the tenant does not list is refused', async () => {
  // A second sandbox whose tenant only accepts https://wallet.example: Chromium signs for rpId
  // localhost from this page (http://localhost:<port>), which that tenant must not accept.
  const strict = startProcess(
    binary('ibex-sandbox'),
    ['--port', '0', '--origin', 'https://wallet.example'],
    /listening on http:\/\/127\.0\.0\.1:(\d+)/,
    { env: { RUST_LOG: 'warn' } },
  );
  try {
    const [, port] = await strict.matched;
    const server = `http://127.0.0.1:${port}`;
    const options = await api('GET', '/v1.2/auth/sign-up?rpId=localhost', undefined, undefined, server);
    const registration = await ceremony('create', options.body.credentialRequestOptions);
    const refused = await api('POST', '/v1.2/auth/sign-up', { credential: registration }, undefined, server);
    assert.deepEqual([refused.status, refused.body.code], [400, 'ORIGIN_MISMATCH']);
  } finally {
    await strict.stop();
  }
});
