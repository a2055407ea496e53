// The package's first promises, in every environment: it loads, fetches the
// mock catalog over a real request, and rejects with ResourcesError.
import { ok, equal, rejects, throws } from './assert.mjs';

export const tests = [
  {
    name: 'fetchResources returns the validated catalog',
    async run({ lib, options, control }) {
      await control.reset();
      const result = await lib.fetchResources(options());
      equal(result.source, 'network');
      equal(result.changed, true);
      equal(result.previousHash, null);
      ok(/^[A-Za-z0-9_-]+$/.test(result.hash), `hash ${result.hash}`);
      const ids = result.resources.models.map((m) => m.model);
      for (const id of ['o3', 'gpt-4o', 'gpt-5', 'claude-sonnet-4', 'gpt-image-1', 'gemini-3-pro-image-preview', 'sora-2']) {
        ok(ids.includes(id), `${id} missing from ${ids}`);
      }
      const image = result.resources.models.find((m) => m.model === 'gpt-image-1');
      equal(image.modality, 'image');
      equal(image.availableRunOptions.find((o) => o.key === 'quality').options.join(), 'low,medium,high');
      ok(typeof result.fetchedAt === 'number' && result.fetchedAt > 0);
      equal(result.stale, false);
      ok(Array.isArray(result.warnings));
    },
  },
  {
    name: 'a wrong key rejects with a ResourcesError UNAUTHORIZED_ERROR',
    async run({ lib, options }) {
      const error = await rejects(lib.fetchResources(options({ apiKey: 'sk-wrong-key' })));
      ok(error instanceof lib.ResourcesError, 'instanceof ResourcesError');
      ok(error instanceof Error, 'instanceof Error');
      equal(error.name, 'ResourcesError');
      equal(error.code, 'UNAUTHORIZED_ERROR');
      equal(error.status, 401);
      equal(error.retryable, false);
      ok(!error.message.includes('sk-wrong-key'), 'the key is not in the message');
    },
  },
  {
    name: 'a bad option throws INVALID_OPTIONS from the constructor',
    async run({ lib }) {
      const error = throws(() => new lib.ResourcesClient({ timeoutMs: -1 }));
      ok(error instanceof lib.ResourcesError);
      equal(error.code, 'INVALID_OPTIONS');
      equal(error.status, 0);
    },
  },
];
