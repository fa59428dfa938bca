// Headless Debian Chromium through playwright-core (no browser download), and the dev web
// host serving the real UI and core.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { binary, repoRoot } from './paths.mjs';
import { startProcess } from './process.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Starts `ibex-devhost` on a free port; resolves with its secret-bearing URL. */
export async function startDevhost() {
  const dataDir = mkdtempSync(join(tmpdir(), 'ibex-devhost-'));
  const proc = startProcess(
    binary('ibex-devhost'),
    ['--dist', join(repoRoot, 'ui/dist'), '--data-dir', dataDir],
    /IBEX_DEVHOST_URL=(\S+)/,
    { env: { RUST_LOG: 'warn' } },
  );
  const [, url] = await proc.matched;
  return { url, origin: new URL(url).origin, dataDir, stop: proc.stop };
}

/**
 * Collects console errors and CSP violations of a page; a test asserts the list is empty.
 * @param {import('playwright-core').Page} page
 */
export function collectPageErrors(page) {
  /** @type {string[]} */
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core on the page; returns violations of impact serious or critical.
 * @param {import('playwright-core').Page} page
 */
export async function seriousA11yViolations(page) {
  await page.evaluate(axeSource);
  /** @type {{ id: string, impact: string, nodes: { target: string[] }[] }[]} */
  const violations = await page.evaluate(async () => {
    // @ts-expect-error axe is injected above
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
