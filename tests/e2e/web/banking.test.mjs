// Euro banking through the UI against the real core and the sandbox: an IBAN opened (IBEx's
// provider, then Monerium with the passkey, then the quota refused), an incoming transfer in the
// bank history, payees verified by IBEx (an invalid IBAN refused, a payee added and deleted),
// SEPA payments with each Verification-of-Payee outcome (match; close match with the bank's
// name; no match needing the user's explicit choice), bad amounts refused, a mandate created and
// cancelled, and the automation card saying what IBEx does not document. Screenshots light,
// dark (and French with `E2E_LOCALE=fr`), accessibility checked on each screen.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWallet, collectPageErrors, seriousA11yViolations, useHostAndBrowser } from '../support/browser.mjs';
import { byLocale, literally, t } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';
import { sandbox } from '../support/sandbox.mjs';

const env = useHostAndBrowser();
const shots = artifactsDir('web/banking');
const BIC = 'SBXBFRPPXXX';

/** An IBAN at the sandbox bank held by `holder`. @param {string} sandboxUrl @param {string} holder */
async function external(sandboxUrl, holder) {
  return /** @type {string} */ ((await sandbox(sandboxUrl, 'sepa/accounts', { holderName: holder })).iban);
}

/** Screenshot light and dark, each checked for accessibility. @param {import('playwright-core').Page} page @param {string} name */
async function shoot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), [], name);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(shots, `${name}-dark.png`), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), [], `${name} (dark)`);
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Fills the payment form (payee by name and IBAN). @param {import('playwright-core').Page} page */
async function fillPayment(page, { name = '', iban = '', amount = '', reference = 'INV-1' }) {
  await page.getByTestId('bank-pay-name').fill(name);
  await page.getByTestId('bank-pay-iban').fill(iban);
  await page.getByTestId('bank-pay-amount').fill(amount);
  await page.getByTestId('bank-pay-reference').fill(reference);
}

/** Approves the payment under review and waits for its outcome. @param {import('playwright-core').Page} page */
async function approvePayment(page) {
  await page.getByTestId('bank-pay-approve').click();
  await page.getByTestId('bank-pay-op-result').waitFor({ timeout: 90000 });
  await page.getByRole('button', { name: t('bank_pay_new') }).click();
}

test('banking: IBANs, history, payees with VoP, SEPA payments, mandates, automation', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  const { sandboxUrl } = await createWallet(page, env.host().url);
  await page.getByTestId('nav-bank').click();
  await page.getByTestId('bank-no-iban').waitFor({ timeout: 30000 });
  await page.getByTestId('bank-automation-undocumented').waitFor();
  await shoot(page, '1-no-iban');

  // An IBAN from IBEx's provider opens at once, with its balance.
  await page.getByTestId('bank-holder').fill('Alice Martin');
  await page.getByTestId('bank-label').fill('Everyday');
  await page.getByTestId('bank-open').click();
  await page.getByTestId('bank-opened').waitFor({ timeout: 30000 });
  const ibanText = (await page.getByTestId('bank-account-iban').first().textContent()) ?? '';
  assert.match(ibanText, /^FR\d\d( [0-9A-Z]{4}){5} [0-9A-Z]{3}$/, 'shown in groups of four');
  const myIban = ibanText.replace(/ /g, '');
  // Renamed at IBEx (an empty label is refused).
  await page.getByTestId('bank-account-rename').click();
  await page.getByTestId('bank-account-label-input').fill(' ');
  await page.getByTestId('bank-account-label-save').click();
  await page.getByTestId('bank-account-label-error').waitFor();
  await page.getByTestId('bank-account-label-input').fill('Salary account');
  await page.getByTestId('bank-account-label-save').click();
  await page.getByTestId('bank-account').filter({ hasText: 'Salary account' }).waitFor({ timeout: 30000 });

  // A transfer arriving is in the bank history.
  await page.getByTestId('bank-movement').nth(2).waitFor({ timeout: 30000 });
  await sandbox(sandboxUrl, 'sepa/incoming', {
    iban: myIban,
    amount: '42.00',
    senderName: 'Bob Client',
    reference: 'THANKS',
  });
  await page.getByTestId('bank-history-refresh').click();
  await page.getByTestId('bank-movement').filter({ hasText: 'Bob Client' }).filter({ hasText: 'THANKS' }).waitFor();
  await shoot(page, '2-iban-and-history');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page
    .locator('section[aria-labelledby="bank-history-title"]')
    .screenshot({ path: join(shots, 'history-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  // The same movement in Activity's bank scope.
  await page.getByTestId('nav-activity').click();
  await page.getByTestId('scope-fiat').click();
  await page
    .getByTestId('fiat-history')
    .getByTestId('activity-row')
    .filter({ hasText: 'Bob Client' })
    .waitFor({ timeout: 30000 });
  await page.getByTestId('nav-bank').click();
  await page.getByTestId('bank-account').first().waitFor({ timeout: 30000 });

  // Payees: an invalid IBAN is refused before anything is sent; a matching name is saved.
  const jane = await external(sandboxUrl, 'Jane Doe');
  const badIban = jane.slice(0, -1) + (jane.endsWith('0') ? '1' : '0');
  await page.getByTestId('bank-payee-name').fill('Jane Doe');
  await page.getByTestId('bank-payee-iban').fill(badIban);
  await page.getByTestId('bank-payee-bic').fill(BIC);
  await page.getByTestId('bank-payee-save').click();
  await page
    .getByTestId('bank-payee-error')
    .filter({ hasText: byLocale({ en: 'check digits do not match', fr: 'chiffres de contrôle' }) })
    .waitFor();
  await page.getByTestId('bank-payee-iban').fill(jane);
  await page.getByTestId('bank-payee-save').click();
  await page
    .getByTestId('bank-payee-vop')
    .filter({ hasText: t('bank_vop_match') })
    .waitFor();
  await page.getByTestId('bank-payee').filter({ hasText: 'Jane Doe' }).waitFor();

  // Bad amounts are refused with their reason; nothing is sent.
  await page.getByTestId('bank-pay-payee').filter({ hasText: 'Jane Doe' }).click();
  await page.getByTestId('bank-pay-amount').fill('10.001');
  await page.getByTestId('bank-pay-reference').fill('INV-1');
  await page.getByTestId('bank-pay-review').click();
  await page
    .getByTestId('bank-pay-error')
    .filter({ hasText: byLocale({ en: 'at most 2 decimals', fr: 'au plus 2 décimales' }) })
    .waitFor();
  await page.getByTestId('bank-pay-amount').fill('999999');
  await page.getByTestId('bank-pay-review').click();
  await page
    .getByTestId('bank-pay-error')
    .filter({ hasText: byLocale({ en: 'Not enough euros', fr: 'Pas assez d’euros' }) })
    .waitFor();
  await shoot(page, '3-bad-amount');

  // A verified payee: the review says in words what the passkey approves.
  await page.getByTestId('bank-pay-amount').fill('120');
  await page.getByTestId('bank-pay-review').click();
  const words = page.getByTestId('bank-review-words');
  await words.waitFor({ timeout: 30000 });
  const said = (await words.textContent()) ?? '';
  assert.match(said, /120[.,]00/);
  assert.ok(said.includes('Jane Doe') && said.includes(jane.slice(0, 4) + ' ') && said.includes('INV-1'), said);
  assert.equal((await page.getByTestId('bank-review-vop').textContent())?.trim(), t('bank_vop_match'));
  await shoot(page, '4-review-match');
  const payCard = page.locator('section[aria-labelledby="bank-pay-title"]');
  await payCard.screenshot({ path: join(shots, 'pay-review.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await payCard.screenshot({ path: join(shots, 'pay-review-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await approvePayment(page);

  // Close match: the bank's name is shown; the user may use it (then it matches and is saved).
  const john = await external(sandboxUrl, 'John Smith');
  await fillPayment(page, { name: 'John Smyth', iban: john, amount: '5.50' });
  await page.getByTestId('bank-pay-bic').fill(BIC);
  await page.getByTestId('bank-pay-check').click();
  await page
    .getByTestId('bank-pay-vop')
    .filter({ hasText: t('bank_vop_close', { name: 'John Smith' }) })
    .waitFor();
  await shoot(page, '5-close-match');
  await payCard.screenshot({ path: join(shots, 'pay-close-match.png') });
  await page.getByTestId('bank-pay-use-matched').click();
  await page
    .getByTestId('bank-pay-vop')
    .filter({ hasText: t('bank_vop_match') })
    .waitFor();
  assert.equal(await page.getByTestId('bank-pay-name').inputValue(), 'John Smith');
  await page.getByTestId('bank-pay-review').click();
  await page
    .getByTestId('bank-review-vop')
    .filter({ hasText: t('bank_vop_match') })
    .waitFor({ timeout: 30000 });
  await approvePayment(page);

  // No match: refused until the user explicitly pays anyway; the review then says so.
  const bob = await external(sandboxUrl, 'Robert Stone');
  await fillPayment(page, { name: 'Alan Turing', iban: bob, amount: '1' });
  await page.getByTestId('bank-pay-bic').fill(BIC);
  await page.getByTestId('bank-pay-check').click();
  await page
    .getByTestId('bank-pay-vop')
    .filter({ hasText: t('bank_vop_none') })
    .waitFor();
  await page.getByTestId('bank-pay-review').click();
  await page
    .getByTestId('bank-pay-error')
    .filter({ hasText: byLocale({ en: 'could not confirm', fr: 'n’a pas pu confirmer' }) })
    .waitFor();
  await page.getByTestId('bank-pay-accept').check();
  await page.getByTestId('bank-pay-review').click();
  await page
    .getByTestId('bank-review-vop')
    .filter({ hasText: t('bank_vop_none') })
    .waitFor({ timeout: 30000 });
  await shoot(page, '6-review-no-match');
  await approvePayment(page);
  await page.getByTestId('bank-history-refresh').click();
  await page.getByTestId('bank-movement').filter({ hasText: 'Alan Turing' }).waitFor({ timeout: 30000 });

  // A mandate: the Safe signs its text, IBEx files it; suspended, resumed, then cancelled.
  await page.getByTestId('bank-mandate-name').fill('Jane Doe');
  await page.getByTestId('bank-mandate-iban').fill(jane);
  await page.getByTestId('bank-mandate-percent').fill('10');
  await page.getByTestId('bank-mandate-review').click();
  const text = (await page.getByTestId('message-review-text').textContent({ timeout: 30000 })) ?? '';
  assert.match(text, /10 % of every transfer/);
  await page.getByTestId('bank-mandate-approve').click();
  await page.getByTestId('bank-mandate').filter({ hasText: 'Jane Doe' }).waitFor({ timeout: 90000 });
  await page
    .getByTestId('bank-mandate-status')
    .filter({ hasText: t('bank_mandate_active') })
    .waitFor();

  // Suspended, it forwards nothing of a transfer received; resumed, it forwards again.
  const forwarded = page.getByTestId('bank-movement').filter({ hasText: /MANDATE-/ });
  const arrive = async (/** @type {string} */ reference) => {
    await sandbox(sandboxUrl, 'sepa/incoming', { iban: myIban, amount: '100.00', senderName: 'Bob Client', reference });
    await page.getByTestId('bank-history-refresh').click();
    await page.getByTestId('bank-movement').filter({ hasText: reference }).waitFor({ timeout: 30000 });
  };
  await page.getByTestId('bank-mandate-suspend').click();
  await page
    .getByTestId('bank-mandate-outcome')
    .filter({ hasText: literally(t('bank_mandate_suspended_done', { name: 'Jane Doe' })) })
    .waitFor({ timeout: 30000 });
  await page
    .getByTestId('bank-mandate-status')
    .filter({ hasText: t('bank_mandate_suspended') })
    .waitFor();
  await page.getByTestId('bank-mandate-changing').waitFor({ state: 'detached' });
  await shoot(page, '6b-mandate-suspended');
  await arrive('WHILE-SUSPENDED');
  assert.equal(await forwarded.count(), 0, 'a suspended mandate forwards nothing');
  await page.getByTestId('bank-mandate-resume').click();
  await page
    .getByTestId('bank-mandate-outcome')
    .filter({ hasText: literally(t('bank_mandate_resumed_done', { name: 'Jane Doe' })) })
    .waitFor({ timeout: 30000 });
  await page
    .getByTestId('bank-mandate-status')
    .filter({ hasText: t('bank_mandate_active') })
    .waitFor();
  await arrive('AFTER-RESUME');
  await forwarded.first().waitFor({ timeout: 30000 });
  assert.equal(await forwarded.count(), 1, 'resumed, it forwards the next transfer (10 % of it)');
  assert.match((await forwarded.first().textContent()) ?? '', /10[.,]00/);

  await page.getByTestId('bank-mandate-cancel').click();
  await page
    .getByTestId('bank-mandate-status')
    .filter({ hasText: t('bank_mandate_cancelled') })
    .waitFor();

  // Payees: deleted (the sandbox answers the documented DELETE of an IBAN row).
  for (const name of ['John Smith', 'Jane Doe']) {
    await page.getByTestId('bank-payee').filter({ hasText: name }).getByTestId('bank-payee-delete').click();
    await page.getByTestId('bank-payee').filter({ hasText: name }).waitFor({ state: 'detached' });
  }
  await page.getByTestId('bank-no-payee').waitFor();
  await shoot(page, '7-mandate-cancelled');

  // A Monerium IBAN is approved with the passkey; a third IBAN is past the quota.
  await page.getByTestId('bank-provider-monerium').check();
  await page.getByTestId('bank-open').click();
  await page.getByTestId('bank-open-review').waitFor({ timeout: 30000 });
  await page.getByTestId('bank-open-approve').click();
  await page.getByTestId('bank-open-op-result').waitFor({ timeout: 90000 });
  await page.getByTestId('bank-account').nth(1).waitFor({ timeout: 30000 });
  await page.getByTestId('bank-open-done').click();
  await page.getByTestId('bank-quota').waitFor();
  await page.getByTestId('bank-provider-ibex').check();
  await page.getByTestId('bank-holder').fill('Alice Martin');
  await page.getByTestId('bank-open').click();
  await page
    .getByTestId('bank-open-error')
    .filter({ hasText: byLocale({ en: 'at most 2 per person', fr: 'au plus 2 par personne' }) })
    .waitFor();
  assert.equal(await page.getByTestId('bank-account').count(), 2, 'nothing opened past the quota');
  await shoot(page, '8-two-ibans-quota');
  assert.deepEqual(errors, []);
  await page.close();
});
