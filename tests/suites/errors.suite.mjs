// Every rejection is a ResourcesError with the right code, status, retryable
// flag and Retry-After: the server's documented codes and the client's own.
import { ok, equal, rejects, throws } from './assert.mjs';
import { waitFor, within } from './helpers.mjs';

const SERVER_CODES = [
  [400, 'BAD_REQUEST_ERROR', false],
  [401, 'UNAUTHORIZED_ERROR', false],
  [402, 'PAYMENT_REQUIRED_ERROR', false],
  [404, 'NOT_FOUND_ERROR', false],
  [410, 'GONE_ERROR', false],
  [422, 'VALIDATION_ERROR', false],
  [429, 'TOO_MANY_REQUESTS_ERROR', true],
  [500, 'SERVER_ERROR', true],
  [504, 'GATEWAY_TIMEOUT_ERROR', true],
];

/** Checks the shape every rejection shares. */
function isResourcesError(lib, error, code) {
  ok(error instanceof lib.ResourcesError, `instanceof ResourcesError (${error})`);
  ok(error instanceof Error, 'instanceof Error');
  equal(error.name, 'ResourcesError');
  equal(error.code, code, `code of: ${error.message}`);
  ok(typeof error.message === 'string' && error.message.length > 0, 'a message');
  ok(!error.message.includes('sk-mock-demo'), 'the key is never in a message');
  ok(typeof error.stack === 'string', 'a stack');
}

export const tests = [
  {
    name: 'every server error status maps to its code, status and retryable flag',
    async run({ lib, options, control }) {
      await control.reset();
      for (const [status, code, retryable] of SERVER_CODES) {
        await control.faults({ status });
        const error = await rejects(lib.fetchResources(options()), `HTTP ${status} should reject`);
        isResourcesError(lib, error, code);
        equal(error.status, status);
        equal(error.retryable, retryable, `retryable of ${status}`);
        equal(error.path, undefined);
        equal(error.retryAfterMs, undefined, `no Retry-After on ${status}`);
      }
      equal((await control.resourceRequests()).length, SERVER_CODES.length);
    },
  },
  {
    name: 'the server message is in the error message',
    async run({ lib, options, control }) {
      await control.reset();
      await control.faults({ status: 402 });
      const error = await rejects(lib.fetchResources(options()));
      ok(error.message.includes('Your plan has lapsed.'), error.message);
      ok(error.message.includes('PAYMENT_REQUIRED_ERROR'), error.message);
    },
  },
  {
    name: '429 carries retryAfterMs from Retry-After (seconds and HTTP date, capped at 60 s)',
    async run({ lib, options, control }) {
      await control.reset();
      await control.faults({ status: 429, retryAfter: '3' });
      const seconds = await rejects(lib.fetchResources(options()));
      equal(seconds.code, 'TOO_MANY_REQUESTS_ERROR');
      equal(seconds.retryAfterMs, 3000);
      await control.faults({ status: 429, retryAfter: '86400' });
      equal((await rejects(lib.fetchResources(options()))).retryAfterMs, 60000);
      await control.faults({ status: 503, retryAfter: new Date(Date.now() + 3_600_000).toUTCString() });
      const dated = await rejects(lib.fetchResources(options()));
      equal(dated.code, 'SERVER_ERROR');
      equal(dated.retryAfterMs, 60000);
    },
  },
  {
    name: 'an error status without an envelope (proxy HTML page) is HTTP_ERROR saying what arrived',
    async run({ lib, options, control }) {
      await control.reset();
      await control.faults({ kind: 'html' });
      const error = await rejects(lib.fetchResources(options()));
      isResourcesError(lib, error, 'HTTP_ERROR');
      equal(error.status, 502);
      equal(error.retryable, true);
      ok(error.message.includes('text/html'), error.message);
      ok(error.message.includes('502 Bad Gateway'), error.message);
      await control.faults({ status: 403, body: '', contentType: 'text/plain' });
      const empty = await rejects(lib.fetchResources(options()));
      isResourcesError(lib, empty, 'HTTP_ERROR');
      equal(empty.status, 403);
      equal(empty.retryable, false);
      ok(empty.message.includes('empty body'), empty.message);
    },
  },
  {
    name: 'a refused connection is NETWORK_ERROR with status 0',
    async run({ lib, options }) {
      // Port 1 on the loopback interface: nothing listens there.
      const error = await rejects(lib.fetchResources(options({ baseUrl: 'http://127.0.0.1:1' })));
      isResourcesError(lib, error, 'NETWORK_ERROR');
      equal(error.status, 0);
      equal(error.retryable, true);
    },
  },
  {
    name: 'a connection cut in the middle of the body is NETWORK_ERROR',
    async run({ lib, options, control }) {
      await control.reset();
      await control.faults({ kind: 'reset' });
      const error = await rejects(lib.fetchResources(options()));
      isResourcesError(lib, error, 'NETWORK_ERROR');
      equal(error.retryable, true);
    },
  },
  {
    name: 'a server that does not answer within timeoutMs is TIMEOUT',
    async run({ lib, options, control }) {
      await control.reset();
      await control.faults({ kind: 'hang' });
      const hang = await rejects(within(lib.fetchResources(options({ timeoutMs: 100 })), 'a hanging request'));
      isResourcesError(lib, hang, 'TIMEOUT');
      equal(hang.status, 0);
      equal(hang.retryable, true);
      ok(hang.message.includes('100 ms'), hang.message);
      await control.faults({ delayMs: 3000 });
      const slow = await rejects(within(lib.fetchResources(options({ timeoutMs: 100 })), 'a slow request'));
      isResourcesError(lib, slow, 'TIMEOUT');
      await control.reset();
    },
  },
  {
    name: 'a body that stalls after the headers is TIMEOUT too (the limit covers the body)',
    async run({ lib, options, control }) {
      await control.reset();
      await control.faults({ kind: 'drip', dripMs: 1000 });
      const error = await rejects(within(lib.fetchResources(options({ timeoutMs: 300 })), 'a dripping body'));
      isResourcesError(lib, error, 'TIMEOUT');
      await control.reset();
    },
  },
  {
    name: 'an AbortSignal rejects with ABORTED, before and during the request',
    async run({ lib, options, control }) {
      await control.reset();
      const before = new AbortController();
      before.abort();
      const early = await rejects(lib.fetchResources({ ...options(), signal: before.signal }));
      isResourcesError(lib, early, 'ABORTED');
      equal(early.status, 0);
      equal(early.retryable, false);
      equal((await control.resourceRequests()).length, 0, 'an aborted signal makes no request');

      await control.faults({ kind: 'hang' });
      const during = new AbortController();
      const client = new lib.ResourcesClient(options());
      const pending = client.fetchResources({ signal: during.signal });
      await waitFor(async () => (await control.resourceRequests()).length === 1, 'the request to reach the mock');
      during.abort();
      const late = await rejects(within(pending, 'an aborted request'));
      isResourcesError(lib, late, 'ABORTED');
      await control.reset();
    },
  },
  {
    name: 'a body larger than maxBytes is RESPONSE_TOO_LARGE (declared length)',
    async run({ lib, options, control }) {
      await control.reset();
      const error = await rejects(lib.fetchResources(options({ maxBytes: 100 })));
      isResourcesError(lib, error, 'RESPONSE_TOO_LARGE');
      equal(error.status, 200);
      equal(error.retryable, false);
      ok(error.message.includes('100'), error.message);
    },
  },
  {
    name: 'a body without content-length is cut off at maxBytes while reading',
    async run({ lib, options }) {
      // An endless body: a client that read it all before checking would never finish.
      let pulls = 0;
      let cancelled = false;
      const chunk = new TextEncoder().encode('x'.repeat(1024));
      const endless = async () =>
        new Response(
          new ReadableStream({
            pull(controller) {
              pulls += 1;
              if (pulls > 100_000) controller.error(new Error('the client kept reading'));
              else controller.enqueue(chunk);
            },
            cancel() {
              cancelled = true;
            },
          }),
          { status: 200, headers: { 'content-type': 'application/json' } },
        );
      const error = await rejects(within(lib.fetchResources(options({ fetch: endless, maxBytes: 10_000 })), 'an endless body'));
      isResourcesError(lib, error, 'RESPONSE_TOO_LARGE');
      ok(pulls < 100, `stopped reading early (${pulls} chunks)`);
      ok(cancelled, 'the body stream was cancelled');
    },
  },
  {
    name: 'a dripping body over maxBytes fails as soon as the limit is passed',
    async run({ lib, options, control, mockUrl }) {
      // The mock declares Content-Length; hiding it behind a fetch wrapper leaves only the stream.
      await control.reset();
      await control.faults({ kind: 'drip', dripMs: 1 });
      const stripped = async (request) => {
        const res = await fetch(request);
        return new Response(res.body, { status: res.status, headers: { 'content-type': 'application/json' } });
      };
      const error = await rejects(within(lib.fetchResources(options({ fetch: stripped, maxBytes: 50 })), 'a dripping body'));
      isResourcesError(lib, error, 'RESPONSE_TOO_LARGE');
      ok(mockUrl);
      await control.reset();
    },
  },
  {
    name: 'bad options are INVALID_OPTIONS, thrown by the constructor',
    async run({ lib, mockUrl }) {
      const cases = [
        [{ timeoutMs: -1 }, 'timeoutMs'],
        [{ timeoutMs: '100' }, 'timeoutMs'],
        [{ retries: 1.5 }, 'retries'],
        [{ retries: 11 }, 'retries'],
        [{ maxBytes: -5 }, 'maxBytes'],
        [{ maxAgeMs: Number.NaN }, 'maxAgeMs'],
        [{ baseUrl: 'api.example.com' }, 'baseUrl'],
        [{ baseUrl: 'ftp://example.com' }, 'baseUrl'],
        [{ baseUrl: 'https://user:pw@example.com' }, 'baseUrl'],
        [{ baseUrl: `${mockUrl}?x=1` }, 'baseUrl'],
        [{ baseURL: mockUrl }, 'did you mean "baseUrl"'],
        [{ refresh: true }, 'refresh'],
        [{ fetch: 'fetch' }, 'fetch'],
        [{ storage: 'disk' }, 'storage'],
        [{ storage: { getItem() { return null; } } }, 'storage'],
        [{ storage: 42 }, 'storage'],
        [{ headers: { 'x-a': 1 } }, 'headers'],
        [{ headers: { 'x-a': 'a\r\nx-b: c' } }, 'header'],
        [{ headers: { 'bad name': 'a' } }, 'header'],
        [{ strict: 'yes' }, 'strict'],
        [{ storageKey: '' }, 'storageKey'],
      ];
      for (const [opts, mention] of cases) {
        const error = throws(() => new lib.ResourcesClient(opts), `${JSON.stringify(opts)} should throw`);
        isResourcesError(lib, error, 'INVALID_OPTIONS');
        equal(error.status, 0);
        equal(error.retryable, false);
        ok(error.message.includes(mention), `${error.message} should mention ${mention}`);
      }
      for (const notAnObject of ['https://x', 42, [1]]) {
        const error = throws(() => new lib.ResourcesClient(notAnObject));
        isResourcesError(lib, error, 'INVALID_OPTIONS');
      }
    },
  },
  {
    name: 'the one-shot fetchResources rejects (never throws) on bad options',
    async run({ lib }) {
      let promise;
      try {
        promise = lib.fetchResources({ timeoutMs: -1 });
      } catch (e) {
        throw new Error(`threw synchronously: ${e}`);
      }
      isResourcesError(lib, await rejects(promise), 'INVALID_OPTIONS');
      isResourcesError(lib, await rejects(lib.fetchResources({ signal: 'nope' })), 'INVALID_OPTIONS');
    },
  },
  {
    name: 'per-call options are checked: unknown keys and a non-signal are INVALID_OPTIONS',
    async run({ lib, options }) {
      const client = new lib.ResourcesClient(options());
      isResourcesError(lib, await rejects(client.fetchResources({ force: true })), 'INVALID_OPTIONS');
      isResourcesError(lib, await rejects(client.fetchResources({ signal: {} })), 'INVALID_OPTIONS');
      isResourcesError(lib, await rejects(client.fetchResources({ refresh: 'yes' })), 'INVALID_OPTIONS');
    },
  },
  {
    name: 'a key or header the platform cannot send is INVALID_OPTIONS without echoing the key',
    async run({ lib, options }) {
      const key = 'sk-ключ-secret';
      const error = throws(() => new lib.ResourcesClient(options({ apiKey: key })));
      isResourcesError(lib, error, 'INVALID_OPTIONS');
      ok(!error.message.includes('secret'), error.message);
      const header = throws(() => new lib.ResourcesClient(options({ headers: { 'x-name': '名前' } })));
      isResourcesError(lib, header, 'INVALID_OPTIONS');
      const control = throws(() => new lib.ResourcesClient(options({ apiKey: 'sk-a\nsecret' })));
      isResourcesError(lib, control, 'INVALID_OPTIONS');
      ok(!control.message.includes('secret'), control.message);
    },
  },
  {
    name: 'a wrong key never appears in the error, nor a right one',
    async run({ lib, options, control }) {
      await control.reset();
      const wrong = await rejects(lib.fetchResources(options({ apiKey: 'sk-wrong-0123456789' })));
      ok(!wrong.message.includes('0123456789'));
      ok(!JSON.stringify({ ...wrong }).includes('0123456789'));
      await control.faults({ kind: 'html', status: 200 });
      const invalid = await rejects(lib.fetchResources(options()));
      ok(!JSON.stringify({ ...invalid, message: invalid.message }).includes('sk-mock-demo'));
    },
  },
];
