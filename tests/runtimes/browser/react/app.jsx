// A component bound to a client with the package's React hook, as the README
// shows it: loading, error with a retry, and the catalog.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { useResources } from '../../../../pkg/react.js';

export function mount(element, client) {
  const stats = { renders: 0 };
  function Models() {
    const { data, error, isPending, isFetching } = useResources(client);
    stats.renders += 1;
    if (isPending) return <p id="state">loading</p>;
    return (
      <div id="state" data-hash={data?.hash ?? ''} data-fetching={String(isFetching)}>
        {error && (
          <p id="error">
            {error.code} <button id="retry" onClick={() => client.fetchResources().catch(() => {})}>Retry</button>
          </p>
        )}
        <ul>{data?.resources.models.map((m) => <li key={m.model}>{m.model}</li>)}</ul>
      </div>
    );
  }
  createRoot(element).render(<StrictMode><Models /></StrictMode>);
  return stats;
}
