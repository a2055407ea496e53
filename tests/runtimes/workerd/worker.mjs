// A Cloudflare Worker, as Workers use the package: the explicit-init entry,
// the .wasm imported as a compiled WebAssembly.Module and instantiated at
// start-up with initSync (no I/O at module scope). tests/runtimes/workerd/run.mjs runs it
// in workerd and asks it for the catalog and, test by test, to run the suites.
//   GET /catalog        the catalog fetched from the mock API (env.MOCK_URL)
//   GET /__list         the suite tests this Worker runs: [file, name, reason to skip or null]
//   GET /__run?file=&name=   runs one of them; answers { ok, message }
import * as lib from 'resources-client/init';
import module from 'resources-client/web/resources_client_bg.wasm';
import { makeContext } from './tests/suites/harness.mjs';
import suites from './suites.mjs';

lib.initSync({ module });

// Tests that need a page (document, localStorage) are left out, as in Deno and Bun.
const runnable = (t) => !t.only || t.only === 'node';
/** Tests that need what workerd does not have: listed as skipped, with the reason. */
const UNSUPPORTED = {
  'request.suite.mjs': {
    'outside browsers: RESOURCES_API_KEY and RESOURCES_BASE_URL fill omitted options; no key at all fails at once, unless apiKey: null':
      'Workers have no process environment: their settings come as the fetch handler\'s env',
  },
  'reader_rules.suite.mjs': {
    'a synced record larger than the reader\'s maxBytes is not adopted': 'posts on a BroadcastChannel, which workerd does not have',
    'a record whose fetchedAt is in the future is refused, from storage and from the channel': 'posts on a BroadcastChannel, which workerd does not have',
  },
  'file_storage.suite.mjs': {
    'two file stores over one directory (two processes) make one request in all under maxAgeMs; the file is private':
      'the file store needs a file system (node:fs), which Workers do not have',
    'a damaged record file is ignored and replaced; writers of one record leave it whole':
      'the file store needs a file system (node:fs), which Workers do not have',
  },
  'sync.suite.mjs': {
    'a record stored in a worker thread reaches the main thread\'s clients (BroadcastChannel)':
      'needs node:worker_threads, which workerd does not have',
  },
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/catalog') {
      const client = new lib.ResourcesClient({ baseUrl: env.MOCK_URL, apiKey: env.API_KEY });
      const r = await client.fetchResources();
      return Response.json({ hash: r.hash, source: r.source, resources: r.resources, agentHeaders: client.agentHeaders() });
    }
    if (url.pathname === '/__list') {
      return Response.json(suites.flatMap(([file, tests]) => tests.filter(runnable)
        .map((t) => [file, t.name, UNSUPPORTED[file]?.[t.name] ?? null])));
    }
    if (url.pathname === '/__run') {
      const file = url.searchParams.get('file');
      const name = url.searchParams.get('name');
      const t = suites.find(([f]) => f === file)?.[1].find((x) => x.name === name);
      if (!t) return Response.json({ ok: false, message: `no test ${file}: ${name}` }, { status: 404 });
      try {
        await t.run(makeContext(lib, env.MOCK_URL, 'node'));
        return Response.json({ ok: true });
      } catch (error) {
        return Response.json({ ok: false, message: `${error?.name}: ${error?.message}\n${error?.stack ?? ''}` });
      }
    }
    return new Response('not found', { status: 404 });
  },
};
