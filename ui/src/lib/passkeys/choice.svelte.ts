// Which passkey provider the user picked when more than one can sign here (e.g. this window or
// the system browser). Every passkey flow (sign-up, sign-in, unlock, send) follows the choice.
import type { ProviderKind } from '../bindings';

const KEY = 'ibex.passkeyProvider';

function stored(): ProviderKind | null {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'webview' || v === 'native' || v === 'securityKey' || v === 'soft' ? v : null;
  } catch {
    return null;
  }
}

let chosen = $state<ProviderKind | null>(stored());

export const providerChoice = {
  get value(): ProviderKind | null {
    return chosen;
  },
  set(kind: ProviderKind) {
    chosen = kind;
    try {
      localStorage.setItem(KEY, kind);
    } catch {
      // Private mode or no storage: the choice lasts for this window only.
    }
  },
};
