// resources-client/react: a React hook over a client's store, built on
// useSyncExternalStore. React is an optional peer dependency of the package:
// only this entry imports it.
import { useCallback, useSyncExternalStore } from 'react';

/**
 * The client's snapshot, `{ data, error, isFetching, isPending }`, re-rendering
 * the component when it changes. The first component that uses a client starts
 * its `fetchResources()` (answered without a request while a stored catalog is
 * fresh, see `maxAgeMs`), unless `options.fetch` is false. Keep one client per
 * key and base URL outside the component (module scope, context, a ref).
 */
export function useResources(client, options) {
  const fetch = !(options !== null && typeof options === 'object' && options.fetch === false);
  const subscribe = useCallback((listener) => client.subscribe(listener, { fetch }), [client, fetch]);
  const getSnapshot = useCallback(() => client.getSnapshot(), [client]);
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}
