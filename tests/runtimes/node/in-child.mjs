// Runs a script in a fresh Node process (a module instance, and wasm memory, of
// its own) and resolves to the JSON it writes to stdout; rejects with its
// stderr when it exits with another code than 0. Used by memory.test.mjs and
// trap.test.mjs.
import { spawn } from 'node:child_process';

/** `script` is CommonJS run with `node [nodeArgs] -e`; `env` is added to this process's. */
export function runScript(script, { nodeArgs = [], env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, '-e', script], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(err))));
  });
}
