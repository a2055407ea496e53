// The API the main-path benchmark calls (bench/main-path.mjs): `GET
// /m/<models>/v1/resources` answers the synthetic catalog of that many models
// (bench/catalog.mjs) as a success envelope, from bytes made once. A client's
// base URL is `<url>/m/<models>`; the hand-written baseline fetches the same URL.
//
// Run by bench/run.mjs in its own process, so that serving a body does not take
// time from the Node client being measured:
//   node bench/api-server.mjs        prints "API_URL=http://127.0.0.1:<port>"
// It listens on 127.0.0.1 only and exits when its stdin closes (the parent went).
import http from 'node:http';
import { catalogText } from './catalog.mjs';

const bodies = new Map();
const body = (n) => {
  if (!bodies.has(n)) bodies.set(n, Buffer.from(catalogText(n)));
  return bodies.get(n);
};
const MAX_MODELS = 100_000;

const server = http.createServer((req, res) => {
  // CORS as the real API: a page on another origin reads the body and the
  // exposed headers, and may send authorization and cli-agent (preflighted).
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin || '*');
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Expose-Headers', 'action-require, retry-after, content-type');
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'authorization, accept, content-type, cli-agent');
    res.setHeader('Access-Control-Max-Age', '7200'); // Chromium's ceiling: one preflight per URL and run
    res.writeHead(204);
    res.end();
    return;
  }
  const m = /^\/m\/(\d+)\/v1\/resources$/.exec(new URL(req.url, 'http://127.0.0.1').pathname);
  const n = m ? Number(m[1]) : NaN;
  if (req.method !== 'GET' || !(n >= 0 && n <= MAX_MODELS)) {
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end('{"status":"NOT_FOUND_ERROR","message":"Not found.","data":null}');
    return;
  }
  const bytes = body(n);
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(bytes.length),
    // Neither contender may be served from an HTTP cache.
    'Cache-Control': 'no-store',
  });
  res.end(bytes);
});
// Connections are reused between iterations (rounds can be seconds apart).
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`API_URL=http://127.0.0.1:${server.address().port}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
