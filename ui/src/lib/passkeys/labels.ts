// How each provider is named in the UI.
import type { ProviderKind } from '../bindings';
import { m } from '../paraglide/messages';

export function providerLabel(kind: ProviderKind, platform: string): { name: string; detail: string } {
  switch (kind) {
    case 'webview':
      return { name: m.provider_webview_name(), detail: m.provider_webview_detail() };
    case 'native':
      return platform === 'linux'
        ? { name: m.provider_browser_name(), detail: m.provider_browser_detail() }
        : { name: m.provider_native_name(), detail: m.provider_native_detail() };
    case 'securityKey':
      return { name: m.provider_security_key_name(), detail: m.provider_security_key_detail() };
    case 'soft':
      return { name: m.provider_soft_name(), detail: m.provider_soft_detail() };
    case 'kdf':
      return { name: m.provider_kdf_name(), detail: m.provider_kdf_detail() };
  }
}
