// One passkey sign-up or sign-in, whatever the provider: the core hands out options, the
// provider answers, the core checks and completes. Providers the core runs itself (`soft`,
// `native`) never hand their credential to the page.
import { call, type Backend } from '../backend';
import type {
  AuthIntent,
  OperationReview,
  OperationUpdate,
  PasskeyCapabilities,
  ProviderKind,
  SessionInfo,
} from '../bindings';
import { providerChoice } from './choice.svelte';
import type { CreationOptionsJSON, RequestOptionsJSON } from './json';
import { webviewHasWebAuthn, webviewProvider } from './webview';

/** Providers that sign passkeys (the PIN signer has its own flow). */
export const PASSKEY_PROVIDERS: readonly ProviderKind[] = ['webview', 'native', 'securityKey', 'soft'];

/** What the core says can sign here, for this page. */
export function passkeyCapabilities(backend: Backend): Promise<PasskeyCapabilities> {
  return call(
    backend.commands.passkeyCapabilities({ hasWebauthn: webviewHasWebAuthn(), origin: window.location.origin }),
  );
}

/** The passkey providers that can sign here, in the core's order of preference. */
export function availablePasskeyProviders(caps: PasskeyCapabilities): ProviderKind[] {
  return caps.providers.filter((p) => p.available && PASSKEY_PROVIDERS.includes(p.kind)).map((p) => p.kind);
}

/** The provider the user chose when it can sign here, else the core's recommendation; null
 * when no passkey provider can sign here. */
export function passkeyProvider(caps: PasskeyCapabilities, chosen = providerChoice.value): ProviderKind | null {
  const available = availablePasskeyProviders(caps);
  if (chosen && available.includes(chosen)) return chosen;
  return PASSKEY_PROVIDERS.includes(caps.recommended) ? caps.recommended : null;
}

/** Ends a passkey prompt the core is waiting on (the browser hand-off, a security key). */
export function cancelPasskey(backend: Backend): Promise<boolean> {
  return call(backend.commands.passkeyCancel());
}

export async function recommendedPasskeyProvider(backend: Backend): Promise<ProviderKind | null> {
  return passkeyProvider(await passkeyCapabilities(backend));
}

export async function authenticate(
  backend: Backend,
  provider: ProviderKind,
  intent: AuthIntent,
  onPrompt: () => void,
): Promise<SessionInfo> {
  const ceremony = await call(backend.commands.authBegin(intent));
  onPrompt();
  if (provider !== 'webview') {
    return call(backend.commands.authCompleteNative(ceremony.id, provider));
  }
  const webview = webviewProvider();
  const options: unknown = JSON.parse(ceremony.optionsJson);
  const credential =
    ceremony.kind === 'create'
      ? await webview.create(options as CreationOptionsJSON)
      : await webview.get(options as RequestOptionsJSON);
  return call(backend.commands.authComplete(ceremony.id, JSON.stringify(credential)));
}

/** Approves a reviewed operation (a transfer, a recovery change…): the passkey signs its userOpHash. */
export async function approveOperation(
  backend: Backend,
  provider: ProviderKind,
  review: Pick<OperationReview, 'id' | 'optionsJson'>,
): Promise<OperationUpdate> {
  if (provider !== 'webview') {
    return call(backend.commands.operationApproveNative(review.id, provider));
  }
  const assertion = await webviewProvider().get(JSON.parse(review.optionsJson) as RequestOptionsJSON);
  return call(backend.commands.operationApprove(review.id, JSON.stringify(assertion)));
}

/** Adds a Safe on `chainId` for the current account: the passkey confirms a sign-in that lets
 * IBEx create it (the core checks the passkey is this account's). */
export async function addSafe(
  backend: Backend,
  provider: ProviderKind,
  chainId: number,
  name: string,
  onPrompt: () => void,
): Promise<SessionInfo> {
  const ceremony = await call(backend.commands.safesAddBegin(chainId, name));
  onPrompt();
  if (provider !== 'webview') {
    return call(backend.commands.safesAddCompleteNative(ceremony.id, provider));
  }
  const credential = await webviewProvider().get(JSON.parse(ceremony.optionsJson) as RequestOptionsJSON);
  return call(backend.commands.safesAddComplete(ceremony.id, JSON.stringify(credential)));
}
