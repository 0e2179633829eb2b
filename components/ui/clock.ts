// One shared one-second clock for every live age on the page: a fleet of 500 nodes gets one timer, not 500.
// The snapshot is whole seconds since the page loaded (monotonic, immune to wall-clock jumps). It is null during
// server rendering, hydration and until the clock runs, so the first client render matches the server's HTML and
// nobody anchors on a reading taken while the clock was stopped.
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
let seconds = 0;
let timer: ReturnType<typeof setInterval> | undefined;

function read(): number {
  return Math.floor(performance.now() / 1000);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === undefined) {
    seconds = read();
    timer = setInterval(() => {
      const next = read();
      if (next === seconds) return;
      seconds = next;
      for (const l of listeners) l();
    }, 250);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

export function useClockSeconds(): number | null {
  return useSyncExternalStore(
    subscribe,
    () => (timer === undefined ? null : seconds),
    () => null,
  );
}
