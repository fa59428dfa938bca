// Where the test binaries and artifacts live, shared by every e2e test.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(repoRoot, 'target');

/** A debug binary of this workspace. @param {string} name */
export function binary(name) {
  return join(targetDir, 'debug', name);
}

/** A folder under test-artifacts/ (test-artifacts/fr/ for the French run) for screenshots and
 * logs; created on demand. @param {string} name */
export function artifactsDir(name) {
  const dir = join(repoRoot, 'test-artifacts', process.env.E2E_LOCALE === 'fr' ? 'fr' : '', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
