// `using` a client (explicit resource management): compiled by
// tests/package/consumer/run.mjs with TypeScript's `esnext` lib, which brings `Disposable`.
import { ResourcesClient } from 'resources-client';

export function scoped(): string | null {
  using client = new ResourcesClient({ storage: 'memory' });
  return client.hash;
}
