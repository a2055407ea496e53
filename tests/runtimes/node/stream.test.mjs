// Bodies walked as they download: a local server sends each body in small
// pieces (each written on its own turn of the event loop, so that they arrive
// as separate chunks), cutting through keys, strings, escapes, numbers and
// models; the verdict must be the one parseResources gives the same bytes
// whole. More bodies than are walked during their download at once (the rest
// are walked when whole) must come out the same too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const lib = require('../../../pkg/index.cjs');
const catalogText = readFileSync(fileURLToPath(new URL('../../fixtures/catalog_extended.json', import.meta.url)), 'utf8');

/** Bodies by path, and the piece sizes they are sent in (cycled). */
const bodies = new Map();
let server;
let base;

before(async () => {
  server = http.createServer(async (req, res) => {
    const name = req.url.split('/')[1];
    const { bytes, sizes } = bodies.get(name);
    res.writeHead(200, { 'content-type': 'application/json' });
    let at = 0;
    for (let k = 0; at < bytes.length; k += 1) {
      const n = sizes[k % sizes.length];
      res.write(bytes.subarray(at, at + n));
      at += n;
      await new Promise((resolve) => setImmediate(resolve));
    }
    res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => new Promise((resolve) => server.close(resolve)));

/** The outcome of fetchResources for `text` sent in pieces of `sizes`, and of parseResources of it whole. */
async function both(name, text, sizes, options = {}) {
  bodies.set(name, { bytes: Buffer.from(text), sizes });
  const client = new lib.ResourcesClient({ baseUrl: `${base}/${name}`, apiKey: null, storage: 'memory', retries: 0, ...options });
  const fetched = await client.fetchResources().then(
    (r) => ({ hash: r.hash, resources: r.resources, warnings: r.warnings }),
    // The request's URL and the response's content type are the network's part of the message.
    (e) => ({ code: e.code, message: e.message.replace(/ \(GET .*\)$/, '').replace('application/json', 'no content type') }),
  );
  let parsed;
  try {
    const r = lib.parseResources(text, { strict: options.strict ?? false });
    parsed = { hash: r.hash, resources: r.resources, warnings: r.warnings };
  } catch (e) {
    parsed = { code: e.code, message: e.message };
  }
  client.free();
  return { fetched, parsed };
}

test('a catalog sent in pieces that cut through everything reads as it does whole', async () => {
  const catalog = JSON.parse(catalogText);
  // Escapes, non-ASCII text, numbers and literals inside models, and a duplicate.
  catalog.data.resources.models[0].note = 'caf\u00e9 \ud83d\ude00 "quoted" \\ back';
  catalog.data.resources.models[0].limits = { tokens: 128000, ratio: -1.5e-3, beta: true, off: null };
  catalog.data.resources.models.push({ ...catalog.data.resources.models[0] });
  const text = `\ufeff ${JSON.stringify(catalog, null, 1)} \n`;
  for (const sizes of [[1], [7], [3, 64, 1, 500], [4096]]) {
    const { fetched, parsed } = await both(`cut-${sizes.join('-')}`, text, sizes);
    assert.equal(fetched.code, undefined, `pieces of ${sizes}: ${fetched.message}`);
    assert.deepEqual(fetched, parsed, `pieces of ${sizes}`);
    assert.ok(parsed.warnings.some((w) => w.includes('duplicate model id')), 'the duplicate is found across pieces');
  }
});

test('errors found in pieces are the errors found whole: syntax, schema, strict findings', async () => {
  const cases = {
    syntax: catalogText.replace('"modality"', '"modality" 1'),
    late: catalogText.slice(0, -3) + ']}',
    schema: catalogText.replace('"modality":', '"modality":7,"x":'),
    strict: catalogText.replace('"text"', '"telepathy"'),
    unfinished: catalogText.slice(0, catalogText.length / 2),
  };
  for (const [name, text] of Object.entries(cases)) {
    for (const sizes of [[1], [5, 31]]) {
      const { fetched, parsed } = await both(`${name}-${sizes.join('-')}`, text, sizes, { strict: name === 'strict' });
      assert.ok(fetched.code, `${name}: an error`);
      assert.deepEqual(fetched, parsed, `${name} in pieces of ${sizes}`);
    }
  }
});

test('more bodies at once than are walked as they download all read as they do whole', async () => {
  const texts = Array.from({ length: 10 }, (_, i) => catalogText.replace('"SUCCESS"', i % 3 ? '"SUCCESS"' : '"BUSY"'));
  const outcomes = await Promise.all(texts.map((text, i) => both(`many-${i}`, text, [97 + i])));
  for (const [i, { fetched, parsed }] of outcomes.entries()) {
    assert.deepEqual(fetched, parsed, `body ${i}`);
  }
});
