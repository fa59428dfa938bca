// The address book and the recipient checks of Send, through the UI against the real core and
// the sandbox: contacts are saved at IBEx, offered when sending, and an address that only
// looks like one of them is blocked until the user confirms it.
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
import { recordingBrowser } from '../support/handoff.mjs';
import { byLocale, literally, t } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';
import { sandbox } from '../support/sandbox.mjs';

// The "system browser" records what the wallet opens (the identity-verification flow).
const browserLog = recordingBrowser();
const env = useHostAndBrowser({ env: browserLog.env });
const shots = artifactsDir('web/contacts');
// The EIP-55 test vector, and a poisoning address that shares its 5290…9EE7 ends.
const ALICE = '0x52908400098527886E0F7030069857D2E4169EE7';
const POISON = '0x5290aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa9ee7';
const BOB = '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359';

test('contacts: add with validation, edit, offer in Send, look-alike blocked, recent recipient, delete', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  await addVirtualAuthenticator(page);
  await openSignedOutAt(page, env.host().url);
  await page.getByTestId('create-wallet').click();

  await page.getByTestId('nav-contacts').click({ timeout: 30000 });
  await page.getByTestId('contacts-empty').waitFor({ timeout: 30000 });
  await page.getByTestId('contact-add').click();
  await page.getByTestId('contact-save').click();
  assert.match(
    (await page.getByTestId('contact-error').textContent()) ?? '',
    byLocale({ en: /Give the contact a name/, fr: /Donnez un nom au contact/ }),
  );
  await page.getByTestId('contact-name-input').fill('Alice');
  await page.getByTestId('contact-address-input').fill('0x52908400098527886E0F7030069857D2E4169Ee7');
  await page.getByTestId('contact-save').click();
  await page
    .getByText(byLocale({ en: /fails its checksum/, fr: /ne passe pas la vérification de sa somme de contrôle/ }))
    .waitFor();
  await page.getByTestId('contact-address-input').fill(ALICE);
  await page.getByTestId('contact-save').click();
  await page
    .getByTestId('contacts-notice')
    .filter({ hasText: t('ct_added', { name: 'Alice' }) })
    .waitFor();
  assert.deepEqual(await page.getByTestId('contact-name').allTextContents(), ['Alice']);

  // Edit: rename; the address stays.
  await page.getByTestId('contact-edit').click();
  await page.getByTestId('contact-name-input').fill('Alice Martin');
  await page.getByTestId('contact-save').click();
  await page
    .getByTestId('contacts-notice')
    .filter({ hasText: t('ct_saved', { name: 'Alice Martin' }) })
    .waitFor();
  await page.getByTestId('contact').getByText(ALICE).waitFor();
  await page.screenshot({ path: join(shots, '1-contacts.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);

  // Send offers the contact; a look-alike of it is blocked until confirmed.
  await page.getByTestId('nav-send').click();
  await page.getByTestId('suggestion').filter({ hasText: 'Alice Martin' }).waitFor({ timeout: 30000 });
  await page.getByTestId('send-to').fill(POISON);
  const warning = page.getByTestId('lookalike');
  await warning.waitFor();
  assert.match((await warning.textContent()) ?? '', literally(t('rcpt_lookalike_title', { name: 'Alice Martin' })));
  // Both addresses are shown, with the differing middle marked and the shared ends not.
  const marked = await page.getByTestId('lookalike-entered').locator('mark').allTextContents();
  assert.equal(marked.join('').length > 20, true, `marked: ${marked.join('')}`);
  assert.equal(await page.getByTestId('lookalike-known').textContent(), ALICE);
  assert.equal(await page.getByTestId('review-send').isDisabled(), true);
  await page.getByTestId('send-amount').fill('0.0001');
  await page.screenshot({ path: join(shots, '2-lookalike.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.getByTestId('lookalike-confirm').check();
  assert.equal(await page.getByTestId('review-send').isDisabled(), false);

  // Picking the contact instead: recognised, and the transfer goes through.
  await page.getByTestId('send-to').fill('');
  await page.getByTestId('suggestion').filter({ hasText: 'Alice Martin' }).click();
  await page.getByTestId('recipient-known').filter({ hasText: 'Alice Martin' }).waitFor();
  await page.getByTestId('review-send').click();
  await page.getByTestId('review').waitFor({ timeout: 30000 });
  assert.equal(await page.getByTestId('review-to').textContent(), ALICE);
  assert.equal(await page.getByTestId('review-to-name').textContent(), 'Alice Martin');
  await page.getByRole('button', { name: t('back') }).click();

  // A new recipient becomes a recent one once the transfer is approved.
  await page.getByTestId('send-to').fill(BOB);
  await page.getByTestId('send-amount').fill('0.0001');
  await page.getByTestId('review-send').click();
  await page.getByTestId('approve').click({ timeout: 30000 });
  await page.getByTestId('op-result').waitFor({ timeout: 90000 });
  await page.getByRole('button', { name: t('send_new') }).click();
  await page
    .getByTestId('suggestion')
    .filter({ hasText: byLocale({ en: 'Recent recipient', fr: 'Destinataire récent' }) })
    .waitFor({ timeout: 30000 });
  await page
    .getByTestId('suggestion')
    .filter({ hasText: byLocale({ en: 'Recent recipient', fr: 'Destinataire récent' }) })
    .click();
  assert.equal(await page.getByTestId('send-to').inputValue(), BOB);

  // Delete asks first.
  await page.getByTestId('nav-contacts').click();
  await page.getByTestId('contact-delete').click();
  await page.getByTestId('contact-delete-confirm').click();
  await page.getByTestId('contacts-empty').waitFor();

  // Settings lists this device's passkey and the KYC status.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('signer').first().waitFor({ timeout: 30000 });
  assert.match(
    (await page.getByTestId('signer').first().textContent()) ?? '',
    byLocale({ en: /Passkey/, fr: /Clé d’accès/ }),
  );
  assert.equal(await page.getByTestId('kyc-status').textContent(), t('kyc_not_started'));
  // Send opens on the preferred network.
  await page.getByTestId('preferred-chain').selectOption({ label: 'Gnosis' });
  await page
    .getByRole('status')
    .filter({ hasText: t('saved') })
    .first()
    .waitFor();
  await page.getByTestId('nav-send').click();
  await page.getByTestId('send-token').waitFor({ timeout: 30000 });
  assert.match(
    (await page.getByTestId('send-token').locator('option:checked').textContent()) ?? '',
    literally(t('send_token_option', { symbol: '', chain: 'Gnosis', balance: '' }).trim()),
  );
  await page.getByTestId('nav-settings').click();
  assert.equal(await page.getByTestId('preferred-chain').inputValue(), '100');
  await page.screenshot({ path: join(shots, '3-settings.png'), fullPage: true });
  // Identity verification runs in the system browser, on IBEx's page.
  await page.getByTestId('kyc-open').click();
  await page.getByTestId('kyc-opened').waitFor({ timeout: 30000 });
  assert.match(await browserLog.nth(1), /^https:\/\/kyc\.sandbox\.invalid\/chat\?session=[0-9a-f]+$/);
  await page.getByRole('button', { name: t('kyc_check') }).click();
  await page
    .getByTestId('kyc-status')
    .filter({ hasText: t('kyc_pending') })
    .waitFor();
  assert.deepEqual(await seriousA11yViolations(page), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('send: a transfer that reverts on chain ends FAILED with the reason, and nothing is lost', async () => {
  const page = await env.browser().newPage();
  await addVirtualAuthenticator(page);
  await openSignedOutAt(page, env.host().url);
  const sandboxUrl = (await page.getByTestId('base-url').textContent()) ?? '';
  await page.getByTestId('create-wallet').click();
  await page.getByTestId('nav-send').click({ timeout: 30000 });
  const token = page.getByTestId('send-token');
  await token.waitFor({ timeout: 30000 });
  const balanceBefore = await token.locator('option:checked').textContent();

  await sandbox(sandboxUrl, 'faults', { revertOperations: 1 });
  try {
    await page.getByTestId('send-to').fill(BOB);
    await page.getByTestId('send-amount').fill('0.001');
    await page.getByTestId('review-send').click();
    await page.getByTestId('approve').click({ timeout: 30000 });
    const result = page.getByTestId('op-result');
    await result.waitFor({ timeout: 90000 });
    assert.equal(await result.textContent(), t('op_failed', { reason: 'execution reverted (sandbox fault)' }));
    await page.screenshot({ path: join(shots, '4-send-failed.png'), fullPage: true });
    assert.deepEqual(await seriousA11yViolations(page), []);
    // The balance is untouched, and the form is ready for another try.
    await page.getByRole('button', { name: t('send_try_again') }).click();
    assert.equal(await token.locator('option:checked').textContent(), balanceBefore);
  } finally {
    await sandbox(sandboxUrl, 'faults', undefined, 'DELETE');
  }
  await page.close();
});
