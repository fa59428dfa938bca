// What you sign: IBEx builds the operation and the passkey signs only its hash, so a
// compromised IBEx could prepare a transfer to someone else. The sandbox plays that IBEx
// (fault `substituteRecipient`); the wallet must notice on chain and say so loudly: an
// in-page alert and an OS notification, whatever the window's focus.
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
const shots = artifactsDir('web/verify');
const BOB = '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359';
// Where the compromised IBEx sends the money instead (EIP-55 below, as the wallet shows it).
const THIEF = '0x8617e340b3d01fa5f11f306f4090fd50e238070d';
// The core's OS notification, in the run's language.
const LOUD_TITLE = byLocale({
  en: 'Operation did not do what you approved',
  fr: 'L’opération n’a pas fait ce que vous avez approuvé',
});

/** What the devhost's notifier delivered so far. @param {import('playwright-core').Page} page */
async function notifications(page) {
  const secret = await page.evaluate(() => sessionStorage.getItem('ibex-devhost-secret'));
  const resp = await fetch(`${env.host().origin}/test/notifications`, {
    headers: { 'x-devhost-secret': secret ?? '' },
  });
  return /** @type {{ title: string, body: string }[]} */ (await resp.json());
}

test('a transfer IBEx re-addressed is caught after execution: in-app alert and OS notification', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  await addVirtualAuthenticator(page);
  await openSignedOutAt(page, env.host().url);
  const sandboxUrl = (await page.getByTestId('base-url').textContent()) ?? '';
  await page.getByTestId('create-wallet').click();
  await page.getByTestId('nav-send').click({ timeout: 30000 });
  await page.getByTestId('send-token').waitFor({ timeout: 30000 });

  await sandbox(sandboxUrl, 'faults', { substituteRecipient: THIEF });
  try {
    await page.getByTestId('send-to').fill(BOB);
    await page.getByTestId('send-amount').fill('0.001');
    await page.getByTestId('review-send').click();
    await page.getByTestId('review').waitFor({ timeout: 30000 });
    // The review shows what the user asked for, and says honestly what the passkey signs.
    assert.equal(await page.getByTestId('review-to').textContent(), BOB);
    assert.match(
      (await page.getByTestId('review-provenance').textContent()) ?? '',
      literally(t('op_provenance_checked')),
    );
    await page.getByTestId('approve').click();
    await page.getByTestId('op-result').waitFor({ timeout: 90000 });

    const alert = page.getByTestId('operation-mismatch');
    await alert.waitFor({ timeout: 30000 });
    const text = (await alert.textContent()) ?? '';
    assert.match(text, literally(t('app_mismatch_title')));
    assert.match(text, literally(t('app_mismatch_recipient')));
    assert.match(text.toLowerCase(), new RegExp(THIEF.slice(2)));
    assert.match(text, new RegExp(BOB));
    await page.screenshot({ path: join(shots, '1-mismatch-alert.png'), fullPage: true });
    assert.deepEqual(await seriousA11yViolations(page), []);

    const shown = await notifications(page);
    const loud = shown.find((n) => n.title === LOUD_TITLE);
    assert.ok(loud, `an OS notification was sent: ${JSON.stringify(shown)}`);
    assert.match(loud.body.toLowerCase(), new RegExp(`${byLocale({ en: 'recipient', fr: 'destinataire' })} ${THIEF}`));
  } finally {
    await sandbox(sandboxUrl, 'faults', undefined, 'DELETE');
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('an honest transfer raises no alert', async () => {
  const page = await env.browser().newPage();
  await addVirtualAuthenticator(page);
  await openSignedOutAt(page, env.host().url);
  await page.getByTestId('create-wallet').click();
  await page.getByTestId('nav-send').click({ timeout: 30000 });
  await page.getByTestId('send-token').waitFor({ timeout: 30000 });
  // The web host keeps every notification of its run (the first test's alert among them).
  const alerts = async () => (await notifications(page)).filter((n) => n.title === LOUD_TITLE).length;
  const before = await alerts();
  await page.getByTestId('send-to').fill(BOB);
  await page.getByTestId('send-amount').fill('0.001');
  await page.getByTestId('review-send').click();
  await page.getByTestId('approve').click({ timeout: 30000 });
  const result = page.getByTestId('op-result');
  await result.waitFor({ timeout: 90000 });
  assert.match((await result.textContent()) ?? '', literally(t('op_confirmed')));
  // The check runs on confirmation; give it the time it takes to read the history.
  await page.waitForTimeout(3000);
  assert.equal(await page.getByTestId('operation-mismatch').count(), 0);
  assert.equal(await alerts(), before);
  await page.close();
});
