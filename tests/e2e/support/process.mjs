// Child processes for tests: start, wait for a line, always stop.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * Starts `cmd`. With `ready`, `matched` resolves once the output matches it (with the match),
 * or rejects after `timeoutMs` with everything the process printed.
 * @param {string} cmd @param {string[]} args @param {RegExp} [ready]
 * @param {{ timeoutMs?: number, env?: NodeJS.ProcessEnv, cwd?: string }} [opts]
 */
export function startProcess(cmd, args, ready, opts = {}) {
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  /** @type {Promise<RegExpMatchArray>} */
  const matched = new Promise((resolve, reject) => {
    if (!ready) {
      child.stdout.on('data', (c) => (output += c));
      child.stderr.on('data', (c) => (output += c));
      return;
    }
    const timer = setTimeout(
      () => reject(new Error(`${cmd} not ready after ${opts.timeoutMs ?? 60000} ms:\n${output}`)),
      opts.timeoutMs ?? 60000,
    );
    /** @param {Buffer} chunk */
    const onData = (chunk) => {
      output += chunk.toString();
      const m = output.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited with ${code} before it was ready:\n${output}`));
    });
  });
  return {
    child,
    matched,
    output: () => output,
    /** Stops the process (SIGINT first: tauri-driver ignores SIGTERM). */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      // Grandchildren (the app under tauri-driver) inherit these pipes; don't wait on them.
      child.stdout.destroy();
      child.stderr.destroy();
    },
  };
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
