import { describe, expect, it } from 'vitest';
import { explain, webviewHasWebAuthn } from './webview';

describe('webview provider', () => {
  it('knows when the page has no WebAuthn (WebKitGTK)', () => {
    expect(webviewHasWebAuthn({ navigator: {} as Navigator })).toBe(false);
    expect(
      webviewHasWebAuthn({
        navigator: { credentials: { create: () => null } } as unknown as Navigator,
        PublicKeyCredential: function PublicKeyCredential() {},
      }),
    ).toBe(true);
  });

  it('explains each failure specifically', () => {
    const dom = (name: string) => new DOMException('x', name);
    expect(explain(dom('NotAllowedError'), 'localhost', false).code).toBe('passkeyCancelled');
    expect(explain(dom('InvalidStateError'), 'localhost', true).code).toBe('passkeyExists');
    const wrongRp = explain(dom('SecurityError'), 'wallet.example', false);
    expect(wrongRp.code).toBe('passkeyUnsupported');
    expect(wrongRp.message).toContain('“wallet.example”');
    expect(wrongRp.message).toMatch(/browser|PIN/);
    expect(explain(new Error('boom'), undefined, false).message).toContain('boom');
  });
});
