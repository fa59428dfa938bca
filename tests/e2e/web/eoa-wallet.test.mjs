// An existing Ethereum account as the way in (issue 15 §2, §9): import with the warning (its
// consent gates the button), a malformed key and a key for another address refused with nothing
// kept, the phrase's account signed in and its EIP-7702 state in Settings; then another
// wallet's pasted signature — one made for another challenge refused before anything is sent,
// the right one creating the account.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectPageErrors, openSignedOutAt, shootLightAndDark, useHostAndBrowser } from '../support/browser.mjs';
import { byLocale } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';
import { sandbox } from '../support/sandbox.mjs';

const env = useHostAndBrowser();
const shots = artifactsDir('web/eoa-wallet');
/** The BIP-39 test phrase and its first two accounts (Hardhat's). */
const PHRASE = 'test test test test test test test test test test test junk';
const FIRST = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const FIRST_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const SECOND = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const SECOND_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

/** @param {import('playwright-core').Page} page @param {string} name */
const shoot = (page, name) => shootLightAndDark(page, shots, name);

/** The user's other wallet signing `message` (the sandbox's stand-in for MetaMask).
 * @param {import('playwright-core').Page} page @param {string} key @param {string} message */
async function otherWalletSigns(page, key, message) {
  const sandboxUrl = ((await page.getByTestId('base-url').textContent()) ?? '').trim();
  return /** @type {string} */ ((await sandbox(sandboxUrl, 'wallet/sign', { privateKey: key, message })).signature);
}

test('import an EOA: the warning, a malformed key, a key for another address, then its 7702 state', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  await openSignedOutAt(page, env.host().url);
  await page.getByTestId('use-eoa').click();
  await page.getByTestId('eoa-warning').waitFor();
  await page.getByTestId('eoa-secret').fill(SECOND_KEY);
  assert.equal(await page.getByTestId('eoa-import').isDisabled(), true, 'not before the warning is acknowledged');
  await shoot(page, '1-import-warning');
  await page.getByTestId('eoa-understood').check();

  await page.getByTestId('eoa-expected').fill(FIRST);
  await page.getByTestId('eoa-import').click();
  const error = page.getByTestId('eoa-error');
  await error
    .filter({
      hasText: byLocale({
        en: `This key controls ${SECOND}, not ${FIRST}. Nothing was kept or sent`,
        fr: `Cette clé contrôle ${SECOND}, et non ${FIRST}. Rien n’a été conservé ni envoyé`,
      }),
    })
    .waitFor({ timeout: 30000 });
  assert.equal(await page.getByTestId('eoa-secret').inputValue(), '', 'the key left the page once, and the field');
  await shoot(page, '2-other-address');

  await page.getByTestId('eoa-secret').fill('0x1234');
  await page.getByTestId('eoa-expected').fill('');
  await page.getByTestId('eoa-import').click();
  await error
    .filter({ hasText: byLocale({ en: 'neither a private key', fr: 'ni une clé privée' }) })
    .waitFor({ timeout: 30000 });

  await page.getByTestId('eoa-secret').fill(PHRASE);
  await page.getByTestId('eoa-expected').fill(SECOND);
  await page.getByTestId('eoa-import').click();
  const safe = page.getByTestId('safe-address').first();
  await safe.waitFor({ timeout: 60000 });
  assert.equal(((await safe.textContent()) ?? '').trim(), SECOND, 'the account is the EOA itself');

  await page.getByTestId('nav-settings').click();
  const card = page.getByTestId('eoa-card');
  await card.waitFor({ timeout: 30000 });
  assert.equal(await page.getByTestId('eoa-card-mode').textContent(), 'EOA_7702');
  assert.ok((await page.getByTestId('eoa-card-delegation').count()) > 0, 'IBEx announced the delegation');
  await card.scrollIntoViewIfNeeded();
  await shoot(page, '3-7702-state');
  await page.getByTestId('sign-out').click();
  assert.deepEqual(errors, []);
  await page.close();
});

test('another wallet signs: a signature for another challenge is refused, the right one signs up', async () => {
  const page = await env.browser().newPage();
  await openSignedOutAt(page, env.host().url);
  await page.getByTestId('use-eoa').click();
  await page.getByTestId('eoa-mode-external').click();
  await page.getByTestId('eoa-address').fill(FIRST);
  await page.getByTestId('eoa-get-message').click();
  const message = page.getByTestId('eoa-message');
  await message.waitFor({ timeout: 30000 });
  const shown = await message.inputValue();
  assert.ok(shown.includes(FIRST), shown);

  // A signature left over from an earlier sign-in message (another nonce).
  const earlier = await otherWalletSigns(page, FIRST_KEY, shown.replace(/Nonce: (\S+)/, 'Nonce: 00$1'));
  await page.getByTestId('eoa-signature').fill(earlier);
  await page.getByTestId('eoa-submit').click();
  await page
    .getByTestId('eoa-error')
    .filter({
      hasText: byLocale({
        en: `This signature is not ${FIRST}'s signature of the message shown`,
        fr: `Cette signature n’est pas celle du message affiché par ${FIRST}`,
      }),
    })
    .waitFor({ timeout: 30000 });
  await shoot(page, '4-wrong-challenge');

  await page.getByTestId('eoa-signature').fill(await otherWalletSigns(page, FIRST_KEY, shown));
  await page.getByTestId('eoa-submit').click();
  // IBEx does not know this address yet: a second message creates the account.
  await page.waitForFunction(
    (before) => {
      const m = /** @type {HTMLTextAreaElement | null} */ (document.querySelector('[data-testid="eoa-message"]'));
      return m !== null && m.value !== before;
    },
    shown,
    { timeout: 30000 },
  );
  const second = await message.inputValue();
  assert.notEqual(second, shown);
  await page.getByTestId('eoa-signature').fill(await otherWalletSigns(page, FIRST_KEY, second));
  await page.getByTestId('eoa-submit').click();
  const safe = page.getByTestId('safe-address').first();
  await safe.waitFor({ timeout: 60000 });
  assert.equal(((await safe.textContent()) ?? '').trim(), FIRST);
  await page.getByTestId('sign-out').click();
  await page.close();
});
