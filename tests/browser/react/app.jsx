// A component bound to a client with useSyncExternalStore, as the README shows.
import { useSyncExternalStore } from 'react';
import { createRoot } from 'react-dom/client';

export function mount(element, client) {
  const subscribe = (cb) => client.subscribe(cb);
  const getSnapshot = () => client.getSnapshot();
  const stats = { renders: 0 };
  function Models() {
    const catalog = useSyncExternalStore(subscribe, getSnapshot, () => null);
    stats.renders += 1;
    if (!catalog) return <p id="state">no catalog</p>;
    return (
      <ul id="state" data-hash={catalog.hash}>
        {catalog.resources.models.map((m) => <li key={m.model}>{m.model}</li>)}
      </ul>
    );
  }
  createRoot(element).render(<Models />);
  return stats;
}
