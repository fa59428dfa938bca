// WebAuthn L3 JSON shapes as IBEx sends and receives them. Binary fields are base64url strings.
// Options are typed loosely on purpose: servers add fields, and we pass through what we do not
// convert.

export type PrfValuesJSON = { first: string; second?: string };
export type PrfInputsJSON = { eval?: PrfValuesJSON; evalByCredential?: Record<string, PrfValuesJSON> };
export type ExtensionsJSON = { prf?: PrfInputsJSON; [name: string]: unknown };
export type CredentialDescriptorJSON = { id: string; type: 'public-key'; transports?: string[] };

export type CreationOptionsJSON = {
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
  challenge: string;
  pubKeyCredParams: { alg: number; type: 'public-key' }[];
  timeout?: number;
  excludeCredentials?: CredentialDescriptorJSON[];
  authenticatorSelection?: Record<string, unknown>;
  attestation?: string;
  extensions?: ExtensionsJSON;
};

export type RequestOptionsJSON = {
  challenge: string;
  rpId?: string;
  timeout?: number;
  allowCredentials?: CredentialDescriptorJSON[];
  userVerification?: string;
  extensions?: ExtensionsJSON;
};

export type ClientExtensionResultsJSON = {
  prf?: { enabled?: boolean; results?: PrfValuesJSON };
};

export type RegistrationResponseJSON = {
  id: string;
  rawId: string;
  type: 'public-key';
  authenticatorAttachment?: string | null;
  response: {
    clientDataJSON: string;
    attestationObject: string;
    transports?: string[];
    publicKeyAlgorithm?: number;
    publicKey?: string;
    authenticatorData?: string;
  };
  clientExtensionResults: ClientExtensionResultsJSON;
};

export type AuthenticationResponseJSON = {
  id: string;
  rawId: string;
  type: 'public-key';
  authenticatorAttachment?: string | null;
  response: {
    clientDataJSON: string;
    authenticatorData: string;
    signature: string;
    userHandle: string | null;
  };
  clientExtensionResults: ClientExtensionResultsJSON;
};
