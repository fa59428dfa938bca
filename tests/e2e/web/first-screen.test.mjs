// The UI in headless Chromium, through the web transport, against the real core and the
// real (in-process) sandbox.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import http from 'node:http';
import { join } from 'node:path';
import { collectPageErrors, seriousA11yViolations, useHostAndBrowser } from '../support/browser.mjs';
import { byLocale, literally, LOCALE, t, tIn } from '../support/i18n.mjs';
import { artifactsDir } from '../support/paths.mjs';

const env = useHostAndBrowser();
const shots = artifactsDir('web');
test('first screen shows the sandbox health that the core fetched', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  await page.goto(env.host().url);

  const status = page.getByTestId('server-status');
  await status.waitFor();
  assert.equal(await status.textContent(), `● ${t('conn_online')}`);
  assert.equal(
    await page.getByTestId('network-label').textContent(),
    byLocale({ en: 'Local sandbox', fr: 'Bac à sable local' }),
  );
  assert.equal(await page.getByTestId('rp-id').textContent(), 'localhost');
  const baseUrl = await page.getByTestId('base-url').textContent();
  assert.match(baseUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);

  // The sandbox really answered: its /health is reachable at the URL the core reported.
  const health = await (await fetch(`${baseUrl}/health`)).json();
  assert.equal(health.status, 'ok');
  assert.ok(!Number.isNaN(Date.parse(health.timestamp)));

  // Chromium on http://localhost may use passkeys for rpId localhost: the core picks the page.
  const webview = page.getByTestId('provider-webview');
  await webview.waitFor();
  assert.match(
    (await webview.textContent()) ?? '',
    new RegExp(`${literally(t('provider_webview_name')).source}\\s*${t('providers_recommended')}`),
  );
  assert.equal(await page.evaluate(() => document.documentElement.lang), LOCALE);

  // The secret left the address bar once read.
  assert.equal(new URL(page.url()).hash, '');
  await page.screenshot({ path: join(shots, 'first-screen-light.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);
  assert.deepEqual(errors, [], 'no console errors or CSP violations');
  await page.close();
});

test('theme choice is saved by the core and survives a reload', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  await page.goto(env.host().url);
  await page.getByTestId('theme-dark').click();
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  await page.getByTestId('server-status').waitFor();
  await page.screenshot({ path: join(shots, 'first-screen-dark.png'), fullPage: true });
  assert.deepEqual(await seriousA11yViolations(page), []);

  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  assert.equal(await page.getByTestId('theme-dark').getAttribute('aria-pressed'), 'true');
  await page.getByTestId('theme-system').click();
  await page.waitForFunction(() => document.documentElement.dataset.theme === undefined);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a bad custom network is refused with a specific message, and nothing changes', async () => {
  const page = await env.browser().newPage();
  await page.goto(env.host().url);
  await page.getByTestId('server-status').waitFor();
  await page.getByLabel(t('net_custom')).check();
  await page.getByLabel(t('net_url')).fill('http://remote.example.com');
  await page.getByLabel(t('net_rp_id'), { exact: true }).fill('example.com');
  await page.getByTestId('save-network').click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(
    (await alert.textContent()) ?? '',
    byLocale({
      en: /Only a server on this computer may use http:\/\//,
      fr: /Seul un serveur sur cet ordinateur peut utiliser http:\/\//,
    }),
  );
  await page.reload();
  assert.equal(
    await page.getByTestId('network-label').textContent(),
    byLocale({ en: 'Local sandbox', fr: 'Bac à sable local' }),
  );
  await page.close();
});

test('the language is a core setting: the window and the core switch at once, and it survives a reload', async () => {
  const page = await env.browser().newPage();
  const errors = collectPageErrors(page);
  await page.goto(env.host().url);
  await page.getByTestId('server-status').waitFor();
  // The run's language comes from the system; choose the other one.
  const other = LOCALE === 'fr' ? 'en' : 'fr';
  await page.getByTestId('language').selectOption(other);
  await page.waitForFunction((lang) => document.documentElement.lang === lang, other);
  assert.equal(await page.locator('#hero-title').textContent(), tIn(other, 'app_hero_title'));
  assert.equal(await page.getByTestId('server-status').textContent(), `● ${tIn(other, 'conn_online')}`);
  // The core answers in it too.
  await page.getByLabel(tIn(other, 'net_custom')).check();
  await page.getByLabel(tIn(other, 'net_url')).fill('ftp://x.example');
  await page.getByLabel(tIn(other, 'net_rp_id'), { exact: true }).fill('example.com');
  await page.getByTestId('save-network').click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(
    (await alert.textContent()) ?? '',
    other === 'fr' ? /^L’URL IBEx doit commencer par https:\/\// : /^The IBEx URL must start with https:\/\//,
  );
  if (other === 'fr') await page.screenshot({ path: join(shots, 'language-fr.png'), fullPage: true });
  await page.reload();
  await page.waitForFunction((lang) => document.documentElement.lang === lang, other);
  assert.equal(await page.getByTestId('language').inputValue(), other);
  // Back to the system's.
  await page.getByTestId('language').selectOption('system');
  await page.waitForFunction((lang) => document.documentElement.lang === lang, LOCALE);
  assert.equal(await page.locator('#hero-title').textContent(), t('app_hero_title'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the web host refuses commands without the per-run secret', async () => {
  const noSecret = await fetch(`${env.host().origin}/ipc/app_info`, { method: 'POST', body: '{}' });
  assert.equal(noSecret.status, 401);
  // A DNS-rebinding page would reach 127.0.0.1 with a foreign Host header.
  const url = new URL(env.host().origin);
  const status = await new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: url.port, path: '/', headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
      .on('error', reject);
  });
  assert.equal(status, 403);
});
