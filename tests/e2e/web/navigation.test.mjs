// The signed-in app's grouped sidebar: every page reachable from its group, the current one
// marked (aria-current), a skip link, keyboard order (skip link → sidebar → page), visible
// focus, light and dark, and the app's minimum window (720 × 560) without horizontal scrolling.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  addVirtualAuthenticator,
  collectPageErrors,
  openSignedOutAt,
  seriousA11yViolations,
  useHostAndBrowser,
} from '../support/browser.mjs';
import { t } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';

const env = useHostAndBrowser();
const shots = artifactsDir('web/navigation');
/**
 * The sidebar's groups and pages, in order (ui/src/lib/pages/index.ts).
 * @type {[keyof typeof import('../../../ui/src/lib/paraglide/messages.js'), string[]][]}
 */
const GROUPS = [
  ['nav_group_wallet', ['portfolio', 'activity', 'derived', 'send', 'contacts']],
  ['nav_group_defi', ['swap', 'earn', 'positions']],
  ['nav_group_security', ['recovery', 'owners', 'message']],
  ['nav_group_account', ['settings']],
];

test('navigation: grouped sidebar, every page, aria-current, keyboard, minimum window, light and dark', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  await addVirtualAuthenticator(page);
  await openSignedOutAt(page, env.host().url);
  await page.getByTestId('create-wallet').click();
  await page.getByTestId('safe-address').first().waitFor({ timeout: 30000 });
  const sidebar = page.getByTestId('sidebar');

  // Each group is labelled and holds its pages in order.
  for (const [label, ids] of GROUPS) {
    const group = sidebar.getByRole('group', { name: t(label) });
    await group.waitFor();
    const inGroup = await group.locator('[data-testid^="nav-"]').evaluateAll((els) => els.map((e) => e.dataset.testid));
    assert.deepEqual(
      inGroup,
      ids.map((id) => `nav-${id}`),
      label,
    );
  }
  // Every page opens from the sidebar and is the only one marked current.
  for (const id of GROUPS.flatMap(([, ids]) => ids)) {
    await page.getByTestId(`nav-${id}`).click();
    assert.equal(await page.getByTestId(`nav-${id}`).getAttribute('aria-current'), 'page');
    assert.equal(await sidebar.locator('[aria-current="page"]').count(), 1);
  }
  await page.getByTestId('nav-portfolio').click();

  // Keyboard: the skip link comes first and takes the focus to the page; then the sidebar.
  // From the top of a fresh load (the core keeps the session).
  await page.reload();
  await page.getByTestId('nav-portfolio').waitFor({ timeout: 30000 });
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: t('app_skip_to_content') });
  assert.equal(await skip.evaluate((e) => e === document.activeElement), true);
  assert.ok(((await skip.boundingBox())?.y ?? -1) >= 0, 'the focused skip link is visible');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
  await page.getByTestId('nav-portfolio').focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'nav-activity');
  await page.keyboard.press('Enter');
  assert.equal(await page.getByTestId('nav-activity').getAttribute('aria-current'), 'page');
  // The focus ring is drawn (keyboard focus shows an outline).
  const outline = await page.getByTestId('nav-activity').evaluate((e) => getComputedStyle(e).outlineStyle);
  assert.equal(outline, 'solid');
  await page.screenshot({ path: join(shots, '1-sidebar.png') });
  assert.deepEqual(await seriousA11yViolations(page), []);

  // The app's minimum window: the sidebar and the page fit side by side, nothing scrolls sideways.
  await page.setViewportSize({ width: 720, height: 560 });
  await page.getByTestId('nav-swap').click();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 720), 'no horizontal scroll');
  await page.getByTestId('nav-settings').scrollIntoViewIfNeeded();
  assert.ok(await page.getByTestId('nav-settings').isVisible(), 'the last entry is reachable');
  await page.screenshot({ path: join(shots, '2-minimum-window.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(shots, '2-minimum-window-dark.png') });
  assert.deepEqual(await seriousA11yViolations(page), []);
  assert.deepEqual(errors, []);
  await page.close();
});
