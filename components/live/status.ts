// The stream's connection state, shared by the one connection per tab and whatever shows it.
import { useSyncExternalStore } from 'react';

/** connecting: first attempt; live: open; reconnecting: the browser is retrying; offline: given up for now. */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

const listeners = new Set<() => void>();
let status: LiveStatus = 'connecting';

export function setLiveStatus(next: LiveStatus): void {
  if (next === status) return;
  status = next;
  for (const l of listeners) l();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(
    subscribe,
    () => status,
    () => 'connecting',
  );
}
