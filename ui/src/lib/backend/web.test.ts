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
    const invoke = webInvoke('s3cret', fakeFetch(200, { ok: { theme: 'dark' } }));
    await expect(invoke('settings_set_theme', { theme: 'dark' })).resolves.toEqual({ theme: 'dark' });
    expect(fakeFetch.last?.url).toBe('/ipc/settings_set_theme');
    expect(new Headers(fakeFetch.last?.init?.headers).get('x-devhost-secret')).toBe('s3cret');
    expect(fakeFetch.last?.init?.body).toBe('{"theme":"dark"}');
  });

  it('rejects with the AppError value, like Tauri IPC', async () => {
    const err = { code: 'validation', message: 'bad' };
    await expect(webInvoke('x', fakeFetch(200, { err }))('app_info')).rejects.toEqual(err);
  });

  it('reports a refused request (wrong secret) as a network error', async () => {
    await expect(webInvoke('x', fakeFetch(401, 'no'))('app_info')).rejects.toMatchObject({ code: 'network' });
  });
});
