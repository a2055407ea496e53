// Stored and synced records obey the client that reads them: its `strict`,
// its `maxBytes`, and a clock that a record from the future cannot beat.
import { ok, equal, rejects } from './assert.mjs';
import { recordingStorage } from './helpers.mjs';
import { reseal } from './records.mjs';

const CHANNEL = 'resources-client:records';

/** Posts a record on the package's channel as another realm would, and lets it arrive. */
async function post(key, text) {
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage({ key, text });
  channel.close();
  await new Promise((r) => setTimeout(r, 100));
}

/** A record written by a real client of these options: [storage key, record text]. */
async function realRecord(lib, options) {
  const storage = recordingStorage();
  const writer = new lib.ResourcesClient({ ...options, storage });
  await writer.fetchResources();
  const [[key, text]] = [...storage.map.entries()];
  return [key, text];
}

export const tests = [
  {
    name: 'a strict client never gets a lenient record with warnings, from cached() or under maxAgeMs',
    async run({ lib, options, control }) {
      await control.reset();
      const catalog = (await control.state()).resources;
      const odd = structuredClone(catalog);
      odd.models[0].modality = 'audio';
      await control.catalog({ resources: odd });
      const storage = recordingStorage();
      const shared = options({ storage, maxAgeMs: 60_000 });
      const lenient = new lib.ResourcesClient(shared);
      const first = await lenient.fetchResources();
      ok(first.warnings.some((w) => w.includes('unknown modality')), first.warnings.join('\n'));
      equal(lenient.cached().warnings.length, first.warnings.length);
      const strict = new lib.ResourcesClient({ ...shared, strict: true });
      equal(strict.cached(), null, 'cached() of a strict client');
      equal(strict.hash, null);
      equal(strict.getSnapshot().data, null);
      await control.clearLog();
      const error = await rejects(strict.fetchResources());
      equal(error.code, 'INVALID_RESPONSE', error.message);
      equal((await control.resourceRequests()).length, 1, 'the strict client asked the network');
      // The lenient record stays for the lenient client.
      equal(lenient.cached().hash, first.hash);
      await control.reset();
    },
  },
  {
    name: 'a synced record larger than the reader\'s maxBytes is not adopted',
    async run({ lib, options, control }) {
      await control.reset();
      const opts = options({ storage: 'memory', maxBytes: 1_000_000 });
      const [key, text] = await realRecord(lib, opts);
      const reader = new lib.ResourcesClient(opts);
      reader.clear();
      equal(reader.storageKey, key);
      const heard = [];
      reader.onChange((r) => heard.push(r.hash));
      // The same record with a 2 MB section: valid, but over this reader's limit.
      const big = text.replace('"resources":{', `"resources":{"padding":"${'x'.repeat(2_000_000)}",`);
      ok(big.length > 2_000_000);
      await post(key, big);
      equal(reader.cached(), null, 'the oversized record was adopted');
      equal(heard.length, 0);
      // The control: the record as written is adopted through the same channel.
      await post(key, text);
      ok(reader.cached() !== null, 'the channel works');
      equal(heard.length, 1);
      reader.clear();
    },
  },
  {
    name: 'a record whose fetchedAt is in the future is refused, from storage and from the channel',
    async run({ lib, options, control }) {
      await control.reset();
      const opts = options({ storage: 'memory' });
      const [key, text] = await realRecord(lib, opts);
      const future = reseal(text, (m) => ({ ...m, fetchedAt: Date.now() + 3_600_000 }));
      ok(future !== text);
      const reader = new lib.ResourcesClient(opts);
      reader.clear();
      await post(key, future);
      equal(reader.cached(), null, 'a record from an hour ahead was adopted');
      // Within the allowed clock skew (60 s) it is taken.
      const soon = reseal(text, (m) => ({ ...m, fetchedAt: Date.now() + 5_000 }));
      await post(key, soon);
      ok(reader.cached() !== null, 'a record 5 s ahead is within the skew allowance');
      reader.clear();
      // The same from a storage.
      const storage = recordingStorage();
      storage.map.set(key, future);
      const fromStore = new lib.ResourcesClient({ ...opts, storage });
      equal(fromStore.cached(), null);
      equal(fromStore.hash, null);
      // A genuine fetch replaces it.
      const r = await fromStore.fetchResources();
      equal(r.source, 'network');
      ok(fromStore.cached().fetchedAt <= Date.now());
    },
  },
];
