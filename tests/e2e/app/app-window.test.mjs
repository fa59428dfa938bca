// The real desktop app under Xvfb: its window renders the UI, and WebDriver (tauri-driver +
// WebKitWebDriver) finds and clicks an element. Needs DISPLAY (run through scripts/with-display).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LOCALE_ENV } from '../support/i18n.mjs';
import { artifactsDir, binary } from '../support/paths.mjs';
import { freePort, startProcess } from '../support/process.mjs';
import { startDriver } from '../support/webdriver.mjs';
import { sandbox } from '../support/sandbox.mjs';

const shots = artifactsDir('app');
// Before `before` runs (it starts the driver with this home): node:test runs it at once.
const home = mkdtempSync(join(tmpdir(), 'ibex-app-home-'));
/** @type {Awaited<ReturnType<typeof startDriver>>} */
let driver;
/** @type {Awaited<ReturnType<Awaited<ReturnType<typeof startDriver>>['newSession']>>} */
let session;

before(async () => {
  assert.ok(process.env.DISPLAY, 'DISPLAY must be set (run under Xvfb)');
  // The app's journeys read English texts: pin the system language whatever the machine's.
  driver = await startDriver({ ...isolatedHome(), ...LOCALE_ENV });
  session = await driver.newSession(binary('ibex-wallet'));
});

/** Saves a PNG of the X window titled `title`. @param {string} title @param {string} path */
function captureWindow(title, path) {
  const id =
    execFileSync('xdotool', ['search', '--name', `^${title}$`])
      .toString()
      .trim()
      .split('\n')[0] ?? '';
  execFileSync('/usr/bin/import', ['-window', id, path]);
}

/** Fraction of the image's pixels that are exactly `hex`. @param {string} path @param {string} hex */
function colourShare(path, hex) {
  const mean = execFileSync('/usr/bin/convert', [
    path,
    '-fill',
    'black',
    '+opaque',
    hex,
    '-fill',
    'white',
    '-opaque',
    hex,
    '-format',
    '%[fx:mean]',
    'info:',
  ]);
  return Number(mean.toString());
}

/** The app (a child of tauri-driver) keeps its settings in a fresh directory, not the user's. */
function isolatedHome() {
  return {
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CACHE_HOME: join(home, 'cache'),
  };
}

after(async () => {
  await session?.close().catch(() => {});
  await driver?.stop();
  // If the driver went away without closing it, end the app this test started.
  spawnSync('pkill', ['-INT', '-f', `^${binary('ibex-wallet')}$`]);
  rmSync(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

test('the app window renders the first screen with data from the embedded sandbox', async () => {
  assert.equal(await session.waitForText('[data-testid="server-status"]', /Online/), '● Online');
  assert.equal(await session.waitForText('[data-testid="network-label"]', /./), 'Local sandbox');

  // WebKitGTK has no WebAuthn: the core says so, and does not offer what this build lacks.
  assert.match(
    await session.waitForText('[data-testid="provider-webview"]', /./),
    /Linux WebView has no passkey support/,
  );
  // The system-browser hand-off serves rpId localhost (the sandbox) in every Linux build.
  assert.match(await session.waitForText('[data-testid="provider-native"]', /./), /opens in your browser/);
  // This test build carries the software authenticator, so the core recommends it.
  assert.match(await session.waitForText('[data-testid="provider-soft"]', /./), /Recommended/);

  // What a person sees: capture the real X window (not WebDriver's snapshot, which can lag the
  // DOM) until it shows the green "Online" pill (--ok-bg #d1fae5, light theme).
  const path = join(shots, 'app-window.png');
  let share = 0;
  for (let i = 0; i < 40 && share === 0; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 250));
    captureWindow('IBEx Wallet', path);
    share = colourShare(path, '#d1fae5');
  }
  assert.ok(share > 0, 'the window never showed the Online pill');
});

test('WebDriver can click: "Check again" runs a fresh health check', async () => {
  const button = await session.find('[data-testid="check-again"]');
  const before = await session.waitForText('[data-testid="latency"]', /ms$/);
  await session.click(button);
  await session.waitForText('[data-testid="check-again"]', /^Check again$/);
  assert.match(await session.waitForText('[data-testid="latency"]', /ms$/), /^\d+ ms$/);
  assert.ok(before.length > 0);
  const dark = await session.find('[data-testid="theme-dark"]');
  await session.click(dark);
  await session.waitForText('[data-testid="theme-dark"]', /Dark/);
  assert.equal(await session.attribute(dark, 'aria-pressed'), 'true');
  writeFileSync(join(shots, 'app-window-dark.png'), await session.screenshot());
});

test('with the test authenticator, the app signs up, signs out and signs in again', async () => {
  const create = await session.find('[data-testid="create-wallet"]');
  await session.click(create);
  const safe = await session.waitForText('[data-testid="safe-address"]', /^0x[0-9a-fA-F]{40}$/, 60000);
  // The session's refresh token went to the real Secret Service, so no memory-only warning.
  await assert.rejects(session.find('[data-testid="memory-only"]'));
  captureWindow('IBEx Wallet', join(shots, 'app-signed-up.png'));

  await session.click(await session.find('[data-testid="sign-out"]'));
  await session.waitForText('[data-testid="sign-in"]', /I have a passkey/);
  await session.click(await session.find('[data-testid="sign-in"]'));
  assert.equal(await session.waitForText('[data-testid="safe-address"]', /^0x/, 60000), safe);
  captureWindow('IBEx Wallet', join(shots, 'app-signed-in.png'));
});

test('in WebKitGTK every wallet page renders with data from the core', async () => {
  const pages = [
    ['portfolio', '[data-testid="total-eur"]', /€/],
    ['activity', '[data-testid="chain-history"]', /Received/],
    ['send', '[data-testid="send-token"]', / on /],
    ['swap', '[data-testid="swap-sell"]', / on /],
    ['earn', '[data-testid="earn-vaults"]', /Aave/],
    ['positions', '[data-testid="positions-empty"]', /No DeFi positions yet/],
    ['message', '[data-testid="message-chain"]', /Gnosis|Base|Arbitrum/],
    ['recovery', '[data-testid="recovery-state"]', /./],
    ['contacts', '[data-testid="contacts-empty"]', /No contacts yet/],
    ['settings', '[data-testid="signer"]', /Passkey/],
  ];
  for (const [id, selector, expected] of /** @type {[string, string, RegExp][]} */ (pages)) {
    await session.click(await session.waitFor(`[data-testid="nav-${id}"]`));
    await session.waitForText(selector, expected, 30000);
  }
  await session.click(await session.waitFor('[data-testid="nav-portfolio"]'));
  await session.waitForText('[data-testid="total-eur"]', /€/, 30000);
  // The X window repaints a moment after the DOM changes.
  await new Promise((r) => setTimeout(r, 1000));
  captureWindow('IBEx Wallet', join(shots, 'app-portfolio.png'));
});

test('with a PIN, the app creates a wallet, signs out and signs in again', async () => {
  await session.click(await session.waitFor('[data-testid="sign-out"]'));
  await session.click(await session.waitFor('[data-testid="use-pin"]'));
  // This device has no PIN wallet yet, so the form creates one.
  await session.type(await session.waitFor('[data-testid="pin"]'), '246810');
  await session.type(await session.waitFor('[data-testid="pin-confirm"]'), '246810');
  await session.click(await session.waitFor('[data-testid="pin-submit"]'));
  const safe = await session.waitForText('[data-testid="safe-address"]', /^0x[0-9a-fA-F]{40}$/, 60000);
  captureWindow('IBEx Wallet', join(shots, 'app-pin-wallet.png'));

  await session.click(await session.waitFor('[data-testid="sign-out"]'));
  await session.click(await session.waitFor('[data-testid="use-pin"]'));
  await session.type(await session.waitFor('[data-testid="pin"]'), '246810');
  await session.click(await session.waitFor('[data-testid="pin-submit"]'));
  assert.equal(await session.waitForText('[data-testid="safe-address"]', /^0x/, 60000), safe);
});

test('a pending recovery reaches the desktop notification daemon through the app notifier', async () => {
  const log = process.env.IBEX_NOTIFICATION_LOG;
  assert.ok(log, 'IBEX_NOTIFICATION_LOG must be set (run under scripts/with-display.sh)');
  // Back to the passkey wallet: the software authenticator signs operations, a PIN cannot yet.
  await session.click(await session.waitFor('[data-testid="sign-out"]'));
  const sandboxUrl = await session.waitForText('[data-testid="base-url"]', /^http/);
  await session.click(await session.waitFor('[data-testid="sign-in"]'));
  const safe = await session.waitForText('[data-testid="safe-address"]', /^0x[0-9a-fA-F]{40}$/, 60000);
  await session.click(await session.waitFor('[data-testid="nav-recovery"]'));
  const identity = {
    firstName: 'Ada',
    lastName: 'Lovelace',
    birthDate: '1985-12-10',
    birthCity: 'London',
    birthCountry: 'United Kingdom',
  };
  for (const [field, value] of Object.entries(identity)) {
    await session.type(await session.waitFor(`[data-testid="recovery-${field}"]`), value);
  }
  await session.click(await session.find('[data-testid="recovery-review-enable"]'));
  await session.click(await session.waitFor('[data-testid="recovery-approve"]'));
  await session.waitForText('[data-testid="recovery-op-result"]', /Confirmed/, 90000);
  await session.click(await session.find('[data-testid="recovery-done"]'));
  await session.waitFor('[data-testid="recovery-enabled"]');

  // The guardian starts a recovery; the next status check notifies through tauri-plugin-notification.
  await sandbox(sandboxUrl, 'recovery/start', { safeAddress: safe });
  await session.click(await session.find('[data-testid="recovery-refresh"]'));
  await session.waitFor('[data-testid="recovery-countdown"]');
  let seen = '';
  for (let i = 0; i < 150 && !seen.includes('Wallet recovery pending'); i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 200));
    seen = readFileSync(log, 'utf8');
  }
  assert.match(seen, /string "Wallet recovery pending"/, 'the daemon never received the notification');
  assert.match(seen, /can be executed in (1 day|23 h 5\d min)/);
  captureWindow('IBEx Wallet', join(shots, 'app-recovery-pending.png'));
});

test('for a tenant rpId a security key signs up, in, a transfer and a recovery, its PIN typed in the app', async () => {
  // A separate IBEx in tenant mode: rpId wallet.example.test, origin https://wallet.example.test.
  const port = await freePort();
  const tenant = startProcess(
    binary('ibex-sandbox'),
    ['--port', String(port), '--rp-id', 'wallet.example.test'],
    /listening on (\S+)/,
  );
  try {
    const [, url] = await tenant.matched;
    await session.click(await session.waitFor('[data-testid="sign-out"]'));
    await session.click(await session.waitFor('input[name="network"][value="custom"]'));
    await session.type(await session.waitFor('#base-url'), /** @type {string} */ (url));
    await session.type(await session.waitFor('#rp-id'), 'wallet.example.test');
    await session.click(await session.find('[data-testid="save-network"]'));
    await session.waitForText('[data-testid="base-url"]', new RegExp(`^${url}`), 30000);
    // The browser hand-off cannot sign for a tenant; the security key can (the test build's
    // key: a software CTAP2 key behind the USB code path, PIN 1234).
    assert.match(await session.waitForText('[data-testid="provider-native"]', /./), /own sign-in page/);
    await session.click(await session.waitFor('[data-testid="provider-choice-securityKey"]'));

    /** Answers the key's PIN dialog. @param {string} pin */
    const enterPin = async (pin) => {
      await session.type(await session.waitFor('[data-testid="key-pin"]', 60000), pin);
      await session.click(await session.find('[data-testid="key-pin-submit"]'));
    };
    /**
     * Waits until the key is done and its dialog closed (it covers the page while open). It
     * must then stay closed: the clicks that follow would be intercepted by a dialog that
     * reopened (as it did when the core's late "touch the key" prompt overtook the end).
     */
    const keyDone = async () => {
      const end = Date.now() + 60000;
      for (;;) {
        const dialog = await session.find('[data-testid="key-prompt"]').catch(() => null);
        if (dialog === null) return;
        if (Date.now() > end) {
          const shows = await session.text(dialog).catch(() => '?');
          assert.fail(`the security key dialog never closed; it shows: ${JSON.stringify(shows)}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    };

    await session.click(await session.waitFor('[data-testid="create-wallet"]'));
    await enterPin('1234');
    await keyDone();
    // Signed in on the page the last session left open; the address is on the portfolio.
    await session.click(await session.waitFor('[data-testid="nav-portfolio"]'));
    const safe = await session.waitForText('[data-testid="safe-address"]', /^0x[0-9a-fA-F]{40}$/, 60000);

    // Sign out; at sign-in a wrong PIN first: the dialog says how many tries are left.
    await session.click(await session.waitFor('[data-testid="sign-out"]'));
    await session.click(await session.waitFor('[data-testid="sign-in"]'));
    await enterPin('0000');
    assert.match(
      await session.waitForText('[data-testid="key-pin-wrong"]', /tries left/, 30000),
      /Wrong PIN\.\s+7 tries left before the key locks\./,
    );
    // The X window repaints a moment after the DOM changes (WebDriver's snapshot lags more).
    await new Promise((r) => setTimeout(r, 1000));
    captureWindow('IBEx Wallet', join(shots, 'app-security-key-pin.png'));
    await enterPin('1234');
    await keyDone();
    await session.click(await session.waitFor('[data-testid="nav-portfolio"]'));
    assert.equal(await session.waitForText('[data-testid="safe-address"]', /^0x/, 60000), safe);

    // A transfer, approved with the key.
    await session.click(await session.waitFor('[data-testid="nav-send"]'));
    await session.waitForText('[data-testid="send-token"]', / on /, 30000);
    await session.type(await session.find('[data-testid="send-to"]'), '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359');
    await session.type(await session.find('[data-testid="send-amount"]'), '0.0001');
    await session.click(await session.find('[data-testid="review-send"]'));
    await session.click(await session.waitFor('[data-testid="approve"]', 30000));
    await enterPin('1234');
    await keyDone();
    await session.waitForText('[data-testid="op-result"]', /Confirmed/, 90000);

    // A recovery, approved with the key.
    await session.click(await session.waitFor('[data-testid="nav-recovery"]'));
    const identity = {
      firstName: 'Grace',
      lastName: 'Hopper',
      birthDate: '1986-12-09',
      birthCity: 'New York',
      birthCountry: 'United States',
    };
    for (const [field, value] of Object.entries(identity)) {
      await session.type(await session.waitFor(`[data-testid="recovery-${field}"]`), value);
    }
    await session.click(await session.find('[data-testid="recovery-review-enable"]'));
    await session.click(await session.waitFor('[data-testid="recovery-approve"]'));
    await enterPin('1234');
    await keyDone();
    await session.waitForText('[data-testid="recovery-op-result"]', /Confirmed/, 90000);
    captureWindow('IBEx Wallet', join(shots, 'app-security-key-recovery.png'));
  } finally {
    await tenant.stop();
  }
});
