// Uses the explicit-init entry as an application would; must compile with
// `tsc --strict --noEmit` (run by tests/package/consumer/run.mjs), misuses must not.
import {
  init,
  initSync,
  ResourcesClient,
  ResourcesError,
  fetchResources,
  type InitErrorCode,
  type InitInput,
  type ResourcesResult,
} from 'resources-client/init';

export async function start(wasmUrl: URL, bytes: Uint8Array, module: WebAssembly.Module, response: Response): Promise<void> {
  await init();
  await init(wasmUrl);
  await init(wasmUrl.href);
  await init(response);
  await init(fetch(wasmUrl));
  await init(bytes);
  await init(bytes.buffer);
  await init(module);
  initSync({ module });
  initSync({ module: bytes });
  const inputs: InitInput[] = [wasmUrl, bytes, module];
  void inputs;
}

export async function use(): Promise<ResourcesResult | null> {
  try {
    const client = new ResourcesClient({ baseUrl: 'https://api.example.test' });
    return await client.fetchResources();
  } catch (e) {
    if (e instanceof ResourcesError) {
      const notStarted: InitErrorCode = 'NOT_INITIALIZED';
      if (e.code === notStarted || e.code === 'INIT_FAILED') return null;
    }
    throw e;
  }
}

export const once: Promise<ResourcesResult> = fetchResources({ apiKey: 'sk' });

// @ts-expect-error: initSync needs the module
initSync();
// @ts-expect-error: nor an object without it
initSync({});
// @ts-expect-error: null is no input (WebAssembly.Module is an empty interface, so most values type-check)
void init(null);
export async function misuse(): Promise<void> {
  // @ts-expect-error: init resolves to nothing
  const nothing: string = await init();
  void nothing;
}
