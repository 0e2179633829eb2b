import 'server-only';
// The process-wide store. Cached on globalThis so the custom server and Next's bundled route handlers, which
// load separate copies of this module, share one connection pool and one migration run.
import { storeConfigFromEnv } from './config';
import { createStore, type Store } from './store';

export { createStore } from './store';
export type {
  ApplyDecision,
  ApplyOutcome,
  ApplyReportInput,
  ApplyReportResult,
  ListEventsOptions,
  NodeRecord,
  NodeSummaryRecord,
  NodeSnapshot,
  Store,
} from './store';
export { RECENT_REPORT_IDS, StoreClosedError } from './store';
export { describeStoreConfig, storeConfigFromEnv, StoreConfigError, type Engine, type StoreConfig } from './config';
export { MigrationError } from './migrate';

const KEY = Symbol.for('vethwatch.store');
type WithStore = typeof globalThis & { [KEY]?: Promise<Store> };

/** The shared store, configured from the environment; opened (and migrated) on first use. */
export function getStore(): Promise<Store> {
  const g = globalThis as WithStore;
  if (!g[KEY]) {
    const pending = createStore(storeConfigFromEnv());
    g[KEY] = pending;
    // A failed open must not stick: the next caller tries again (and sees the error itself).
    pending.catch(() => {
      if (g[KEY] === pending) delete g[KEY];
    });
  }
  return g[KEY];
}

/** Closes the shared store, if one was opened (server shutdown). */
export async function closeStore(): Promise<void> {
  const g = globalThis as WithStore;
  const pending = g[KEY];
  delete g[KEY];
  if (pending) await (await pending.catch(() => null))?.close();
}
