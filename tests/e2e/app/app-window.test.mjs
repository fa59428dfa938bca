// The real desktop app under Xvfb: its window renders the UI, and WebDriver (tauri-driver +
// WebKitWebDriver) finds and clicks an element. Needs DISPLAY (run through scripts/with-display).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { artifactsDir, binary } from '../support/paths.mjs';
import { freePort, startProcess } from '../support/process.mjs';
import { webdriver } from '../support/webdriver.mjs';

const shots = artifactsDir('app');
/** @type {ReturnType<typeof startProcess>} */
let driver;
/** @type {Awaited<ReturnType<ReturnType<typeof webdriver>['newSession']>>} */
let session;

before(async () => {
  assert.ok(process.env.DISPLAY, 'DISPLAY must be set (run under Xvfb)');
  const port = await freePort();
  const nativePort = await freePort();
  driver = startProcess(
    process.env.TAURI_DRIVER ?? 'tauri-driver',
    ['--port', String(port), '--native-port', String(nativePort), '--native-driver', '/usr/bin/WebKitWebDriver'],
    undefined,
    { env: isolatedHome() },
  );
  // tauri-driver prints nothing when ready; wait until it answers.
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${base}/status`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  session = await webdriver(base).newSession(binary('ibex-wallet'));
});

/** The app (a child of tauri-driver) keeps its settings in a fresh directory, not the user's. */
function isolatedHome() {
  const home = mkdtempSync(join(tmpdir(), 'ibex-app-home-'));
  return {
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CACHE_HOME: join(home, 'cache'),
  };
}

after(async () => {
  await session?.close().catch(() => {});
  await driver?.stop();
});

test('the app window renders the first screen with data from the embedded sandbox', async () => {
  assert.equal(await session.waitForText('[data-testid="server-status"]', /Online/), '● Online');
  assert.equal(await session.waitForText('[data-testid="network-label"]', /./), 'Local sandbox');

  // Non-blank: a rendered UI has many distinct colours; a blank window has one or two. The
  // first frame can lag the DOM by a moment on a fresh WebKit profile, so poll briefly.
  const path = join(shots, 'app-window.png');
  let colours = 0;
  for (let i = 0; i < 20 && colours <= 50; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 500));
    writeFileSync(path, await session.screenshot());
    colours = Number(execFileSync('/usr/bin/identify', ['-format', '%k', path]).toString());
  }
  assert.ok(colours > 50, `screenshot has only ${colours} colours`);
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
