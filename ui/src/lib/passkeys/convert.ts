// Conversions between IBEx's JSON options/results and the ArrayBuffer shapes that
// `navigator.credentials` takes and gives (auth.md §3.3). Written out rather than relying on
// `PublicKeyCredential.parse*FromJSON`, which older WebViews lack.
import { decode, encode } from './base64url';
import type {
  AuthenticationResponseJSON,
  ClientExtensionResultsJSON,
  CreationOptionsJSON,
  CredentialDescriptorJSON,
  ExtensionsJSON,
  PrfValuesJSON,
  RegistrationResponseJSON,
  RequestOptionsJSON,
} from './json';

type PrfValues = { first: ArrayBuffer; second?: ArrayBuffer };

function prfValues(v: PrfValuesJSON, field: string): PrfValues {
  const out: PrfValues = { first: decode(v.first, `${field}.first`) };
  if (v.second !== undefined) out.second = decode(v.second, `${field}.second`);
  return out;
}

function extensions(ext: ExtensionsJSON): AuthenticationExtensionsClientInputs {
  const { prf, ...rest } = ext;
  if (!prf) return rest as AuthenticationExtensionsClientInputs;
  const converted: { eval?: PrfValues; evalByCredential?: Record<string, PrfValues> } = {};
  if (prf.eval) converted.eval = prfValues(prf.eval, 'extensions.prf.eval');
  if (prf.evalByCredential) {
    converted.evalByCredential = Object.fromEntries(
      Object.entries(prf.evalByCredential).map(([id, v]) => [
        id,
        prfValues(v, `extensions.prf.evalByCredential.${id}`),
      ]),
    );
  }
  return { ...rest, prf: converted } as AuthenticationExtensionsClientInputs;
}

function descriptors(list: CredentialDescriptorJSON[], field: string): PublicKeyCredentialDescriptor[] {
  return list.map((d, i) => ({
    type: d.type,
    id: decode(d.id, `${field}[${i}].id`),
    ...(d.transports ? { transports: d.transports as AuthenticatorTransport[] } : {}),
  }));
}

export function creationOptions(json: CreationOptionsJSON): PublicKeyCredentialCreationOptions {
  const { challenge, user, excludeCredentials, extensions: ext, ...rest } = json;
  return {
    ...(rest as Omit<PublicKeyCredentialCreationOptions, 'challenge' | 'user'>),
    challenge: decode(challenge, 'challenge'),
    user: { ...user, id: decode(user.id, 'user.id') },
    ...(excludeCredentials ? { excludeCredentials: descriptors(excludeCredentials, 'excludeCredentials') } : {}),
    ...(ext ? { extensions: extensions(ext) } : {}),
  };
}

export function requestOptions(json: RequestOptionsJSON): PublicKeyCredentialRequestOptions {
  const { challenge, allowCredentials, extensions: ext, ...rest } = json;
  return {
    ...(rest as Omit<PublicKeyCredentialRequestOptions, 'challenge'>),
    challenge: decode(challenge, 'challenge'),
    // An empty or missing list means "any discoverable credential for this rpId".
    ...(allowCredentials?.length ? { allowCredentials: descriptors(allowCredentials, 'allowCredentials') } : {}),
    ...(ext ? { extensions: extensions(ext) } : {}),
  };
}

type PrfOutputs = { enabled?: boolean; results?: { first?: BufferSource; second?: BufferSource } };

function toBytes(b: BufferSource): ArrayBuffer | ArrayBufferView {
  return b as ArrayBuffer | ArrayBufferView;
}

function extensionResults(cred: PublicKeyCredential): ClientExtensionResultsJSON {
  const prf = (cred.getClientExtensionResults() as { prf?: PrfOutputs }).prf;
  if (!prf) return {};
  const out: NonNullable<ClientExtensionResultsJSON['prf']> = {};
  if (prf.enabled !== undefined) out.enabled = prf.enabled;
  if (prf.results?.first) {
    out.results = { first: encode(toBytes(prf.results.first)) };
    if (prf.results.second) out.results.second = encode(toBytes(prf.results.second));
  }
  return { prf: out };
}

/** What every credential JSON carries besides its `response`. */
function envelope(cred: PublicKeyCredential) {
  return {
    id: cred.id,
    rawId: encode(cred.rawId),
    type: 'public-key' as const,
    authenticatorAttachment: cred.authenticatorAttachment ?? null,
    clientExtensionResults: extensionResults(cred),
  };
}

export function registrationJSON(cred: PublicKeyCredential): RegistrationResponseJSON {
  const r = cred.response as AuthenticatorAttestationResponse;
  const publicKey = r.getPublicKey?.();
  return {
    ...envelope(cred),
    response: {
      clientDataJSON: encode(r.clientDataJSON),
      attestationObject: encode(r.attestationObject),
      transports: r.getTransports?.() ?? [],
      ...(r.getPublicKeyAlgorithm ? { publicKeyAlgorithm: r.getPublicKeyAlgorithm() } : {}),
      ...(publicKey ? { publicKey: encode(publicKey) } : {}),
      ...(r.getAuthenticatorData ? { authenticatorData: encode(r.getAuthenticatorData()) } : {}),
    },
  };
}

export function authenticationJSON(cred: PublicKeyCredential): AuthenticationResponseJSON {
  const r = cred.response as AuthenticatorAssertionResponse;
  return {
    ...envelope(cred),
    response: {
      clientDataJSON: encode(r.clientDataJSON),
      authenticatorData: encode(r.authenticatorData),
      signature: encode(r.signature),
      userHandle: r.userHandle ? encode(r.userHandle) : null,
    },
  };
}
