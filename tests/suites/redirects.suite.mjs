// Redirects: a loop or too many hops is one attempt's failure, never retried;
// a redirect to another origin is refused unless the caller allows it, and
// then no credential goes along.
import { ok, equal, rejects } from './assert.mjs';

/** The mock's own URL under another origin (same server: `localhost` for `127.0.0.1`). */
const otherOrigin = (mockUrl) => mockUrl.replace('127.0.0.1', 'localhost');

export const tests = [
  {
    name: 'a redirect loop is TOO_MANY_REDIRECTS after one attempt, not retried',
    only: 'node',
    async run({ lib, options, control, mockUrl }) {
      await control.reset();
      await control.clearLog();
      await control.faults({ status: 302, headers: { location: `${mockUrl}/v1/resources` }, times: 100 });
      const events = [];
      const error = await rejects(lib.fetchResources(options({ retries: 2, onAttempt: (e) => events.push(e) })));
      equal(error.code, 'TOO_MANY_REDIRECTS', error.message);
      equal(error.retryable, false);
      equal(events.length, 1, 'one attempt');
      equal((await control.resourceRequests()).length, 1, 'a 302 to itself is seen at once');
      await control.reset();
    },
  },
  {
    name: 'a chain of more than 20 redirects is TOO_MANY_REDIRECTS after 21 requests, not retried',
    only: 'node',
    async run({ lib, options, control, mockUrl }) {
      await control.reset();
      await control.clearLog();
      const hops = Array.from({ length: 30 }, (_, i) => ({ status: 307, headers: { location: `${mockUrl}/v1/resources?hop=${i}` } }));
      await control.faults(...hops);
      const error = await rejects(lib.fetchResources(options({ retries: 2 })));
      equal(error.code, 'TOO_MANY_REDIRECTS', error.message);
      equal((await control.resourceRequests()).length, 21);
      await control.reset();
    },
  },
  {
    name: 'a same-origin redirect is followed with the key',
    async run({ lib, options, control }) {
      await control.reset();
      await control.clearLog();
      await control.faults({ status: 301, headers: { location: '/v1/resources?moved=1' } });
      const r = await lib.fetchResources(options());
      equal(r.source, 'network');
      const log = await control.resourceRequests();
      equal(log.length, 2);
      equal(log[1].headers.authorization, 'Bearer <redacted>', 'the key went along to the same origin');
    },
  },
  {
    name: 'a cross-origin redirect is CROSS_ORIGIN_REDIRECT, nothing is stored',
    async run({ lib, options, control, mockUrl }) {
      await control.reset();
      await control.clearLog();
      await control.faults({ status: 302, headers: { location: `${otherOrigin(mockUrl)}/v1/resources` }, times: 3 });
      const client = new lib.ResourcesClient(options({ retries: 2, headers: { 'x-api-key': 'xk-secret-123456789' } }));
      const error = await rejects(client.fetchResources());
      equal(error.code, 'CROSS_ORIGIN_REDIRECT', error.message);
      equal(error.retryable, false);
      ok(error.message.includes('allowCrossOriginRedirects'), error.message);
      equal(client.hash, null, 'nothing stored');
      await control.reset();
    },
  },
  {
    name: 'allowCrossOriginRedirects follows, without any credential header',
    async run({ lib, options, control, mockUrl, environment }) {
      await control.reset();
      await control.clearLog();
      await control.faults({ status: 302, headers: { location: `${otherOrigin(mockUrl)}/v1/resources` } });
      const client = new lib.ResourcesClient(options({ allowCrossOriginRedirects: true, headers: { 'x-api-key': 'xk-secret-123456789', 'x-trace': 't1' } }));
      // The other origin gets no key, so it answers 401.
      const error = await rejects(client.fetchResources());
      equal(error.code, 'UNAUTHORIZED_ERROR', error.message);
      if (environment === 'node') {
        const log = await control.resourceRequests();
        equal(log.length, 2);
        equal(log[0].headers['x-api-key'], 'xk-secret-123456789');
        equal(log[1].headers['x-api-key'], undefined, 'no credential header went to the other origin');
        equal(log[1].headers.authorization, undefined, 'no key went to the other origin');
        equal(log[1].headers['x-trace'], 't1', 'other headers go along');
      }
      await control.reset();
    },
  },
];
