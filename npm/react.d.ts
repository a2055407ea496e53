// Type declarations of the entry `resources-client/react`.
import type { ResourcesClient, ResourcesSnapshot } from './index.js';

/** Options of `useResources`. */
export interface UseResourcesOptions {
  /** Start `fetchResources()` when the first component subscribes (default true). */
  fetch?: boolean | undefined;
}

/**
 * The client's snapshot (`data`, `error`, `isFetching`, `isPending`), re-rendering
 * the component when it changes; the first subscriber starts a fetch unless
 * `fetch: false`. Built on React's `useSyncExternalStore`.
 */
export function useResources(client: ResourcesClient, options?: UseResourcesOptions): ResourcesSnapshot;
