// One passkey sign-up or sign-in, whatever the provider: the core hands out options, the
// provider answers, the core checks and completes.
import { call, type Backend } from '../backend';
import type { AuthIntent, SessionInfo } from '../bindings';
import type { CreationOptionsJSON, RequestOptionsJSON } from './json';
import type { CeremonyProvider } from './webview';

export async function authenticate(
  backend: Backend,
  provider: CeremonyProvider,
  intent: AuthIntent,
  onPrompt: () => void,
): Promise<SessionInfo> {
  const ceremony = await call(backend.commands.authBegin(intent));
  const options: unknown = JSON.parse(ceremony.optionsJson);
  onPrompt();
  const credential =
    ceremony.kind === 'create'
      ? await provider.create(options as CreationOptionsJSON)
      : await provider.get(options as RequestOptionsJSON);
  return call(backend.commands.authComplete(ceremony.id, JSON.stringify(credential)));
}
