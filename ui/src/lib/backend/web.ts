// Transport for tests: the same generated bindings, with Tauri's invoke routed to the
// dev-only loopback web host (`ibex-devhost`). The page is opened as `/#secret=<hex>`.
import { commands, type CoreEvent } from '../bindings';
import type { Backend } from './index';

type Invoke = (cmd: string, args?: Record<string, unknown>) => Promise<unknown>;

declare global {
  interface Window {
    __TAURI_INTERNALS__?: { invoke: Invoke };
  }
}

const SECRET_KEY = 'ibex-devhost-secret';

/** Reads the per-run secret from the URL fragment (then hides it) or from this tab's storage. */
export function takeSecret(location: Location, storage: Storage): string {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('secret');
  if (fromHash) {
    storage.setItem(SECRET_KEY, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  return storage.getItem(SECRET_KEY) ?? '';
}

export function webInvoke(secret: string, fetchFn: typeof fetch = fetch): Invoke {
  return async (cmd, args = {}) => {
    const resp = await fetchFn(`/ipc/${encodeURIComponent(cmd)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-devhost-secret': secret },
      body: JSON.stringify(args),
    });
    const body = (await resp.json().catch(() => null)) as { ok?: unknown; err?: unknown } | null;
    if (!resp.ok || body === null) throw { code: 'network', message: `web host answered ${resp.status}` };
    // Like Tauri's IPC, a command error rejects with the AppError value itself.
    if ('err' in body) throw body.err;
    return body.ok;
  };
}

export function webBackend(location: Location): Backend {
  const secret = takeSecret(location, sessionStorage);
  window.__TAURI_INTERNALS__ = { invoke: webInvoke(secret) };
  // One event stream for every subscriber: a stream per component would take one of the
  // browser's six HTTP/1.1 connections each, and commands would queue behind them forever.
  const handlers = new Set<(event: CoreEvent) => void>();
  let source: EventSource | null = null;
  return {
    transport: 'web',
    commands,
    subscribe(handler) {
      handlers.add(handler);
      if (source === null) {
        source = new EventSource(`/events?secret=${encodeURIComponent(secret)}`);
        source.onmessage = (m: MessageEvent<string>) => {
          const event = JSON.parse(m.data) as CoreEvent;
          for (const h of [...handlers]) h(event);
        };
      }
      return () => {
        handlers.delete(handler);
        if (handlers.size === 0) {
          source?.close();
          source = null;
        }
      };
    },
  };
}
