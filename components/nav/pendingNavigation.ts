// Which in-app navigation is waiting for the server, if any. RouteLink reports it; RouteBody shows the target
// route's skeleton meanwhile. (Route-level loading.tsx would do this too, but it wraps the page in a Suspense
// boundary whose content React streams as a hidden <div> swapped in by script: without JavaScript the reader
// would see the skeleton forever, and a missing node would answer 200 instead of 404.)
import { useSyncExternalStore } from 'react';

export interface PendingNavigation {
  href: string;
}

const listeners = new Set<() => void>();
let current: PendingNavigation | null = null;

function emit() {
  for (const l of listeners) l();
}

export function startPendingNavigation(href: string): void {
  current = { href };
  emit();
}

export function endPendingNavigation(href: string): void {
  if (current?.href !== href) return;
  current = null;
  emit();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function usePendingNavigation(): PendingNavigation | null {
  return useSyncExternalStore(
    subscribe,
    () => current,
    () => null,
  );
}
