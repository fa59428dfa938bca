// The UI's only door to the core. Components receive a `Backend` and never import
// `@tauri-apps/*` or the bindings' transport themselves.
import { commands, type AppError, type CoreEvent } from '../bindings';
import { tauriBackend } from './tauri';
import { webBackend } from './web';

export type Commands = typeof commands;

/** What every generated command resolves to. */
export type Result<T, E> = { status: 'ok'; data: T } | { status: 'error'; error: E };

export interface Backend {
  /** Where the core runs: inside the app, or behind the dev-only loopback web host. */
  readonly transport: 'tauri' | 'web';
  readonly commands: Commands;
  /** Calls `handler` for every core event until the returned function is called. */
  subscribe(handler: (event: CoreEvent) => void): () => void;
}

/** Picks the transport this page was loaded with. */
export function connectBackend(): Backend {
  return '__TAURI_INTERNALS__' in window ? tauriBackend() : webBackend(window.location);
}

/** An `AppError` thrown by {@link call}, so `try/catch` code can branch on `code`. */
export class BackendError extends Error {
  readonly code: AppError['code'];
  constructor(error: AppError) {
    super(error.message);
    this.name = 'BackendError';
    this.code = error.code;
  }
}

/** Unwraps a command's `Result`, throwing a {@link BackendError} on failure. */
export async function call<T>(result: Promise<Result<T, AppError>>): Promise<T> {
  const r = await result;
  if (r.status === 'error') throw new BackendError(r.error);
  return r.data;
}

/** A human sentence for any failure, typed or not. */
export function describeError(e: unknown): string {
  if (e instanceof BackendError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
