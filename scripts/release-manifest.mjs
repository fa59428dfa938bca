#!/usr/bin/env node
// Writes the updater's `latest.json` for a release from its signed update artifacts: each
// package with its `.sig` beside it becomes the platform entries tauri-plugin-updater looks up
// (`{os}-{arch}-{bundle}` first, then `{os}-{arch}`), with the package's `size` (our addition,
// shown before downloading; the plugin ignores unknown fields).
// Usage: scripts/release-manifest.mjs <version> <notes file> <base download URL> <artifacts dir>
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Which platform entries a package file serves. The bare `{os}-{arch}` key is the fallback for
 * installs whose bundle type is unknown: the AppImage on Linux, NSIS on Windows.
 * @param {string} name
 * @returns {string[]}
 */
export function platformsFor(name) {
  if (/_amd64\.deb$/.test(name)) return ['linux-x86_64-deb'];
  if (/\.x86_64\.rpm$/.test(name)) return ['linux-x86_64-rpm'];
  if (/_amd64\.AppImage$/.test(name)) return ['linux-x86_64-appimage', 'linux-x86_64'];
  if (/_x64-setup\.exe$/.test(name)) return ['windows-x86_64-nsis', 'windows-x86_64'];
  if (/_x64_[A-Za-z-]+\.msi$/.test(name)) return ['windows-x86_64-msi'];
  // One universal macOS app serves both architectures.
  if (/\.app\.tar\.gz$/.test(name))
    return ['darwin-aarch64-app', 'darwin-aarch64', 'darwin-x86_64-app', 'darwin-x86_64'];
  return [];
}

/**
 * @param {{ version: string, notes: string, pubDate: string, baseUrl: string,
 *   assets: { name: string, size: number, signature: string }[] }} release
 */
export function buildManifest({ version, notes, pubDate, baseUrl, assets }) {
  /** @type {Record<string, { url: string, signature: string, size: number }>} */
  const platforms = {};
  for (const asset of assets) {
    for (const key of platformsFor(asset.name)) {
      if (platforms[key]) throw new Error(`two packages for ${key}: ${asset.name}`);
      platforms[key] = {
        url: `${baseUrl.replace(/\/$/, '')}/${encodeURIComponent(asset.name)}`,
        signature: asset.signature,
        size: asset.size,
      };
    }
  }
  if (Object.keys(platforms).length === 0) throw new Error('no signed update artifacts');
  return { version, notes, pub_date: pubDate, platforms };
}

/** The signed packages in `dir` (a package counts only with its `.sig`). @param {string} dir */
export function signedAssets(dir) {
  const names = readdirSync(dir);
  return names
    .filter((n) => platformsFor(n).length > 0 && names.includes(`${n}.sig`))
    .map((name) => ({
      name,
      size: statSync(join(dir, name)).size,
      signature: readFileSync(join(dir, `${name}.sig`), 'utf8').trim(),
    }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [version, notesFile, baseUrl, dir] = process.argv.slice(2);
  if (!version || !notesFile || !baseUrl || !dir) {
    console.error('usage: release-manifest.mjs <version> <notes file> <base URL> <artifacts dir>');
    process.exit(2);
  }
  const manifest = buildManifest({
    version: version.replace(/^v/, ''),
    notes: readFileSync(notesFile, 'utf8').trim(),
    pubDate: new Date().toISOString(),
    baseUrl,
    assets: signedAssets(dir),
  });
  process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
}
