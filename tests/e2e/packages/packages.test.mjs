// The Debian package for real, as root under Xvfb (run by scripts/test-packages.sh, which
// builds the two signed test bundles): `dpkg -i` installs the binary, the menu entry and the
// icons and the app starts from the entry's command; the installed N−1 refuses a corrupted
// package and one signed with another key and keeps running with its data; then it updates to
// N through the UI, `dpkg -s` reports N and the relaunched app shows N; `dpkg -r` removes the
// package and leaves the user's data.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { artifactsDir, repoRoot } from '../support/paths.mjs';
import { startDriver } from '../support/webdriver.mjs';
import { buildManifest } from '../../../scripts/release-manifest.mjs';

/** The Debian package name the bundler derives from the product name (kebab case of "IBEx Wallet"). */
const PACKAGE = 'ib-ex-wallet';
const BIN = '/usr/bin/ibex-wallet';
/** The loopback address in tests/update/tauri.test.conf.json. */
const UPDATE_PORT = 47613;
const packages = process.env.IBEX_PACKAGES ?? '';
const previous = process.env.IBEX_PREVIOUS_VERSION ?? '';
const current = process.env.IBEX_CURRENT_VERSION ?? '';
const shots = artifactsDir('packages');
const home = mkdtempSync(join(tmpdir(), 'ibex-packages-home-'));
const env = {
  XDG_DATA_HOME: join(home, 'data'),
  XDG_CONFIG_HOME: join(home, 'config'),
  XDG_CACHE_HOME: join(home, 'cache'),
  NO_COLOR: '1',
  // The assertions read the English texts: pin the system language whatever the machine's.
  LC_ALL: 'en_US.UTF-8',
  LANG: 'en_US.UTF-8',
};
const dataDir = join(env.XDG_DATA_HOME, 'fi.ibex.wallet');
/** Every instance's log, the relaunched one's included (it inherits the descriptors). */
const appLog = join(home, 'app.log');
/** WebDriver starts this, which becomes the installed app with its output in `appLog`: the
 * relaunched app must not inherit WebKitWebDriver's pipes, which close with the old process. */
const launcher = join(home, 'launch.sh');

/** What the loopback update server answers: `latest.json` and the package bytes. */
const served = { manifest: /** @type {object | null} */ (null), pkg: Buffer.alloc(0) };
/** @type {import('node:http').Server} */
let server;
/** What every tauri-driver / WebKitWebDriver pair printed, for a failed run. */
const driverLogs = /** @type {string[]} */ ([]);
/** Drivers still running: a test that fails midway leaves its own, which `after` stops (a
 * running tauri-driver would keep this process alive). */
const liveDrivers = new Set(/** @type {Awaited<ReturnType<typeof startDriver>>[]} */ ([]));

/** A version as a regular expression. @param {string} v */
const esc = (v) => v.replace(/\./g, '\\.');
const deb = (/** @type {string} */ v) => join(packages, `ibex-wallet_${v}.deb`);
const sig = (/** @type {string} */ v) => readFileSync(`${deb(v)}.sig`, 'utf8').trim();

/** `latest.json` as the release workflow writes it (same generator). */
function manifest(/** @type {string} */ version, /** @type {string} */ signature, /** @type {number} */ size) {
  return buildManifest({
    version,
    notes: `IBEx Wallet ${version}: test release.`,
    pubDate: new Date().toISOString(),
    baseUrl: `http://127.0.0.1:${UPDATE_PORT}/download`,
    assets: [{ name: `IBEx-Wallet_${version}_amd64.deb`, size, signature }],
  });
}

function dpkgVersion() {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status} ${Version}', PACKAGE]);
  return r.status === 0 ? r.stdout.toString() : 'not installed';
}

/** PIDs of processes running the installed binary (a replaced binary reads "… (deleted)"). */
function installedApps() {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((pid) => {
      try {
        const exe = readlinkSync(`/proc/${pid}/exe`);
        return exe === BIN || exe === `${BIN} (deleted)` ? [{ pid: Number(pid), exe }] : [];
      } catch {
        return [];
      }
    });
}

/** The D-Bus name tauri-plugin-single-instance holds for the running app (identifier + suffix). */
const INSTANCE_NAME = 'fi.ibex.wallet.SingleInstance';

function instanceNameOwned() {
  const r = spawnSync('dbus-send', [
    '--session',
    '--print-reply',
    '--dest=org.freedesktop.DBus',
    '/org/freedesktop/DBus',
    'org.freedesktop.DBus.NameHasOwner',
    `string:${INSTANCE_NAME}`,
  ]);
  return r.stdout.toString().includes('boolean true');
}

/** Until no installed app runs and none holds the single-instance name: an app started before
 * the bus has seen the last one go would hand over to it and exit. */
async function noAppLeft() {
  await until(() => installedApps().length === 0 && !instanceNameOwned(), 'every installed app to end', 10000);
}

function killInstalledApps() {
  for (const { pid } of installedApps()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

async function until(/** @type {() => boolean} */ ok, /** @type {string} */ what, timeoutMs = 60000) {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function windowOf(/** @type {number} */ pid) {
  const r = spawnSync('xdotool', ['search', '--pid', String(pid), '--onlyvisible', '--name', '^IBEx Wallet$']);
  return r.status === 0 ? r.stdout.toString().trim().split('\n')[0] : '';
}

/**
 * The installed app under WebDriver, with this test's data directories. Each session gets its
 * own tauri-driver and WebKitWebDriver, and sessions are not closed through WebDriver: the
 * update's app restarts itself out from under its session, and the WebKitWebDriver that held
 * such a session, given a DELETE it could not complete, then refused the next session (tauri-driver
 * drops the connection when WebKitWebDriver does not answer: "fetch failed"). One WebDriver
 * request in this file also once waited 300 s for an answer. Stopping the drivers and ending
 * the app is an end that always completes.
 */
async function openApp() {
  const driver = await startDriver(env);
  liveDrivers.add(driver);
  try {
    const session = await driver.newSession(launcher);
    await session.waitForText('footer', /IBEx Wallet/);
    return { ...session, driver };
  } catch (e) {
    await stopDriver(driver);
    throw e;
  }
}

/** @param {Awaited<ReturnType<typeof startDriver>>} driver */
async function stopDriver(driver) {
  liveDrivers.delete(driver);
  await driver.stop();
  driverLogs.push(driver.output());
}

/** Stops the session's drivers and every installed app still running; waits until none is left. */
async function closeApp(/** @type {Awaited<ReturnType<typeof openApp>>} */ session) {
  await stopDriver(session.driver);
  killInstalledApps();
  await noAppLeft();
}

/** Clicks without waiting for the answer (the click may end the app). @param {Awaited<ReturnType<typeof openApp>>} session @param {string} css */
async function clickAway(session, css) {
  const el = await session.find(css);
  session.click(el).catch(() => {});
}

/** The offer in the banner, then Install and restart; resolves with the banner's problem. */
async function installFromBanner(/** @type {Awaited<ReturnType<typeof openApp>>} */ session) {
  await session.waitForText('[data-testid=update-banner] [data-testid=update-version]', new RegExp(current), 60000);
  await clickAway(session, '[data-testid=update-install]');
}

const settingsFile = join(dataDir, 'ibex-wallet.json');
const settingsHash = () => createHash('sha256').update(readFileSync(settingsFile)).digest('hex');

before(async () => {
  assert.ok(process.env.DISPLAY, 'DISPLAY must be set (run through scripts/test-packages.sh)');
  assert.equal(process.getuid?.(), 0, 'dpkg needs root');
  assert.ok(existsSync(deb(previous)) && existsSync(deb(current)), `bundles missing in ${packages}`);
  assert.notEqual(previous, current);
  // A package left by an interrupted run would hide what this one installs.
  spawnSync('dpkg', ['-r', PACKAGE]);
  writeFileSync(launcher, `#!/bin/sh\nexec ${BIN} "$@" >>${appLog} 2>&1\n`, { mode: 0o755 });
  server = createServer((req, res) => {
    if (req.url === '/latest.json' && served.manifest) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served.manifest));
    } else if (req.url?.startsWith('/download/')) {
      res.writeHead(200, { 'content-length': served.pkg.length }).end(served.pkg);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(UPDATE_PORT, '127.0.0.1', () => r(undefined)));
});

after(async () => {
  for (const driver of liveDrivers) await stopDriver(driver);
  killInstalledApps();
  // What the drivers and every app instance said, for a failed run.
  writeFileSync(join(shots, 'tauri-driver.log'), driverLogs.join('\n----\n'));
  if (existsSync(appLog)) writeFileSync(join(shots, 'app.log'), readFileSync(appLog));
  server?.close();
  // CI runs as root on a shared machine: leave no package behind.
  spawnSync('dpkg', ['-r', PACKAGE]);
  rmSync(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

test('dpkg -i installs the binary, the menu entry and the icons; the entry starts the app', async () => {
  execFileSync('dpkg', ['-i', deb(previous)], { stdio: 'pipe' });
  assert.match(dpkgVersion(), new RegExp(`install ok installed ${esc(previous)}`));
  const files = execFileSync('dpkg', ['-L', PACKAGE]).toString().split('\n');
  assert.ok(files.includes(BIN), files.join('\n'));
  const desktop = files.find((f) => f.startsWith('/usr/share/applications/') && f.endsWith('.desktop'));
  assert.ok(desktop, `no .desktop entry in ${files.join(' ')}`);
  const icons = files.filter((f) => f.startsWith('/usr/share/icons/hicolor/') && f.endsWith('.png'));
  assert.ok(icons.length >= 2, `icons: ${icons.join(' ')}`);
  for (const f of [BIN, desktop, ...icons]) assert.ok(existsSync(f), f);

  const entry = readFileSync(desktop, 'utf8');
  assert.match(entry, /^Name=IBEx Wallet$/m);
  assert.match(entry, /^Categories=.*Finance/m);
  const exec = entry.match(/^Exec=(.+)$/m)?.[1] ?? '';
  assert.ok(exec, entry);
  // The menu runs the Exec line without field codes (%U, %f, …) through the user's PATH.
  const command = exec.replace(/ ?%[a-zA-Z]/g, '');
  const app = spawn('sh', ['-c', `exec ${command}`], {
    env: { ...process.env, ...env, PATH: '/usr/bin:/bin' },
    stdio: 'ignore',
  });
  try {
    await until(() => windowOf(app.pid ?? 0) !== '', 'the window of the menu entry’s command', 60000);
    assert.equal(readlinkSync(`/proc/${app.pid}/exe`), BIN);
  } finally {
    app.kill('SIGKILL');
    await noAppLeft();
  }
});

test('a package with one byte flipped is refused and N−1 keeps running with its data', async () => {
  const bytes = Buffer.from(readFileSync(deb(current)));
  bytes[Math.floor(bytes.length / 2)] ^= 0x01;
  served.pkg = bytes;
  served.manifest = manifest(current, sig(current), bytes.length);
  const session = await openApp();
  try {
    await session.click(await session.waitFor('[data-testid=theme-dark]'));
    // The core saves the setting after the click's answer reaches the page: wait for the file.
    await until(
      () => existsSync(settingsFile) && /"theme":\s*"dark"/.test(readFileSync(settingsFile, 'utf8')),
      'the dark theme saved',
      10000,
    );
    const before = settingsHash();
    await installFromBanner(session);
    const problem = await session.waitForText('[data-testid=update-problem]', /refused/, 60000);
    assert.equal(problem, "This update is not signed with IBEx Wallet's key and was refused.");
    await writeShot(session, 'refused-corrupted.png');
    assert.match(dpkgVersion(), new RegExp(`${esc(previous)}$`));
    // Still the same app, still answering, with the same settings on disk.
    assert.match(await session.waitForText('footer', /IBEx Wallet/), new RegExp(esc(previous)));
    assert.equal(settingsHash(), before);
    assert.equal(installedApps().length, 1);
  } finally {
    await closeApp(session);
  }
});

test('a manifest whose signature comes from another key is refused', async () => {
  const other = mkdtempSync(join(tmpdir(), 'ibex-other-key-'));
  const tauri = join(repoRoot, 'node_modules/.bin/tauri');
  const clean = { ...process.env };
  delete clean.TAURI_SIGNING_PRIVATE_KEY;
  delete clean.TAURI_SIGNING_PRIVATE_KEY_PASSWORD;
  const run = (/** @type {string[]} */ args) => execFileSync(tauri, args, { stdio: 'pipe', env: clean });
  run(['signer', 'generate', '--ci', '-p', '', '-w', join(other, 'k')]);
  // The same package and version, signed by a key that is not the app's.
  const copy = join(other, 'package.deb');
  writeFileSync(copy, readFileSync(deb(current)));
  run(['signer', 'sign', '-f', join(other, 'k'), '-p', '', '--app-version', current, copy]);
  const foreign = readFileSync(`${copy}.sig`, 'utf8').trim();
  rmSync(other, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  served.pkg = readFileSync(deb(current));
  served.manifest = manifest(current, foreign, served.pkg.length);
  const session = await openApp();
  try {
    const before = settingsHash();
    await installFromBanner(session);
    const problem = await session.waitForText('[data-testid=update-problem]', /refused/, 60000);
    assert.equal(problem, "This update is not signed with IBEx Wallet's key and was refused.");
    assert.match(dpkgVersion(), new RegExp(`${esc(previous)}$`));
    assert.equal(settingsHash(), before);
  } finally {
    await closeApp(session);
  }
});

test('N−1 updates to N through the UI: dpkg -s reports N and the relaunched app shows N', async () => {
  served.pkg = readFileSync(deb(current));
  served.manifest = manifest(current, sig(current), served.pkg.length);
  const session = await openApp();
  const [old] = installedApps();
  assert.ok(old, 'N−1 is running');
  await session.waitForText('[data-testid=update-banner]', new RegExp(`IBEx Wallet ${esc(current)}`), 60000);
  const banner = await session.waitForText('[data-testid=update-banner]', /MB/);
  assert.match(banner, /Install and restart/);
  await writeShot(session, 'update-offered.png');
  await clickAway(session, '[data-testid=update-install]');

  // dpkg replaces the binary, the old process ends and starts the new one.
  await until(
    () => new RegExp(`install ok installed ${esc(current)}$`).test(dpkgVersion()),
    'dpkg -s to report N',
    120000,
  );
  await until(
    () => {
      const running = installedApps();
      return !running.some((p) => p.pid === old.pid) && running.some((p) => p.exe === BIN);
    },
    'the relaunched app',
    60000,
  );
  const relaunched = installedApps().find((p) => p.exe === BIN);
  assert.ok(relaunched);
  await until(() => windowOf(relaunched.pid) !== '', 'the relaunched app’s window', 60000);
  // The relaunched process says which version it is (once its setup ran, after the window maps).
  const started = new RegExp(`IBEx Wallet started version=${esc(current)} pid=${relaunched.pid}\\b`);
  await until(() => started.test(readFileSync(appLog, 'utf8')), 'the relaunched app’s start line', 60000);
  execFileSync('/usr/bin/import', ['-window', windowOf(relaunched.pid), join(shots, 'relaunched.png')]);
  await closeApp(session);

  // The binary the relaunched process ran is N: the same binary under WebDriver says so.
  const again = await openApp();
  try {
    const footer = await again.waitForText('footer', /IBEx Wallet/);
    assert.match(footer, new RegExp(`IBEx Wallet\\s+${esc(current)}`));
    await writeShot(again, 'after-update.png');
  } finally {
    await closeApp(again);
  }
});

test('dpkg -r removes the app and leaves the user’s data', async () => {
  const files = execFileSync('dpkg', ['-L', PACKAGE])
    .toString()
    .split('\n')
    .filter((f) => f.endsWith('.png') || f.endsWith('.desktop') || f === BIN);
  execFileSync('dpkg', ['-r', PACKAGE], { stdio: 'pipe' });
  assert.equal(dpkgVersion().includes('install ok installed'), false);
  for (const f of files) assert.equal(existsSync(f), false, `${f} is still there`);
  assert.ok(existsSync(join(dataDir, 'ibex-wallet.json')), 'the user’s settings were removed');
});

/** Saves the WebDriver viewport. @param {Awaited<ReturnType<typeof openApp>>} session @param {string} name */
async function writeShot(session, name) {
  // A screenshot is a bonus, not an assertion: never wait long for one (WebKitWebDriver can hold
  // its answer until the page repaints).
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 10000));
  try {
    writeFileSync(join(shots, name), await Promise.race([session.screenshot(), timeout]));
  } catch {
    // no screenshot this time
  }
}
