// The `webview` ceremony provider: the page's own `navigator.credentials`. Works where the
// page origin may use the rpId (rpId `localhost` from http://localhost, or a tenant that lists
// the app's origin for Related Origin Requests); WebKitGTK has no WebAuthn at all.
import { authenticationJSON, creationOptions, registrationJSON, requestOptions } from './convert';
import type {
  AuthenticationResponseJSON,
  CreationOptionsJSON,
  RegistrationResponseJSON,
  RequestOptionsJSON,
} from './json';
import { m } from '../paraglide/messages';

export type CeremonyErrorCode = 'passkeyCancelled' | 'passkeyUnsupported' | 'passkeyExists' | 'passkeyFailed';

/** A ceremony that did not produce a credential, with a sentence the UI can show as-is. */
export class CeremonyError extends Error {
  constructor(
    readonly code: CeremonyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CeremonyError';
  }
}

export interface CeremonyProvider {
  readonly kind: 'webview' | 'native' | 'kdf';
  create(options: CreationOptionsJSON): Promise<RegistrationResponseJSON>;
  get(options: RequestOptionsJSON): Promise<AuthenticationResponseJSON>;
}

/** Whether this page has WebAuthn at all (false in WebKitGTK). */
export function webviewHasWebAuthn(w: Pick<Window, 'navigator'> & { PublicKeyCredential?: unknown } = window): boolean {
  return typeof w.PublicKeyCredential === 'function' && typeof w.navigator.credentials?.create === 'function';
}

/** Turns the browser's DOMExceptions into errors a person can act on. */
export function explain(e: unknown, rpId: string | undefined, creating: boolean): CeremonyError {
  const name = e instanceof DOMException || e instanceof Error ? e.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'AbortError':
      return new CeremonyError('passkeyCancelled', m.wa_cancelled());
    case 'InvalidStateError':
      return creating
        ? new CeremonyError('passkeyExists', m.wa_exists())
        : new CeremonyError('passkeyFailed', m.wa_busy());
    case 'SecurityError':
      return new CeremonyError('passkeyUnsupported', m.wa_security({ rpId: rpId ?? m.wa_this_site() }));
    case 'NotSupportedError':
      return new CeremonyError('passkeyUnsupported', m.wa_unsupported());
    default:
      return new CeremonyError('passkeyFailed', m.wa_failed({ error: e instanceof Error ? e.message : String(e) }));
  }
}

export function webviewProvider(credentials: CredentialsContainer = navigator.credentials): CeremonyProvider {
  return {
    kind: 'webview',
    async create(options) {
      const publicKey = creationOptions(options);
      let cred: Credential | null;
      try {
        cred = await credentials.create({ publicKey });
      } catch (e) {
        throw explain(e, options.rp.id, true);
      }
      if (!(cred instanceof PublicKeyCredential)) throw new CeremonyError('passkeyFailed', m.wa_no_passkey());
      return registrationJSON(cred);
    },
    async get(options) {
      const publicKey = requestOptions(options);
      let cred: Credential | null;
      try {
        cred = await credentials.get({ publicKey });
      } catch (e) {
        throw explain(e, options.rpId, false);
      }
      if (!(cred instanceof PublicKeyCredential)) throw new CeremonyError('passkeyFailed', m.wa_no_passkey());
      return authenticationJSON(cred);
    },
  };
}
