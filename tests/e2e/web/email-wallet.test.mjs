// The e-mail wallet through the UI (issue 15 §1, §9): sign-up with the mailed code and a backup
// passphrase, a wrong code answered with IBEx's attempts left (and nothing created), then the
// backup recovered on a new computer — another wallet process, with empty settings and
// keychain, against the same IBEx — where a wrong passphrase opens nothing and the right one
// finds the same Safe.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  collectPageErrors,
  launchChromium,
  openSignedOutAt,
  shootLightAndDark,
  startDevhost,
  useHostAndBrowser,
} from '../support/browser.mjs';
import { byLocale, literally, t } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';
import { sandbox as sandboxCall, startSandbox, useServer } from '../support/sandbox.mjs';

const env = useHostAndBrowser();
const shots = artifactsDir('web/email-wallet');
const EMAIL = 'ada@example.org';
const PASSPHRASE = 'lantern orbit seventeen';
const WORK = 'ada@work.example';

/** The code the sandbox mailed to `address`. @param {string} sandbox @param {string} address */
async function mailbox(sandbox, address) {
  const mail = await sandboxCall(sandbox, `mailbox/${address}`);
  return /** @type {string} */ (mail.code);
}

/** @param {string} code */
const wrong = (code) => (code.startsWith('0') ? '1' : '0') + code.slice(1);

/** @param {import('playwright-core').Page} page @param {string} name */
const shoot = (page, name) => shootLightAndDark(page, shots, name);

test('e-mail sign-up, a wrong code with attempts left, and the backup recovered on a new computer', async () => {
  // One IBEx both computers talk to: a sandbox of its own, as a custom network.
  const sandbox = await startSandbox();
  const newComputer = await startDevhost();
  const otherBrowser = await launchChromium();
  try {
    const page = await env.browser().newPage();
    const errors = collectPageErrors(page);
    await openSignedOutAt(page, env.host().url);
    await useServer(page, sandbox.url);
    await page.getByTestId('use-email').click();
    await page.getByTestId('email-address').fill('not-an-address');
    await page.getByTestId('email-send').click();
    await page
      .getByTestId('email-error')
      .filter({ hasText: byLocale({ en: 'That is not an e-mail address', fr: 'Ce n’est pas une adresse e-mail' }) })
      .waitFor({ timeout: 30000 });
    await page.getByTestId('email-address').fill(EMAIL);
    await page.getByTestId('email-send').click();
    await page.getByTestId('email-code').waitFor({ timeout: 30000 });
    // The resend button waits out its cooldown.
    assert.equal(await page.getByTestId('email-resend').isDisabled(), true);
    const code = await mailbox(sandbox.url, EMAIL);

    await page.getByTestId('email-code').fill(wrong(code));
    await page.getByTestId('email-passphrase').fill(PASSPHRASE);
    await page.getByTestId('email-passphrase-again').fill(PASSPHRASE);
    await page.getByTestId('email-submit').click();
    await page
      .getByTestId('email-error')
      .filter({
        hasText: byLocale({
          en: 'That code is not right. 4 attempts left; nothing was changed.',
          fr: 'Ce code n’est pas le bon. Encore 4 essai(s)\u202f; rien n’a été modifié.',
        }),
      })
      .waitFor({ timeout: 60000 });
    await shoot(page, '1-wrong-code');

    await page.getByTestId('email-code').fill(code);
    await page.getByTestId('email-submit').click();
    const safe = page.getByTestId('safe-address').first();
    await safe.waitFor({ timeout: 60000 });
    const address = ((await safe.textContent()) ?? '').trim();
    assert.match(address, /0x[0-9a-fA-F]{40}/);
    await shoot(page, '2-signed-up');

    // IBEx documents operation signing for passkeys only: each page that would sign says so
    // before anything is typed, and offers no form (the core refuses too: email_wallet.rs).
    for (const [nav, testid, form] of [
      ['nav-send', 'send-unavailable', 'send-amount'],
      ['nav-swap', 'swap-unavailable', 'swap-amount'],
      ['nav-earn', 'earn-unavailable', 'earn-amount'],
      ['nav-message', 'message-unavailable', 'message-text'],
    ]) {
      await page.getByTestId(nav).click();
      await page
        .getByTestId(testid)
        .filter({ hasText: t('signer_operations_unavailable') })
        .waitFor({ timeout: 30000 });
      assert.equal(await page.getByTestId(form).count(), 0, `${nav}: no form to fill`);
    }
    await page.getByTestId('nav-swap').click();
    await page.getByTestId('swap-mode-bridge').click();
    await page
      .getByTestId('route-unavailable')
      .filter({ hasText: t('signer_operations_unavailable') })
      .waitFor();
    await shoot(page, '2b-send-unavailable');

    // Settings: confirm another address for the account; a wrong code first.
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('emailcard-address').fill(WORK);
    await page.getByTestId('emailcard-send').click();
    await page.getByTestId('emailcard-code').waitFor({ timeout: 30000 });
    const workCode = await mailbox(sandbox.url, WORK);
    await page.getByTestId('emailcard-code').fill(wrong(workCode));
    await page.getByTestId('emailcard-confirm').click();
    await page
      .getByTestId('emailcard-error')
      .filter({ hasText: byLocale({ en: '4 attempts left', fr: 'Encore 4 essai(s)' }) })
      .waitFor({ timeout: 30000 });
    await page.getByTestId('emailcard-code').fill(workCode);
    await page.getByTestId('emailcard-confirm').click();
    await page.getByTestId('emailcard-done').waitFor({ timeout: 30000 });
    assert.match((await page.getByTestId('email-confirmed').textContent()) ?? '', literally(WORK));
    await page.getByTestId('email-card').scrollIntoViewIfNeeded();
    await shoot(page, '2b-email-confirmed');
    await page.getByTestId('sign-out').click();
    assert.deepEqual(errors, []);

    // A new computer: another wallet process (its own settings and keychain), the same IBEx.
    const other = await otherBrowser.newPage();
    await openSignedOutAt(other, newComputer.url);
    await useServer(other, sandbox.url);
    await other.getByTestId('use-email').click();
    await other.getByTestId('email-mode-sign-in').click();
    await other.getByTestId('email-address').fill(EMAIL);
    await other.getByTestId('email-send').click();
    await other.getByTestId('email-code').waitFor({ timeout: 30000 });
    await other.getByTestId('email-code').fill(await mailbox(sandbox.url, EMAIL));
    await other.getByTestId('email-submit').click();
    await other.getByTestId('email-backup-passphrase').waitFor({ timeout: 30000 });
    await shoot(other, '3-new-computer-passphrase');
    await other.getByTestId('email-backup-passphrase').fill('lantern orbit eighteen');
    await other.getByTestId('email-open-backup').click();
    await other
      .getByTestId('email-error')
      .filter({
        hasText: byLocale({
          en: 'That passphrase does not open this backup. Nothing was sent; try again.',
          fr: 'Cette phrase secrète n’ouvre pas cette sauvegarde. Rien n’a été envoyé\u202f; réessayez.',
        }),
      })
      .waitFor({ timeout: 60000 });
    await shoot(other, '4-wrong-passphrase');
    await other.getByTestId('email-backup-passphrase').fill(PASSPHRASE);
    await other.getByTestId('email-open-backup').click();
    const recovered = other.getByTestId('safe-address').first();
    await recovered.waitFor({ timeout: 60000 });
    assert.equal(((await recovered.textContent()) ?? '').trim(), address, 'the same Safe');
    await shoot(other, '5-recovered');
    await other.close();
    await page.close();
  } finally {
    await otherBrowser.close();
    await newComputer.stop();
    await sandbox.stop();
  }
});
