// Signing a message with the Safe, through the UI against the real core and the sandbox: empty
// and too-long messages refused, the review shows the text exactly as signed (line breaks and
// double spaces kept) with its EIP-191 hash, the passkey approves, and the Safe then answers
// for it (EIP-1271), with the signature and hash copyable.
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
const shots = artifactsDir('web/message');
const MESSAGE = 'Sign in to example.org\n\nNonce: 7f3a  (two spaces)\nIssued At: 2026-12-01T23:00:00Z';

test('sign message: refused when empty or too long, shown exactly, signed, verified by the Safe', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await addVirtualAuthenticator(page);
  await openSignedOutAt(page, env.host().url);
  await page.getByTestId('create-wallet').click();
  await page.getByTestId('safe-address').first().waitFor({ timeout: 30000 });
  await page.getByTestId('nav-message').click();
  await page.getByTestId('message-text').waitFor({ timeout: 30000 });
  await page.getByTestId('message-chain').selectOption('421614');

  await page.getByTestId('message-review-button').click();
  await page
    .getByTestId('message-error')
    .filter({ hasText: byLocale({ en: 'Write the message to sign.', fr: 'Écrivez le message à signer.' }) })
    .waitFor({ timeout: 30000 });
  await page.getByTestId('message-text').fill('x'.repeat(4097));
  await page.getByTestId('message-review-button').click();
  await page.getByTestId('message-error').filter({ hasText: /4097/ }).waitFor();

  await page.getByTestId('message-text').fill(MESSAGE);
  await page.getByTestId('message-review-button').click();
  const shown = page.getByTestId('message-review-text');
  await shown.waitFor({ timeout: 30000 });
  assert.equal(await shown.textContent(), MESSAGE, 'the review shows exactly what is signed');
  const hash = (await page.getByTestId('message-eip191').textContent()) ?? '';
  assert.match(hash, /^0x[0-9a-f]{64}$/);
  await page.screenshot({ path: join(shots, '1-review.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(shots, '1-review-dark.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.emulateMedia({ colorScheme: 'light' });

  // Keyboard: Approve is reachable and activates with Enter.
  await page.getByTestId('message-approve').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('message-op-timeline').waitFor({ timeout: 30000 });
  const valid = page.getByTestId('message-valid');
  await valid.waitFor({ timeout: 90000 });
  assert.equal(await valid.textContent(), t('message_valid', { chain: 'Arbitrum Sepolia' }));
  assert.equal(await page.getByTestId('message-hash').textContent(), hash, 'the hash the Safe approved');
  assert.equal(await page.getByTestId('message-signature').textContent(), '0x');
  await page
    .getByTestId('message-proof')
    .getByRole('button', { name: t('copy') })
    .nth(1)
    .click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), hash);
  await page.screenshot({ path: join(shots, '2-signed.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(shots, '2-signed-dark.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
