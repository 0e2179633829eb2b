import 'server-only';
// Retention: history (the events table) older than VETHWATCH_RETENTION_DAYS (default 30) is pruned in the
// background, by server clock (received_at), in small batches with a pause between them so ingest never waits
// behind one long delete. With several replicas on one PostgreSQL the run happens once: it holds an advisory
// lock (lib/store/locks.ts) and a replica that finds it taken skips its turn. Only `events` is pruned here; other
// tables (the remediation audit log, say) keep their own, longer, rules.
import type { Store } from '../lib/store';
import { getLogger } from '../lib/log/logger';

export const RETENTION_LOCK = 'vethwatch.history-retention';
export const DEFAULT_RETENTION_DAYS = 30;
export const DEFAULT_PRUNE_BATCH = 1000;
const DAY_MS = 24 * 3600 * 1000;

export class RetentionConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetentionConfigError';
  }
}

export interface RetentionConfig {
  days: number;
  /** How often to run; the first run comes firstRunDelayMs after start. */
  intervalMs: number;
  firstRunDelayMs: number;
  batchSize: number;
  /** Pause between batches. */
  pauseMs: number;
}

export function retentionConfigFromEnv(env: Record<string, string | undefined> = process.env): RetentionConfig {
  const raw = env.VETHWATCH_RETENTION_DAYS?.trim();
  const days = raw ? Number(raw) : DEFAULT_RETENTION_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > 36500) {
    throw new RetentionConfigError(`VETHWATCH_RETENTION_DAYS must be a whole number of days from 1 to 36500, got "${raw}"`);
  }
  // The first run waits so start-up stays quick; tests shorten the wait to see a run without idling a minute.
  const rawFirst = env.VETHWATCH_RETENTION_FIRST_RUN_SECONDS?.trim();
  const firstRunSeconds = rawFirst ? Number(rawFirst) : 60;
  if (!Number.isFinite(firstRunSeconds) || firstRunSeconds < 0 || firstRunSeconds > 86400) {
    throw new RetentionConfigError(`VETHWATCH_RETENTION_FIRST_RUN_SECONDS must be 0 to 86400 seconds, got "${rawFirst}"`);
  }
  return { days, intervalMs: 3600 * 1000, firstRunDelayMs: firstRunSeconds * 1000, batchSize: DEFAULT_PRUNE_BATCH, pauseMs: 50 };
}

export interface PruneOptions {
  days: number;
  now?: Date;
  batchSize?: number;
  pauseMs?: number;
  /** Called after each batch with the rows it deleted (tests use it to overlap two runners deterministically). */
  onBatch?: (deleted: number) => void | Promise<void>;
  /** Checked between batches: true stops the run early (server shutdown). */
  stopped?: () => boolean;
}

export interface PruneResult {
  /** False when another runner held the lock: this one did nothing. */
  ran: boolean;
  deleted: number;
  batches: number;
  /** Events received before this were pruned. */
  cutoff: string;
}

/** One pruning run, under the retention lock. */
export async function pruneHistory(store: Store, options: PruneOptions): Promise<PruneResult> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.days * DAY_MS).toISOString();
  const batchSize = options.batchSize ?? DEFAULT_PRUNE_BATCH;
  const outcome = await store.locks.tryWithLock(RETENTION_LOCK, async () => {
    let deleted = 0;
    let batches = 0;
    for (;;) {
      if (options.stopped?.()) break;
      const n = await store.history.pruneEvents(cutoff, batchSize);
      batches += 1;
      deleted += n;
      await options.onBatch?.(n);
      if (n < batchSize) break;
      if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
    return { deleted, batches };
  });
  return outcome.acquired ? { ran: true, cutoff, ...outcome.value } : { ran: false, deleted: 0, batches: 0, cutoff };
}

export interface RetentionJob {
  /** Runs now (or joins the run in progress). */
  runNow(): Promise<PruneResult | null>;
  /** Stops scheduling and waits for a run in progress to finish its current batch. */
  stop(): Promise<void>;
}

/** Schedules pruneHistory in the background; failures are logged and retried at the next interval. */
export function startRetention(store: () => Promise<Store>, config: RetentionConfig): RetentionJob {
  let stopped = false;
  let running: Promise<PruneResult | null> | null = null;
  let timer: NodeJS.Timeout | undefined;

  const run = () =>
    (running ??= (async () => {
      try {
        const result = await pruneHistory(await store(), {
          days: config.days,
          batchSize: config.batchSize,
          pauseMs: config.pauseMs,
          stopped: () => stopped,
        });
        if (result.deleted > 0) getLogger().info(`vethwatch: retention pruned ${result.deleted} events received before ${result.cutoff}`);
        return result;
      } catch (err) {
        getLogger().error({ err }, 'vethwatch: history retention failed');
        return null;
      } finally {
        running = null;
      }
    })());

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      void run().finally(() => schedule(config.intervalMs));
    }, ms);
    timer.unref();
  };
  schedule(config.firstRunDelayMs);

  return {
    runNow: run,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
