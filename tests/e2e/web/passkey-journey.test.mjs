// Sign up, sign out and sign in with a real WebAuthn ceremony: headless Chromium's virtual
// authenticator (PRF on) answers the UI's navigator.credentials calls, and the sandbox verifies
// every attestation and assertion against the challenges it issued.
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
import { byLocale, literally, t } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';
import { sandbox } from '../support/sandbox.mjs';

const env = useHostAndBrowser();
const shots = artifactsDir('web/passkey');

/** @param {import('playwright-core').Page} page */
const openSignedOut = (page) => openSignedOutAt(page, env.host().url);

/** Route counts as the sandbox saw them. @param {string} sandboxUrl */
async function sandboxCounters(sandboxUrl) {
  return /** @type {{ routes: Record<string, number> }} */ (await sandbox(sandboxUrl, 'counters'));
}

test('sign up, sign out and sign in again with a passkey', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
  await openSignedOut(page);
  const sandboxUrl = (await page.getByTestId('base-url').textContent()) ?? '';
  const before = await sandboxCounters(sandboxUrl);

  await page.getByTestId('create-wallet').click();
  const address = page.getByTestId('safe-address').first();
  await address.waitFor({ timeout: 30000 });
  const safe = (await address.textContent()) ?? '';
  assert.match(safe, /^0x[0-9a-fA-F]{40}$/);
  assert.notEqual(safe, safe.toLowerCase(), 'the address is shown EIP-55 checksummed');
  await page.screenshot({ path: join(shots, '1-signed-up.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);

  // The authenticator really holds one discoverable credential, and the sandbox verified it.
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.equal(credentials.length, 1);
  assert.equal(credentials[0]?.isResidentCredential, true);
  const afterSignUp = await sandboxCounters(sandboxUrl);
  const count = (/** @type {typeof before} */ c, /** @type {string} */ route) => c.routes[route] ?? 0;
  assert.equal(count(afterSignUp, 'POST /v1.2/auth/sign-up') - count(before, 'POST /v1.2/auth/sign-up'), 1);

  await page.getByTestId('sign-out').click();
  await page.getByTestId('sign-in').waitFor();
  await page.screenshot({ path: join(shots, '2-signed-out.png'), fullPage: true });

  await page.getByTestId('sign-in').click();
  await address.waitFor({ timeout: 30000 });
  assert.equal(await address.textContent(), safe, 'the same Safe after signing in');
  const afterSignIn = await sandboxCounters(sandboxUrl);
  assert.equal(count(afterSignIn, 'POST /v1.2/auth/sign-in') - count(afterSignUp, 'POST /v1.2/auth/sign-in'), 1);
  const { credentials: after } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.ok((after[0]?.signCount ?? 0) >= 1, 'the assertion bumped the sign counter');
  await page.screenshot({ path: join(shots, '3-signed-in.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a passkey IBEx rejects comes back as a clear message, and signing in again works', async () => {
  const page = await env.browser().newPage();
  const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
  await openSignedOut(page);
  await page.getByTestId('create-wallet').click();
  await page.getByTestId('safe-address').first().waitFor({ timeout: 30000 });
  await page.getByTestId('sign-out').click();

  // The authenticator answers without the user-presence flag: the sandbox must refuse it.
  await cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId, isBadUP: true });
  await page.getByTestId('sign-in').click();
  const error = page.getByTestId('auth-error');
  await error.waitFor({ timeout: 30000 });
  assert.match(
    (await error.textContent()) ?? '',
    byLocale({ en: /IBEx did not accept this passkey/, fr: /IBEx n’a pas accepté cette clé d’accès/ }),
  );
  await page.screenshot({ path: join(shots, '4-rejected.png'), fullPage: true });

  // Nothing is lost: the same screen, and a normal assertion signs in.
  await cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId, isBadUP: false });
  await page.getByTestId('sign-in').click();
  await page.getByTestId('safe-address').first().waitFor({ timeout: 30000 });
  assert.equal(await error.count(), 0);
  await page.close();
});

test('send: bad checksum and excess amounts are refused; a transfer approved with the passkey confirms', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  await addVirtualAuthenticator(page);
  await openSignedOut(page);
  const sandboxUrl = (await page.getByTestId('base-url').textContent()) ?? '';
  await page.getByTestId('create-wallet').click();
  await page.getByTestId('nav-send').click({ timeout: 30000 });
  await page.getByTestId('send-token').waitFor({ timeout: 30000 });

  const send = async (/** @type {string} */ to, /** @type {string} */ amount) => {
    await page.getByTestId('send-to').fill(to);
    await page.getByTestId('send-amount').fill(amount);
    await page.getByTestId('review-send').click();
  };
  // EIP-55 test vector, with one letter's case flipped.
  const recipient = '0x52908400098527886E0F7030069857D2E4169EE7';
  await send('0x52908400098527886e0F7030069857D2E4169EE7', '0.0001');
  // Refused by Review (the recipient field may say it too, once its own check answered).
  await page
    .getByTestId('send-error')
    .filter({
      hasText: byLocale({ en: /fails its checksum/, fr: /ne passe pas la vérification de sa somme de contrôle/ }),
    })
    .waitFor();
  await send(recipient, '999999999');
  await page.getByText(byLocale({ en: /Insufficient balance/, fr: /Solde insuffisant/ })).waitFor();
  await page.screenshot({ path: join(shots, '5-send-refused.png'), fullPage: true });

  const before = await sandboxCounters(sandboxUrl);
  // French users write a decimal comma.
  await send(recipient, byLocale({ en: '0.0001', fr: '0,0001' }));
  await page.getByTestId('review').waitFor();
  assert.equal(await page.getByTestId('review-to').textContent(), recipient);
  assert.match((await page.getByTestId('review-hash').textContent()) ?? '', /^0x[0-9a-f]{64}$/);
  assert.match(
    (await page.getByTestId('review-amount').textContent()) ?? '',
    byLocale({ en: /^0\.0001 /, fr: /^0,0001 / }),
  );
  await page.screenshot({ path: join(shots, '6-send-review.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);

  await page.getByTestId('approve').click();
  const result = page.getByTestId('op-result');
  await result.waitFor({ timeout: 90000 });
  assert.match((await result.textContent()) ?? '', new RegExp(`^${t('op_status_confirmed')}`));
  const after = await sandboxCounters(sandboxUrl);
  assert.equal(
    (after.routes['PUT /v1.2/safes/operations'] ?? 0) - (before.routes['PUT /v1.2/safes/operations'] ?? 0),
    1,
  );
  await page.screenshot({ path: join(shots, '7-send-confirmed.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a locked wallet refuses wallet commands until the passkey unlocks it', async () => {
  const page = await env.browser().newPage();
  await addVirtualAuthenticator(page);
  await openSignedOut(page);
  await page.getByTestId('create-wallet').click();
  const safe = await page.getByTestId('safe-address').first().textContent({ timeout: 30000 });
  // The delay is a setting the core keeps.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('lock-after').selectOption('15');
  await page
    .getByRole('status')
    .filter({ hasText: t('saved') })
    .waitFor();
  await page.getByTestId('lock-now').click();
  await page.getByTestId('lock-screen').waitFor();
  await page.screenshot({ path: join(shots, '8-locked.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);

  // The core itself refuses while locked, whatever the page does.
  const secret = await page.evaluate(() => sessionStorage.getItem('ibex-devhost-secret'));
  const resp = await fetch(`${env.host().origin}/ipc/wallet_holdings`, {
    method: 'POST',
    headers: { 'x-devhost-secret': secret ?? '' },
    body: '{}',
  });
  const answer = await resp.json();
  assert.equal(answer.err?.code, 'locked', JSON.stringify(answer).slice(0, 200));

  // Unlocking returns to the page the wallet was locked on.
  await page.getByTestId('unlock').click();
  await page.getByTestId('lock-after').waitFor({ timeout: 30000 });
  assert.equal(await page.getByTestId('lock-after').inputValue(), '15');
  await page.getByTestId('nav-portfolio').click();
  assert.equal(await page.getByTestId('safe-address').first().textContent(), safe);
  await page.close();
});

test('a PIN wallet: bad PINs are refused specifically; sign up, sign out, sign in', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  await openSignedOut(page);
  await page.getByTestId('use-pin').click();
  const submit = page.getByTestId('pin-submit');
  const error = page.getByTestId('pin-error');

  await page.getByTestId('pin').fill('13579');
  await page.getByTestId('pin-confirm').fill('13579');
  await submit.click();
  assert.match((await error.textContent()) ?? '', byLocale({ en: /at least 6/, fr: /au moins 6/ }));
  await page.getByTestId('pin').fill('135790');
  await page.getByTestId('pin-confirm').fill('135791');
  await submit.click();
  assert.match((await error.textContent()) ?? '', literally(t('pin_differ')));

  await page.getByTestId('pin').fill('135790');
  await page.getByTestId('pin-confirm').fill('135790');
  await submit.click();
  const address = page.getByTestId('safe-address').first();
  await address.waitFor({ timeout: 60000 });
  const safe = await address.textContent();
  await page.screenshot({ path: join(shots, '9-pin-wallet.png'), fullPage: true });

  await page.getByTestId('sign-out').click();
  await page.getByTestId('use-pin').click();
  // The device remembers its PIN wallet: the form opens on "Sign in".
  await page.getByTestId('pin').fill('000000');
  await submit.click();
  await error.waitFor({ timeout: 30000 });
  assert.match(
    (await error.textContent()) ?? '',
    byLocale({ en: /PIN is not right/, fr: /Ce code PIN ne correspond pas/ }),
  );
  await page.getByTestId('pin').fill('135790');
  await submit.click();
  await address.waitFor({ timeout: 60000 });
  assert.equal(await address.textContent(), safe);
  // Honest about what a PIN wallet cannot do yet.
  await page.getByTestId('nav-send').click();
  await page.getByTestId('send-unavailable').waitFor();

  // Locked, it unlocks with the PIN.
  await page.getByTestId('lock-now').click();
  await page.getByTestId('lock-screen').waitFor();
  await page.getByTestId('pin').fill('135790');
  await submit.click();
  await page.getByTestId('send-unavailable').waitFor({ timeout: 60000 });
  assert.deepEqual(errors, []);
  await page.close();
});
