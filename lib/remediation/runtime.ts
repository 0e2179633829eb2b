import 'server-only';
// The per-process remediation machinery: the executor configuration, background runs (Job watches), the verifier
// (woken by the event bus for the reporting node, plus a slow sweep for reports that changed nothing or arrived at
// another replica), preview expiry, local runs no agent claimed or finished in time, and Job watches a restart
// interrupted. One per process, kept
// on globalThis: the custom server and Next's bundled route handlers load separate copies of this module.
import { authConfigFromEnv, type AuthConfig } from '../auth/operator';
import { getEventBus } from '../events/bus';
import { getStore, type Store } from '../store';
import { remediationConfigFromEnv, type RemediationConfig } from './config';
import { finishRemediation } from './finish';
import { recoverFleetRuns } from './fleet';
import { superviseJob } from './kubeExecutor';
import { expireLocal } from './localExecutor';
import type { RemediationDeps } from './deps';
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
      // Expiring previews and local runs are writes: only on the slow sweep, never once per ingested report.
      if (node === undefined) {
        await store.remediations.expirePlanned(new Date().toISOString());
        await expireLocal(await deps());
      }
      await verifyPending(store, node);
    }).catch((err: unknown) => getLogger().error({ err }, 'vethwatch: remediation verification failed')));

  const bus = opts.bus ?? getEventBus();
  const unsubscribe = bus.subscribe((events) => {
    for (const node of new Set(events.map((e) => e.node))) void verify(node);
  });
  const timer = setInterval(() => void verify(), opts.sweepMs ?? SWEEP_MS);
  timer.unref();

  // A Job lives on in the cluster while no server watches it: watch the ones a restart left behind again. A local
  // run needs nothing: its agent posts the result to whichever replica answers, and the sweep fails it if none comes.
  track((async () => {
    try {
      const d = await deps();
      for (const rec of await d.store.remediations.listActive()) {
        if (rec.executor === 'kubernetes' && rec.jobName && d.config.kube) track(superviseJob(d, rec));
      }
      await recoverFleetRuns(d);
    } catch (err) {
      getLogger().error({ err }, 'vethwatch: remediation recovery failed');
    }
  })());
  return {
    config: opts.config,
    auth: () => authConfigFromEnv(),
    deps,
    verify,
    async close() {
      clearInterval(timer);
      shutdown.abort();
      unsubscribe();
      // Job watches get a few seconds to record their end; a Job is watched again by the next start.
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
