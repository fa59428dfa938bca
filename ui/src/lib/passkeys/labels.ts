// How each provider is named in the UI.
import type { ProviderKind } from '../bindings';

export function providerLabel(kind: ProviderKind, platform: string): { name: string; detail: string } {
  switch (kind) {
    case 'webview':
      return { name: 'This window', detail: 'The passkey prompt appears right here.' };
    case 'native':
      return platform === 'linux'
        ? { name: 'Your web browser', detail: 'A page opens in your browser to confirm with your passkey.' }
        : { name: 'System passkey', detail: 'Your OS asks for your fingerprint or security key.' };
    case 'securityKey':
      return { name: 'Security key', detail: 'A FIDO2 key over USB: touch it, and type its PIN here when it asks.' };
    case 'soft':
      return { name: 'Test authenticator', detail: 'A software key for automated tests.' };
    case 'kdf':
      return { name: 'PIN', detail: 'A PIN you choose protects a key derived on this device.' };
  }
}
