// The API the main-path benchmark calls (bench/main-path.mjs): `GET
// /m/<models>/v1/resources` answers the synthetic catalog of that many models
// (bench/catalog.mjs) as a success envelope, from bytes made once. A client's
// base URL is `<url>/m/<models>`; the hand-written baseline fetches the same URL.
//
// `GET /paced/<MB per second>/<models>/v1/resources` sends the same body in
// 16 KiB pieces at that rate (a slow network) and, once its last byte is
// written, prints "SENT <epoch ms>" (performance.timeOrigin + now(): the same
// clock in every process of the machine), for bench/stream.mjs.
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
  const paced = /^\/paced\/([\d.]+)\/(\d+)\/v1\/resources$/.exec(new URL(req.url, 'http://127.0.0.1').pathname);
  if (paced && req.method === 'GET' && Number(paced[2]) <= MAX_MODELS) {
    const bytes = body(Number(paced[2]));
    const piece = 16 * 1024;
    const gapMs = piece / (Number(paced[1]) * 1e6) * 1e3;
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    const started = performance.now();
    let at = 0;
    const next = () => {
      res.write(bytes.subarray(at, at + piece));
      at += piece;
      if (at < bytes.length) {
        // On schedule from the start, whatever each write took.
        setTimeout(next, Math.max(0, started + (at / piece) * gapMs - performance.now()));
        return;
      }
      res.end(() => process.stdout.write(`SENT ${performance.timeOrigin + performance.now()}\n`));
    };
    next();
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
