// At most N tasks at a time; the rest wait their turn in arrival order. The full ingest path holds a parsed,
// validated and diffed report (~1-2 MB of heap for 110 veths) while it waits on the database; on PostgreSQL, where
// those waits overlap, a burst of changed reports (a fleet-wide udev upgrade, say) would otherwise hold one per
// open connection. Bodies waiting here are still text: ~50 KB each.
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now, and waiting. */
  readonly active: number;
  readonly waiting: number;
}

export function createLimiter(max: number): Limiter {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`a limiter needs a whole number of slots >= 1, got ${max}`);
  let active = 0;
  const queue: Array<() => void> = [];
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else active--;
  };
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active < max) active++;
      else await new Promise<void>((resolve) => queue.push(resolve)); // the slot is handed over, still counted
      try {
        return await task();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
  };
}
