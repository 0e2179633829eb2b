import 'server-only';
// In-process pub/sub for stored history events. One instance per process, kept on globalThis: the custom server
// (plain Node) and Next's bundled route handlers load separate copies of this module but must share subscribers.
import type { NodeEvent } from './types';
import { getLogger } from '../log/logger';

export type EventListener = (events: readonly NodeEvent[]) => void;

/**
 * The seam for several server replicas on one PostgreSQL: a relay announces what this process committed (e.g.
 * NOTIFY with the id range) and, when it hears another replica, calls `bus.deliverRemote(...)`.
 */
export interface EventRelay {
  announce(events: readonly NodeEvent[]): void | Promise<void>;
}

export interface EventBus {
  /** Events this process has just committed: delivered to local listeners, then announced to the relay. */
  publish(events: readonly NodeEvent[]): void;
  /** Events another replica committed: delivered to local listeners only, never announced again. */
  deliverRemote(events: readonly NodeEvent[]): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void;
  setRelay(relay: EventRelay | null): void;
  listenerCount(): number;
}

/** A separate bus, for tests; the server uses getEventBus(). */
export function createEventBus(): EventBus {
  const listeners = new Set<EventListener>();
  let relay: EventRelay | null = null;

  const deliver = (events: readonly NodeEvent[]) => {
    for (const listener of [...listeners]) {
      // One broken subscriber (a closed SSE stream, say) must not starve the others or fail an ingest.
      try {
        listener(events);
      } catch (err) {
        getLogger().error({ err }, 'vethwatch: event listener failed');
      }
    }
  };

  return {
    publish(events) {
      if (events.length === 0) return;
      deliver(events);
      if (relay) {
        const current = relay;
        Promise.resolve()
          .then(() => current.announce(events))
          .catch((err) => getLogger().error({ err }, 'vethwatch: event relay failed'));
      }
    },
    deliverRemote(events) {
      if (events.length > 0) deliver(events);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    setRelay(next) {
      relay = next;
    },
    listenerCount() {
      return listeners.size;
    },
  };
}

const KEY = Symbol.for('vethwatch.eventBus');
type WithBus = typeof globalThis & { [KEY]?: EventBus };

export function getEventBus(): EventBus {
  const g = globalThis as WithBus;
  return (g[KEY] ??= createEventBus());
}
