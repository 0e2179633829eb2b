import 'server-only';
// What every remediation step needs from the process: the store, the executor configuration, a clock, and the
// runtime's hooks for background work. Its own module so the service, the executors and the finishing step can all
// name it without importing each other (they used to form an import cycle through service.ts).
import type { Store } from '../store';
import type { RemediationConfig } from './config';

export interface RemediationDeps {
  store: Store;
  config: RemediationConfig;
  now?: () => Date;
  /** Background work (a Job being watched, a local agent running): the runtime keeps it to wait for on shutdown. */
  track?: (work: Promise<unknown>) => void;
  /** Aborted when the process shuts down: watches stop without recording an outcome (the next start resumes). */
  signal?: AbortSignal;
}
