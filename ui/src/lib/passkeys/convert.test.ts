import { describe, expect, it } from 'vitest';
import { authenticationJSON, creationOptions, registrationJSON, requestOptions } from './convert';
import { encode } from './base64url';

const b = (...xs: number[]) => Uint8Array.from(xs).buffer;
const arr = (x: unknown) => Array.from(new Uint8Array(x as ArrayBuffer));

describe('options from IBEx JSON', () => {
  it('decodes every binary field of creation options, PRF included', () => {
    const o = creationOptions({
      rp: { id: 'localhost', name: 'localhost' },
      user: { id: 'AQI', name: 'ada', displayName: 'Ada' },
      challenge: 'AwQF',
      pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      attestation: 'none',
      excludeCredentials: [{ id: 'Bg==', type: 'public-key', transports: ['internal'] }],
      timeout: 60000,
      extensions: { prf: { eval: { first: 'Bw', second: 'CA' } } },
    });
    expect(arr(o.challenge)).toEqual([3, 4, 5]);
    expect(arr(o.user.id)).toEqual([1, 2]);
    expect(arr(o.excludeCredentials?.[0]?.id)).toEqual([6]);
    expect(o.excludeCredentials?.[0]?.transports).toEqual(['internal']);
    const prf = (o.extensions as { prf: { eval: { first: ArrayBuffer; second: ArrayBuffer } } }).prf;
    expect(prf.eval.first).toBeInstanceOf(ArrayBuffer);
    expect(arr(prf.eval.second)).toEqual([8]);
    expect(o.authenticatorSelection).toEqual({ residentKey: 'preferred', userVerification: 'preferred' });
    expect(o.timeout).toBe(60000);
  });

  it('request options: discoverable sign-in without allowCredentials, or with an empty list', () => {
    expect(requestOptions({ challenge: 'AA', rpId: 'localhost' }).allowCredentials).toBeUndefined();
    expect(requestOptions({ challenge: 'AA', allowCredentials: [] }).allowCredentials).toBeUndefined();
    const o = requestOptions({
      challenge: '_-8',
      rpId: 'localhost',
      userVerification: 'required',
      allowCredentials: [{ id: 'AQ', type: 'public-key' }],
      extensions: { prf: { evalByCredential: { AQ: { first: 'Ag' } } } },
    });
    expect(arr(o.challenge)).toEqual([0xff, 0xef]);
    expect(arr(o.allowCredentials?.[0]?.id)).toEqual([1]);
    expect(o.userVerification).toBe('required');
    const prf = (o.extensions as { prf: { evalByCredential: Record<string, { first: ArrayBuffer }> } }).prf;
    expect(arr(prf.evalByCredential.AQ?.first)).toEqual([2]);
  });

  it('names the field that is not base64url', () => {
    expect(() => requestOptions({ challenge: 'not base64!' })).toThrow(/challenge/);
    expect(() => requestOptions({ challenge: 'AA', allowCredentials: [{ id: '%%', type: 'public-key' }] })).toThrow(
      /allowCredentials\[0\]\.id/,
    );
  });
});

describe('credentials to L3 JSON', () => {
  const prf = { prf: { enabled: true, results: { first: b(9, 9), second: new Uint8Array([7]) } } };

  it('encodes an attestation, unpadded, with PRF results', () => {
    const cred = {
      id: 'AQID',
      rawId: b(1, 2, 3),
      authenticatorAttachment: 'platform',
      getClientExtensionResults: () => prf,
      response: {
        clientDataJSON: b(123, 125),
        attestationObject: b(0xa0),
        getTransports: () => ['internal'],
        getPublicKeyAlgorithm: () => -7,
        getPublicKey: () => b(4, 5),
        getAuthenticatorData: () => b(6),
      },
    } as unknown as PublicKeyCredential;
    expect(registrationJSON(cred)).toEqual({
      id: 'AQID',
      rawId: 'AQID',
      type: 'public-key',
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: encode(b(123, 125)),
        attestationObject: 'oA',
        transports: ['internal'],
        publicKeyAlgorithm: -7,
        publicKey: 'BAU',
        authenticatorData: 'Bg',
      },
      clientExtensionResults: { prf: { enabled: true, results: { first: 'CQk', second: 'Bw' } } },
    });
  });

  it('encodes an assertion; a missing userHandle is null', () => {
    const cred = {
      id: 'AQ',
      rawId: b(1),
      authenticatorAttachment: null,
      getClientExtensionResults: () => ({}),
      response: { clientDataJSON: b(1), authenticatorData: b(2), signature: b(3), userHandle: null },
    } as unknown as PublicKeyCredential;
    expect(authenticationJSON(cred)).toEqual({
      id: 'AQ',
      rawId: 'AQ',
      type: 'public-key',
      authenticatorAttachment: null,
      response: { clientDataJSON: 'AQ', authenticatorData: 'Ag', signature: 'Aw', userHandle: null },
      clientExtensionResults: {},
    });
  });
});
