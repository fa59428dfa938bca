// The real desktop app under Xvfb switches Safes and accounts: it adds a Safe with the test
// authenticator and picks between the two, signs a second account in beside the first, switches
// back, and signs out of one while the other stays (its session in the real Secret Service).
// Needs DISPLAY (run through scripts/with-display.sh).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LOCALE_ENV } from '../support/i18n.mjs';
import { artifactsDir, binary } from '../support/paths.mjs';
import { startDriver } from '../support/webdriver.mjs';

const shots = artifactsDir('app');
const home = mkdtempSync(join(tmpdir(), 'ibex-app-accounts-'));
/** @type {Awaited<ReturnType<typeof startDriver>>} */
let driver;
/** @type {Awaited<ReturnType<Awaited<ReturnType<typeof startDriver>>['newSession']>>} */
let session;

before(async () => {
  assert.ok(process.env.DISPLAY, 'DISPLAY must be set (run under Xvfb)');
  driver = await startDriver({
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CACHE_HOME: join(home, 'cache'),
    ...LOCALE_ENV,
  });
  session = await driver.newSession(binary('ibex-wallet'));
});

after(async () => {
  await session?.close().catch(() => {});
  await driver?.stop();
  spawnSync('pkill', ['-INT', '-f', `^${binary('ibex-wallet')}$`]);
  rmSync(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

/** Saves a PNG of the app's X window (after its repaint). @param {string} path */
async function capture(path) {
  await new Promise((r) => setTimeout(r, 1000));
  const id = execFileSync('xdotool', ['search', '--name', '^IBEx Wallet$']).toString().trim().split('\n')[0] ?? '';
  execFileSync('/usr/bin/import', ['-window', id, path]);
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

test('the app adds a Safe and switches Safes, then accounts, and signs out of one', async () => {
  await session.click(await session.waitFor('[data-testid="create-wallet"]'));
  const primary = await session.waitForText('[data-testid="safe-address"]', ADDRESS, 60000);

  // A second Safe, confirmed with the test authenticator; it becomes the picked one.
  await session.click(await session.waitFor('[data-testid="safe-add"]'));
  await session.type(await session.waitFor('[data-testid="add-safe-name"]'), 'Savings');
  await session.click(await session.find('[data-testid="add-safe-submit"]'));
  await session.waitForText('[data-testid="safe-added"]', /Savings/, 60000);
  const added = await session.waitForText('[data-testid="safe-picked"]', ADDRESS);
  assert.notEqual(added.toLowerCase(), primary.toLowerCase());
  await capture(join(shots, 'app-accounts-safe-added.png'));

  // Switch Safes with the picker: back to the primary one.
  await session.click(await session.find(`[data-testid="safe-select"] option[value="${primary}"]`));
  assert.equal(await session.waitForText('[data-testid="safe-picked"]', new RegExp(`^${primary}$`)), primary);

  // A second account beside the first.
  await session.click(await session.find('[data-testid="account-switcher"]'));
  await session.click(await session.waitFor('[data-testid="account-add"]'));
  await session.click(await session.waitFor('[data-testid="create-wallet"]'));
  await session.click(await session.waitFor('[data-testid="nav-portfolio"]', 60000));
  const second = await session.waitForText('[data-testid="safe-address"]', ADDRESS, 60000);
  assert.notEqual(second, primary);

  // Switch back to the first account: its two Safes, the primary one picked.
  await session.click(await session.find('[data-testid="account-switcher"]'));
  await session.click(
    await session.waitFor('[data-testid="account-entry"][data-current="false"] [data-testid="account-switch"]'),
  );
  assert.equal(await session.waitForText('[data-testid="safe-picked"]', new RegExp(`^${primary}$`), 30000), primary);
  await session.waitFor(`[data-testid="safe-select"] option[value="${added}"]`);
  await capture(join(shots, 'app-accounts-switched.png'));

  // Sign out of the second account from the menu; the first stays signed in.
  await session.click(await session.find('[data-testid="account-switcher"]'));
  await session.click(
    await session.waitFor('[data-testid="account-entry"][data-current="false"] [data-testid="account-sign-out"]'),
  );
  const end = Date.now() + 30000;
  for (;;) {
    const other = await session.find('[data-testid="account-entry"][data-current="false"]').catch(() => null);
    if (other === null) break;
    assert.ok(Date.now() < end, 'the signed-out account stayed in the list');
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(await session.waitForText('[data-testid="safe-picked"]', ADDRESS), primary);
  await capture(join(shots, 'app-accounts-one-signed-out.png'));
});
