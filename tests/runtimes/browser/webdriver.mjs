// A small W3C WebDriver client (plain HTTP, fetch) for browsers that
// playwright-core cannot drive as installed: Debian's firefox-esr through
// geckodriver. Only what tests/runtimes/browser/firefox.mjs needs.
import { spawn } from 'node:child_process';
import net from 'node:net';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** Starts a driver binary on a free loopback port; resolves once it answers /status. */
export async function startDriver(binary, args = []) {
  const port = await freePort();
  const child = spawn(binary, ['--host', '127.0.0.1', '--port', String(port), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  let exit = null;
  child.on('exit', (code) => { exit = code; });
  const url = `http://127.0.0.1:${port}`;
  // Bounded wait: 100 x 100 ms.
  for (let i = 0; ; i += 1) {
    if (exit !== null) throw new Error(`${binary} exited (${exit}):\n${log}`);
    const ok = await fetch(`${url}/status`).then((r) => r.ok, () => false);
    if (ok) break;
    if (i === 100) throw new Error(`${binary} did not answer within 10 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    log: () => log,
    close: () => new Promise((resolve) => {
      if (exit !== null) return resolve();
      child.on('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

async function call(method, url, body) {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`WebDriver ${method} ${new URL(url).pathname}: ${json.value?.error}: ${json.value?.message}`);
  return json.value;
}

/** A session: navigate, run scripts (sync or async), quit. */
export async function newSession(driverUrl, alwaysMatch) {
  const { sessionId, capabilities } = await call('POST', `${driverUrl}/session`, { capabilities: { alwaysMatch } });
  const base = `${driverUrl}/session/${sessionId}`;
  return {
    capabilities,
    setTimeouts: (t) => call('POST', `${base}/timeouts`, t),
    navigate: (url) => call('POST', `${base}/url`, { url }),
    /** Runs `script` (a function body; `arguments` are `args`) and returns its value. */
    execute: (script, args = []) => call('POST', `${base}/execute/sync`, { script, args }),
    /** The last argument is the callback that ends the script with a value. */
    executeAsync: (script, args = []) => call('POST', `${base}/execute/async`, { script, args }),
    quit: () => call('DELETE', base).catch(() => {}),
  };
}
