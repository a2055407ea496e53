'use strict';
// A Node.js CommonJS consumer of the installed package. Prints what it saw as JSON.
const { ResourcesClient, ResourcesError, fetchResources } = require('resources-client');

async function main() {
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
  // import() of the same package must give the same classes as require().
  const esm = await import('resources-client');
  return {
    before,
    hash: result.hash,
    models: result.resources.models.map((m) => m.model),
    agent: client.agentHeaders(),
    errorCode,
    sameClasses: esm.ResourcesError === ResourcesError && esm.ResourcesClient === ResourcesClient,
  };
}

main().then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e); process.exitCode = 1; });
