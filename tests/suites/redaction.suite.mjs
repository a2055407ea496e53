// No part of a credential in anything the package hands out: a server, a proxy
// or a custom fetch echoes the key (whole, cut, URL-encoded, base64) and every
// rejection, `cause`, warning, onAttempt and onError event stays free of it.
import { ok, equal, rejects, throws } from './assert.mjs';
import { responseWith, waitFor } from './helpers.mjs';

// A realistic long key with characters that URL-encoding changes.
const KEY = 'sk-live-4f9a2c7e1b3d5f8a0c6e2b4d/7f1a3c5e9b0d2f4a+6c8e1b3d5f7a9c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d==';
const b64 = (s) => btoa(s);
// Every form a leak could take; any 8 consecutive characters of one is a leak.
const FORMS = [KEY, encodeURIComponent(KEY), b64(KEY), b64(`user:${KEY}`).slice(8, -4)];
const ECHOES = {
  whole: KEY,
  cut: KEY.slice(0, 43),
  tail: KEY.slice(-30),
  urlEncoded: encodeURIComponent(KEY),
  base64: b64(KEY),
  basic: b64(`user:${KEY}`),
};

/** The first 8-character run of a form of the key found in `text`, or null. */
function leak(text) {
  for (const form of FORMS) {
    for (let i = 0; i + 8 <= form.length; i += 1) {
      if (text.includes(form.slice(i, i + 8))) return form.slice(i, i + 8);
    }
  }
  return null;
}

/** Everything an error shows: message, stack, own fields, its cause's too. */
function describe(e) {
  if (e === undefined || e === null) return String(e);
  const cause = e.cause === undefined ? '' : describe(e.cause);
  let json = '';
  try { json = JSON.stringify(e); } catch { json = ''; }
  return [e.message, e.stack, String(e), json, JSON.stringify(Object.entries(e)), e.path ?? '', cause].join('\n');
}

function event(ev) {
  return JSON.stringify({ ...ev, error: undefined }) + describe(ev.error);
}

function assertClean(texts, label) {
  const all = texts.join('\n');
  const found = leak(all);
  ok(found === null, `${label}: "${found}" of the key leaked:\n${all.split('\n').filter((l) => leak(l)).join('\n')}`);
}

const options = (ctx, extra) => ctx.options({ apiKey: KEY, ...extra });

export const tests = [
  {
    name: 'a key echoed by a 401 envelope, whole, cut or encoded, is in no rejection or onAttempt event',
    async run(ctx) {
      for (const [form, echo] of Object.entries(ECHOES)) {
        await ctx.control.reset();
        const events = [];
        const message = `Invalid API key: ${echo}`;
        await ctx.control.faults({ status: 401, body: { status: 'UNAUTHORIZED_ERROR', message, data: null } });
        const client = new ctx.lib.ResourcesClient(options(ctx, { onAttempt: (e) => events.push(e) }));
        const error = await rejects(client.fetchResources());
        equal(error.code, 'UNAUTHORIZED_ERROR', error.message);
        ok(error.message.includes('Invalid API key: ') && error.message.includes('[redacted]'), `${form}: ${error.message}`);
        equal(events.length, 1);
        assertClean([describe(error), ...events.map(event)], form);
      }
    },
  },
  {
    name: 'a key echoed in a 5xx HTML page is redacted before the excerpt is cut, in every retry event',
    async run(ctx) {
      for (const [form, echo] of Object.entries(ECHOES)) {
        await ctx.control.reset();
        const events = [];
        const body = `<html><body>Bad gateway for ${echo}</body></html>`;
        await ctx.control.faults({ status: 502, contentType: 'text/html', body, times: 2 });
        const client = new ctx.lib.ResourcesClient(options(ctx, { retries: 1, onAttempt: (e) => events.push(e) }));
        const error = await rejects(client.fetchResources());
        equal(error.code, 'HTTP_ERROR', error.message);
        ok(error.message.includes('[redacted'), `${form}: ${error.message}`);
        equal(events.length, 2);
        ok(events[0].retryInMs >= 0);
        assertClean([describe(error), ...events.map(event)], form);
      }
    },
  },
  {
    name: 'a rejecting fetch with the key in its message, its cause or a thrown string leaks nothing',
    async run(ctx) {
      const fetches = {
        message: () => Promise.reject(new TypeError(`fetch failed for Bearer ${KEY}`)),
        cause: () => Promise.reject(new TypeError('fetch failed', { cause: new Error(`connect to ${ECHOES.cut}`) })),
        string: () => Promise.reject(`refused ${ECHOES.urlEncoded}`),
        thrown: () => { throw `thrown ${ECHOES.base64}`; },
      };
      for (const [form, fetch] of Object.entries(fetches)) {
        const events = [];
        const client = new ctx.lib.ResourcesClient(options(ctx, { fetch, retries: 1, onAttempt: (e) => events.push(e) }));
        const error = await rejects(client.fetchResources());
        equal(error.code, 'NETWORK_ERROR', error.message);
        ok(error.cause instanceof Error, `${form}: a cause`);
        ok(error.message.includes('[redacted]'), `${form}: ${error.message}`);
        equal(events.length, 2);
        assertClean([describe(error), ...events.map(event)], form);
      }
    },
  },
  {
    name: 'warnings (the stale fallback, names quoted from the body) never carry the key, not even a prefix',
    async run(ctx) {
      await ctx.control.reset();
      const client = new ctx.lib.ResourcesClient(options(ctx, { fetch: undefined }));
      // A primed store (the mock's key is another one: a fault answers first).
      await ctx.control.faults({ status: 200, body: { status: 'SUCCESS', data: { hash: 'aGFzaA', resources: { models: [] } } } });
      equal((await client.fetchResources()).source, 'network');
      await ctx.control.faults({ status: 503, contentType: 'text/html', body: `<p>down, key ${KEY}</p>` });
      const stale = await client.fetchResources({ refresh: true });
      equal(stale.stale, true);
      ok(stale.warnings.some((w) => w.startsWith('served from cache')), stale.warnings.join('\n'));
      assertClean(stale.warnings, 'stale warning');
      // A name of 75 characters and the key: cut at 80 characters, only
      // "sk-li" would be left of it if it were redacted after the cut.
      const modality = `${'m'.repeat(75)}${KEY}`;
      const models = [{ model: `x-${ECHOES.cut}`, modality, availableRunOptions: [] }];
      await ctx.control.faults({ status: 200, body: { status: 'SUCCESS', data: { hash: 'aGFzaDI', resources: { models, [KEY]: 1 } } } });
      const r = await client.fetchResources({ refresh: true });
      const warning = r.warnings.find((w) => w.includes('unknown modality'));
      ok(warning && warning.includes('[reda') && !warning.includes('sk-li'), warning);
      assertClean(r.warnings, 'warnings');
      assertClean(client.cached().warnings, 'cached warnings');
      const strict = new ctx.lib.ResourcesClient(options(ctx, { strict: true }));
      await ctx.control.faults({ status: 200, body: { status: 'SUCCESS', data: { hash: 'aGFzaDI', resources: { models, [KEY]: 1 } } } });
      const invalid = await rejects(strict.fetchResources());
      equal(invalid.code, 'INVALID_RESPONSE');
      assertClean([describe(invalid)], 'strict error and path');
    },
  },
  {
    name: 'onError of a background refresh gets the redacted error',
    async run(ctx) {
      await ctx.control.reset();
      const client = new ctx.lib.ResourcesClient(options(ctx));
      const errors = [];
      client.onError((e) => errors.push(e));
      const echo = `{"status":"SERVER_ERROR","message":"upstream said ${ECHOES.basic}"}`;
      await ctx.control.faults({ status: 500, body: echo });
      ok(client.observe(responseWith(200, { 'action-require': 'update-resources' })));
      await waitFor(() => errors.length > 0, 'onError');
      equal(errors[0].code, 'SERVER_ERROR');
      assertClean(errors.map(describe), 'onError');
    },
  },
  {
    name: 'an options error names the option, never a value or a name that could be the key',
    run(ctx) {
      const cases = [
        { baseUrl: KEY },
        { storage: KEY },
        { [KEY]: 1 },
        { headers: { [KEY]: 1 } },
        { headers: { [KEY]: 'a\r\nb' } },
        { headers: { 'x-api-key': `${KEY}\n` } },
        { apiKey: KEY, headers: { 'x-bad': `a\n${KEY}` } },
        { apiKey: `${KEY}\u20ac` },
      ];
      for (const opts of cases) {
        const error = throws(() => new ctx.lib.ResourcesClient({ dangerouslyAllowBrowser: true, ...opts }), JSON.stringify(Object.keys(opts)));
        equal(error.code, 'INVALID_OPTIONS', error.message);
        assertClean([describe(error)], `options ${Object.keys(opts)}`);
      }
      // The names of real options and headers are still shown.
      const named = throws(() => new ctx.lib.ResourcesClient({ storage: KEY }));
      ok(named.message.includes('storage must be'), named.message);
      const header = throws(() => new ctx.lib.ResourcesClient({ headers: { 'x-trace': 1 } }));
      ok(header.message.includes('headers["x-trace"] must be a string'), header.message);
    },
  },
];
