import 'server-only';
// The per-process remediation machinery: the executor configuration, background runs (Job watches, local agents),
// the verifier (woken by the event bus for the reporting node, plus a slow sweep for reports that changed nothing
// or arrived at another replica), preview expiry, and recovery of runs a restart interrupted. One per process, kept
// on globalThis: the custom server and Next's bundled route handlers load separate copies of this module.
import { authConfigFromEnv, type AuthConfig } from '../auth/operator';
import { getEventBus } from '../events/bus';
import { getStore, type Store } from '../store';
import { remediationConfigFromEnv, type RemediationConfig } from './config';
import { finishRemediation } from './finish';
import { recoverFleetRuns } from './fleet';
import { superviseJob } from './kubeExecutor';
import type { RemediationDeps } from './service';
import { verifyPending } from './verify';
import { getLogger } from '../log/logger';

export const SWEEP_MS = 5000;

export interface RemediationRuntime {
  config: RemediationConfig;
  auth(): AuthConfig;
  deps(): Promise<RemediationDeps>;
  /** Runs verification now (for one node, or all). */
  verify(node?: string): Promise<void>;
  close(): Promise<void>;
}

export function createRemediationRuntime(opts: { store: () => Promise<Store>; config: RemediationConfig; sweepMs?: number; bus?: ReturnType<typeof getEventBus> }): RemediationRuntime {
  const inflight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    const p = work.catch((err: unknown) => getLogger().error({ err }, 'vethwatch: remediation run failed')).finally(() => inflight.delete(p));
    inflight.add(p);
  };
  const shutdown = new AbortController();
  const deps = async (): Promise<RemediationDeps> => ({ store: await opts.store(), config: opts.config, track, signal: shutdown.signal });

  let verifying: Promise<void> = Promise.resolve();
  const verify = (node?: string) =>
    (verifying = verifying.then(async () => {
      const store = await opts.store();
      // Expiring previews is a write: only on the slow sweep, never once per ingested report.
      if (node === undefined) await store.remediations.expirePlanned(new Date().toISOString());
      await verifyPending(store, node);
    }).catch((err: unknown) => getLogger().error({ err }, 'vethwatch: remediation verification failed')));

  const bus = opts.bus ?? getEventBus();
  const unsubscribe = bus.subscribe((events) => {
    for (const node of new Set(events.map((e) => e.node))) void verify(node);
  });
  const timer = setInterval(() => void verify(), opts.sweepMs ?? SWEEP_MS);
  timer.unref();

  const startedAt = Date.now();
  // Runs this process can no longer be watching: a local agent died with the previous process; a Job lives on in
  // the cluster and is watched again.
  void (async () => {
    try {
      const d = await deps();
      for (const rec of await d.store.remediations.listActive()) {
        if (rec.executor === 'kubernetes' && rec.jobName && d.config.kube) track(superviseJob(d, rec));
        else if (rec.executor === 'local' && !rec.jobName && opts.config.executor === 'local') {
          if (Date.parse(rec.appliedAt ?? rec.createdAt) > startedAt) continue;
          await finishRemediation(d, rec, {
            succeeded: false,
            evidence: { podName: 'local', exitCode: null, terminationReason: 'ServerRestarted', terminationMessage: null, log: null, logError: 'the server restarted while the local agent ran', result: null, collectedAt: new Date().toISOString() },
            error: 'the server restarted while the local agent ran; check the node and preview again',
            phase: 'Unknown',
          });
        }
      }
      await recoverFleetRuns(d);
    } catch (err) {
      getLogger().error({ err }, 'vethwatch: remediation recovery failed');
    }
  })();
  return {
    config: opts.config,
    auth: () => authConfigFromEnv(),
    deps,
    verify,
    async close() {
      clearInterval(timer);
      shutdown.abort();
      unsubscribe();
      // Runs get a few seconds to record their end; a Job is watched again by the next start, a local agent that
      // outlives us is recorded as interrupted then.
      await Promise.race([Promise.allSettled([...inflight, verifying]), new Promise((r) => setTimeout(r, 10_000).unref())]);
    },
  };
}

const KEY = Symbol.for('vethwatch.remediationRuntime');
type WithRuntime = typeof globalThis & { [KEY]?: RemediationRuntime };

/** The process's runtime, started on first use (the custom server starts it at boot). */
export function getRemediationRuntime(): RemediationRuntime {
  const g = globalThis as WithRuntime;
  return (g[KEY] ??= createRemediationRuntime({ store: getStore, config: remediationConfigFromEnv() }));
}

export async function closeRemediationRuntime(): Promise<void> {
  const g = globalThis as WithRuntime;
  const r = g[KEY];
  delete g[KEY];
  await r?.close();
}
