// A minimal W3C WebDriver client (plain fetch) for tauri-driver + WebKitWebDriver.
import { freePort, startProcess } from './process.mjs';

// The W3C web element reference key.
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** @param {string} base e.g. http://127.0.0.1:4444 */
export function webdriver(base) {
  /** @param {string} method @param {string} path @param {unknown} [body] */
  async function send(method, path, body) {
    const resp = await fetch(base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await resp.json();
    if (!resp.ok) throw new Error(`${method} ${path} → ${resp.status}: ${JSON.stringify(json.value)}`);
    return json.value;
  }

  return {
    /** @param {string} application absolute path of the app binary */
    async newSession(application) {
      const value = await send('POST', '/session', {
        capabilities: { alwaysMatch: { browserName: 'wry', 'tauri:options': { application } } },
      });
      const id = value.sessionId;
      const s = `/session/${id}`;
      return {
        /** @param {string} css */
        async find(css) {
          const el = await send('POST', `${s}/element`, { using: 'css selector', value: css });
          return el[ELEMENT];
        },
        /** Polls until `css` exists; returns the element. @param {string} css */
        async waitFor(css, timeoutMs = 30000) {
          const end = Date.now() + timeoutMs;
          for (;;) {
            try {
              return await this.find(css);
            } catch (e) {
              if (Date.now() > end) throw e;
              await new Promise((r) => setTimeout(r, 200));
            }
          }
        },
        /** Polls until `css` exists and its text matches. @param {string} css @param {RegExp} re */
        async waitForText(css, re, timeoutMs = 30000) {
          const end = Date.now() + timeoutMs;
          let last = '';
          while (Date.now() < end) {
            try {
              const el = await this.find(css);
              last = await send('GET', `${s}/element/${el}/text`);
              if (re.test(last)) return last;
            } catch {
              // not rendered yet
            }
            await new Promise((r) => setTimeout(r, 200));
          }
          throw new Error(`${css} never matched ${re} (last text: ${JSON.stringify(last)})`);
        },
        /** The element's rendered text. @param {string} el @returns {Promise<string>} */
        text: (el) => send('GET', `${s}/element/${el}/text`),
        /** @param {string} el */
        click: (el) => send('POST', `${s}/element/${el}/click`, {}),
        /** Types into an input. @param {string} el @param {string} text */
        type: (el, text) => send('POST', `${s}/element/${el}/value`, { text }),
        /** @param {string} el @param {string} name */
        attribute: (el, name) => send('GET', `${s}/element/${el}/attribute/${name}`),
        /** @returns {Promise<Buffer>} PNG of the viewport */
        screenshot: async () => Buffer.from(await send('GET', `${s}/screenshot`), 'base64'),
        close: () => send('DELETE', s),
      };
    },
  };
}

/**
 * Starts tauri-driver (which starts WebKitWebDriver) on free ports and resolves once the pair
 * is ready for a session: `/status` answers through tauri-driver with `ready: true`, which
 * WebKitWebDriver says only when it is listening and holds no session. Rejects with the
 * drivers' output if they exit or are not ready in `timeoutMs`.
 * @param {NodeJS.ProcessEnv} env what the app under WebDriver inherits (its data directories)
 */
export async function startDriver(env, timeoutMs = 30000) {
  const port = await freePort();
  let nativePort = await freePort();
  while (nativePort === port) nativePort = await freePort();
  const driver = startProcess(
    process.env.TAURI_DRIVER ?? 'tauri-driver',
    ['--port', String(port), '--native-port', String(nativePort), '--native-driver', '/usr/bin/WebKitWebDriver'],
    undefined,
    { env },
  );
  const base = `http://127.0.0.1:${port}`;
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (driver.child.exitCode !== null || driver.child.signalCode !== null) {
      throw new Error(`tauri-driver exited before it was ready:\n${driver.output()}`);
    }
    try {
      const resp = await fetch(`${base}/status`);
      if (resp.ok && (await resp.json()).value?.ready === true) break;
    } catch {
      // tauri-driver or WebKitWebDriver not listening yet (tauri-driver drops the connection)
    }
    if (Date.now() > end) {
      await driver.stop();
      throw new Error(`tauri-driver not ready after ${timeoutMs} ms:\n${driver.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, ...webdriver(base), stop: () => driver.stop(), output: driver.output };
}
