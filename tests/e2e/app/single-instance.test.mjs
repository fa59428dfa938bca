// One instance: a second launch of the app (same user, same session bus) hands over to the
// running one, which brings its window to the front, and exits without opening a window of
// its own. Needs DISPLAY and a D-Bus session (scripts/with-display.sh).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { binary } from '../support/paths.mjs';
import { startProcess } from '../support/process.mjs';

const home = mkdtempSync(join(tmpdir(), 'ibex-single-'));
const env = {
  XDG_DATA_HOME: join(home, 'data'),
  XDG_CONFIG_HOME: join(home, 'config'),
  XDG_CACHE_HOME: join(home, 'cache'),
  NO_COLOR: '1',
};
/** @type {ReturnType<typeof startProcess> | undefined} */
let first;
/** @type {import('node:child_process').ChildProcess | undefined} */
let other;

after(async () => {
  other?.kill();
  await first?.stop();
  rmSync(home, { recursive: true, force: true });
});

/** X windows titled "IBEx Wallet" of process `pid`. @param {number} pid */
function windowsOf(pid) {
  const r = spawnSync('xdotool', ['search', '--pid', String(pid), '--onlyvisible', '--name', '^IBEx Wallet$']);
  return r.status === 0 ? r.stdout.toString().trim().split('\n').filter(Boolean) : [];
}

test('a second launch focuses the first window and exits', async () => {
  assert.ok(process.env.DISPLAY && process.env.DBUS_SESSION_BUS_ADDRESS, 'run under scripts/with-display.sh');
  first = startProcess(binary('ibex-wallet'), [], /IBEx Wallet started/, { env, timeoutMs: 120000 });
  await first.matched;
  const pid = first.child.pid ?? 0;
  for (let i = 0; i < 240 && windowsOf(pid).length === 0; i++) await new Promise((r) => setTimeout(r, 250));
  const [window] = windowsOf(pid);
  assert.ok(window, 'the first instance shows its window');
  // Another window (ImageMagick's viewer) takes the focus before the second launch.
  other = spawn('/usr/bin/display', ['-title', 'focus-thief', '-size', '64x64', 'xc:gray'], { stdio: 'ignore' });
  let thief = '';
  for (let i = 0; i < 240 && !thief; i++) {
    await new Promise((r) => setTimeout(r, 250));
    thief = spawnSync('xdotool', ['search', '--onlyvisible', '--name', '^focus-thief$']).stdout.toString().trim();
  }
  assert.ok(thief, 'the other window opened');
  spawnSync('xdotool', ['windowfocus', '--sync', thief]);
  assert.equal(focusedWindow(), thief);

  const second = spawn(binary('ibex-wallet'), [], { env: { ...process.env, ...env }, stdio: 'ignore' });
  const code = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the second instance is still running after 30 s')), 30000);
    second.once('exit', (c) => {
      clearTimeout(t);
      resolve(c);
    });
  });
  assert.equal(code, 0, 'the second instance exits successfully after handing over');

  for (let i = 0; i < 40 && !/another launch handed over/.test(first.output()); i++) {
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.match(first.output(), /another launch handed over to this instance/);
  assert.equal(first.child.exitCode, null, 'the first instance keeps running');
  assert.deepEqual(windowsOf(pid), [window], 'still the one window');
  for (let i = 0; i < 40 && focusedWindow() !== window; i++) await new Promise((r) => setTimeout(r, 250));
  assert.equal(focusedWindow(), window, 'the first window has the focus');
});

function focusedWindow() {
  return spawnSync('xdotool', ['getwindowfocus']).stdout.toString().trim();
}
