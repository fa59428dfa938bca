// base64url as IBEx and WebAuthn JSON use it. Decoding is tolerant (padding, and the standard
// alphabet's `+` and `/`, are accepted); encoding is strict: unpadded base64url.

const PATTERN = /^[A-Za-z0-9\-_+/]*={0,2}$/;

export class Base64urlError extends Error {
  constructor(field: string, value: string) {
    super(`${field} is not base64url (${JSON.stringify(value.slice(0, 24))}…)`);
    this.name = 'Base64urlError';
  }
}

export function decode(value: string, field = 'value'): ArrayBuffer {
  const trimmed = value.trim();
  if (!PATTERN.test(trimmed) || trimmed.replace(/=+$/, '').length % 4 === 1) {
    throw new Base64urlError(field, value);
  }
  const std = trimmed.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  const binary = atob(std + '='.repeat((4 - (std.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

export function encode(data: ArrayBuffer | ArrayBufferView): string {
  const bytes =
    data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
