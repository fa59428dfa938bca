// Transport inside the desktop app: Tauri IPC through the generated bindings.
import { commands, events } from '../bindings';
import type { Backend } from './index';

export function tauriBackend(): Backend {
  return {
    transport: 'tauri',
    commands,
    subscribe(handler) {
      const unlisten = events.appEvent.listen((e) => handler(e.payload));
      return () => void unlisten.then((stop) => stop());
    },
  };
}
