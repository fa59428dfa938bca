import { describe, expect, it } from 'vitest';
import { webInvoke } from './web';

function fakeFetch(status: number, body: unknown): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    fakeFetch.last = { url: String(input), init };
    return new Response(JSON.stringify(body), { status });
  }) as typeof fetch;
}
fakeFetch.last = undefined as undefined | { url: string; init?: RequestInit };

describe('webInvoke', () => {
  it('posts camelCase args with the secret and returns the body', async () => {
    const invoke = webInvoke('s3cret', fakeFetch(200, { ok: 1 }));
    await expect(invoke('settings_set_theme', { theme: 'dark' })).resolves.toEqual({ ok: 1 });
    expect(fakeFetch.last?.url).toBe('/ipc/settings_set_theme');
    expect(new Headers(fakeFetch.last?.init?.headers).get('x-devhost-secret')).toBe('s3cret');
    expect(fakeFetch.last?.init?.body).toBe('{"theme":"dark"}');
  });

  it('rejects with the AppError value, like Tauri IPC', async () => {
    const err = { code: 'Validation', message: 'bad' };
    await expect(webInvoke('x', fakeFetch(422, err))('app_info')).rejects.toEqual(err);
  });
});
