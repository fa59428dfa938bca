// The release workflow's latest.json: every signed package lands under the keys the updater
// looks up, with its size; unsigned files are left out; two packages for one key are refused.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildManifest, signedAssets } from '../../scripts/release-manifest.mjs';

test('latest.json maps each signed package to its platform keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ibex-manifest-'));
  try {
    const files = {
      'IBEx-Wallet_1.2.0_amd64.deb': 'deb',
      'IBEx-Wallet-1.2.0-1.x86_64.rpm': 'rpm',
      'IBEx-Wallet_1.2.0_amd64.AppImage': 'appimage',
      'IBEx-Wallet_1.2.0_x64-setup.exe': 'nsis',
      'IBEx-Wallet_1.2.0_x64_en-US.msi': 'msi',
      'IBEx-Wallet_1.2.0_universal.app.tar.gz': 'app',
    };
    for (const [name, body] of Object.entries(files)) {
      writeFileSync(join(dir, name), body);
      writeFileSync(join(dir, `${name}.sig`), `sig-${body}\n`);
    }
    writeFileSync(join(dir, 'IBEx-Wallet_1.2.0_universal.dmg'), 'dmg (not an update artifact)');
    writeFileSync(join(dir, 'IBEx-Wallet_1.2.0_amd64.unsigned.deb'), 'no .sig');
    const m = buildManifest({
      version: '1.2.0',
      notes: 'Notes',
      pubDate: '2026-12-01T00:00:00Z',
      baseUrl: 'https://github.com/ibex-wallet/ibex-wallet/releases/download/v1.2.0/',
      assets: signedAssets(dir),
    });
    assert.deepEqual(Object.keys(m.platforms).sort(), [
      'darwin-aarch64',
      'darwin-aarch64-app',
      'darwin-x86_64',
      'darwin-x86_64-app',
      'linux-x86_64',
      'linux-x86_64-appimage',
      'linux-x86_64-deb',
      'linux-x86_64-rpm',
      'windows-x86_64',
      'windows-x86_64-msi',
      'windows-x86_64-nsis',
    ]);
    assert.deepEqual(m.platforms['linux-x86_64-deb'], {
      url: 'https://github.com/ibex-wallet/ibex-wallet/releases/download/v1.2.0/IBEx-Wallet_1.2.0_amd64.deb',
      signature: 'sig-deb',
      size: 3,
    });
    assert.equal(m.platforms['linux-x86_64']?.signature, 'sig-appimage');
    assert.equal(m.platforms['windows-x86_64']?.signature, 'sig-nsis');
    assert.equal(m.version, '1.2.0');
    assert.throws(
      () =>
        buildManifest({
          version: '1',
          notes: '',
          pubDate: '',
          baseUrl: 'https://x',
          assets: [
            { name: 'a_amd64.deb', size: 1, signature: 's' },
            { name: 'b_amd64.deb', size: 1, signature: 's' },
          ],
        }),
      /two packages for linux-x86_64-deb/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
