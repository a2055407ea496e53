// A Node.js ESM consumer of the installed package. Prints what it saw as JSON.
import { ResourcesClient, ResourcesError, fetchResources } from 'resources-client';

const api = process.argv[2];
const client = new ResourcesClient({ baseUrl: api, apiKey: 'sk-mock-demo', storage: 'memory' });
const before = client.hash;
const result = await client.fetchResources();
let errorCode = null;
try {
  await fetchResources({ baseUrl: api, apiKey: 'sk-wrong', storage: 'memory' });
} catch (e) {
  errorCode = e instanceof ResourcesError ? e.code : `not a ResourcesError: ${e}`;
}
console.log(JSON.stringify({
  before,
  hash: result.hash,
  models: result.resources.models.map((m) => m.model),
  agent: client.agentHeaders(),
  errorCode,
}));
