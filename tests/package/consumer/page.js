// The page script of the browser consumers (a Vite build and a plain
// <script type="module"> page): imports the package by its bare name, fetches
// from the mock API given as ?api=..., and leaves what it saw in window.__result.
import { ResourcesClient, ResourcesError, fetchResources } from 'resources-client';

async function main() {
  const api = new URLSearchParams(location.search).get('api');
  const client = new ResourcesClient({ baseUrl: api, apiKey: 'sk-mock-demo', dangerouslyAllowBrowser: true, storage: 'memory' });
  const before = client.hash;
  const result = await client.fetchResources();
  let errorCode = null;
  try {
    await fetchResources({ baseUrl: api, apiKey: 'sk-wrong', dangerouslyAllowBrowser: true, storage: 'memory' });
  } catch (e) {
    errorCode = e instanceof ResourcesError ? e.code : `not a ResourcesError: ${e}`;
  }
  return {
    before,
    hash: result.hash,
    models: result.resources.models.map((m) => m.model),
    agent: client.agentHeaders(),
    errorCode,
  };
}

main().then(
  (r) => { window.__result = { ok: true, ...r }; },
  (e) => { window.__result = { ok: false, error: `${e?.name}: ${e?.message}` }; },
);
