import 'server-only';
// "Fix all at-risk nodes": preview every node that needs it, then run the previews in waves of at most the
// fleet-wide cap, each wave after the previous one finished, stopping at the first failure (or a pause).
// The process driving a run holds the store lock `fleet-run:<id>` for as long as it drives it (on PostgreSQL a
// session advisory lock, gone when the process dies). At start-up a 'running' run whose lock nobody holds was left
// by a process that stopped: it becomes 'interrupted' with the reason, and an operator resumes it.
import { randomUUID } from 'node:crypto';
import { actorName, type Identity } from '../auth/operator';
import { ConflictError, HttpError, NotFoundError } from '../http/errors';
import type { NodeRecord } from '../store';
import { RemediationConflictError } from './errors';
import type { RemediationDeps } from './deps';
import { applyRemediation, previewRemediation } from './service';
import { isDoneStatus, type FleetPreview, type FleetPreviewNode, type FleetRun, type FleetRunNode } from './types';
import { sleep } from '../time/sleep';

/** How often a running wave is checked, and how long a wave may wait for a free slot under the cap. */
export const FLEET_POLL_MS = 500;
export const FLEET_SLOT_WAIT_MS = 10 * 60 * 1000;

export function needsRemediation(n: Pick<NodeRecord, 'mismatchCount' | 'policyRewrites' | 'fragileReason'>): boolean {
  // A fragile node gets the /etc drop-in too, before the upgrade or reboot that would undo its fix.
  return n.mismatchCount > 0 || n.policyRewrites || n.fragileReason !== null;
}

export function waves<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += Math.max(1, size)) out.push(items.slice(i, i + Math.max(1, size)));
  return out;
}

export async function previewFleet(deps: RemediationDeps, who: Identity): Promise<FleetPreview> {
  const settings = await deps.store.remediations.getSettings();
  const nodes: FleetPreviewNode[] = [];
  for (const n of await deps.store.listNodes()) {
    if (!needsRemediation(n)) continue;
    try {
      const preview = await previewRemediation(deps, n.name, who);
      const blocked = preview.nothingToDo ? 'the plan changes nothing' : preview.jobDryRun && !preview.jobDryRun.ok ? `Kubernetes refused the Job: ${preview.jobDryRun.message}` : null;
      nodes.push({ node: n.name, preview, skipped: blocked });
    } catch (err) {
      nodes.push({ node: n.name, preview: null, skipped: err instanceof HttpError ? err.message : 'preview failed' });
    }
  }
  const runnable = nodes.filter((n) => n.skipped === null).map((n) => n.node);
  const blockers: string[] = [];
  if (settings.paused) blockers.push(`remediation is paused: ${settings.pauseReason ?? 'no reason given'}`);
  if (runnable.length === 0) blockers.push('no at-risk node has a plan to apply');
  return { cap: settings.maxConcurrent, waves: waves(runnable, settings.maxConcurrent), nodes, blockers };
}

const lockName = (id: string) => `fleet-run:${id}`;
const describeError = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Drives the run in the background while holding its lock; resolves once the lock is held and `first` (the run's
 * first write) is done, so the 202 answer never names a run another replica could take for abandoned.
 */
async function driveWithLock(deps: RemediationDeps, who: Identity, run: FleetRun, first: () => Promise<void>, resumed: boolean): Promise<void> {
  let ready!: () => void;
  let refused!: (err: unknown) => void;
  const started = new Promise<void>((resolve, reject) => {
    ready = resolve;
    refused = reject;
  });
  const work = deps.store.locks
    .tryWithLock(lockName(run.id), async () => {
      try {
        await first();
      } catch (err) {
        refused(err);
        return;
      }
      ready();
      await driveFleetRun(deps, who, run, resumed);
    })
    .then((r) => {
      if (!r.acquired) refused(new ConflictError(`fleet run ${run.id} is being driven by another server`));
    }, refused);
  deps.track?.(work);
  await started;
}

export async function startFleetRun(deps: RemediationDeps, who: Identity, plans: Array<{ node: string; planId: string }>): Promise<FleetRun> {
  const settings = await deps.store.remediations.getSettings();
  if (settings.paused) throw new RemediationConflictError('paused', `remediation is paused: ${settings.pauseReason ?? 'no reason given'}`);
  const seen = new Set<string>();
  for (const p of plans) {
    if (seen.has(p.node)) throw new RemediationConflictError('active', `node "${p.node}" is listed twice`);
    seen.add(p.node);
  }
  const cap = settings.maxConcurrent;
  const run: FleetRun = {
    id: randomUUID(),
    status: 'running',
    requestedBy: actorName(who),
    cap,
    createdAt: new Date().toISOString(),
    finishedAt: null,
    stoppedReason: null,
    currentWave: 0,
    nodes: waves(plans, cap).flatMap((w, i) => w.map((p): FleetRunNode => ({ node: p.node, planId: p.planId, wave: i, remediationId: null, status: null, error: null }))),
  };
  await driveWithLock(
    deps,
    who,
    run,
    async () => {
      await deps.store.remediations.insertFleetRun(run);
      await deps.store.remediations.appendAudit({ at: run.createdAt, actor: run.requestedBy, via: who.via, action: 'fleet-start', detail: `fleet run ${run.id}: ${plans.length} node(s), ${cap} at a time` });
    },
    false,
  );
  return structuredClone(run);
}

/** Start-up: every 'running' run nobody drives (its lock is free) was left by a stopped server: 'interrupted'. */
export async function recoverFleetRuns(deps: RemediationDeps): Promise<FleetRun[]> {
  const interrupted: FleetRun[] = [];
  for (const run of await deps.store.remediations.listFleetRuns(['running'])) {
    await deps.store.locks.tryWithLock(lockName(run.id), async () => {
      const at = new Date().toISOString();
      const waiting = run.nodes.filter((n) => n.status === null).map((n) => n.node);
      run.status = 'interrupted';
      run.finishedAt = at;
      run.stoppedReason = `the server stopped during wave ${run.currentWave + 1}${waiting.length ? `; not started: ${waiting.join(', ')}` : ''}; an operator can resume the run`;
      if (!(await deps.store.remediations.updateFleetRun(run, ['running']))) return;
      await deps.store.remediations.appendAudit({ at, actor: 'system', via: 'system', action: 'fleet-finish', result: 'interrupted', detail: `fleet run ${run.id}: ${run.stoppedReason}` });
      interrupted.push(run);
    });
  }
  return interrupted;
}

/** An operator resumes an interrupted run: its remaining nodes run in their waves, each re-previewed first. */
export async function resumeFleetRun(deps: RemediationDeps, who: Identity, id: string): Promise<FleetRun> {
  const run = await deps.store.remediations.getFleetRun(id);
  if (!run) throw new NotFoundError(`no fleet run ${id}`);
  if (run.status !== 'interrupted') throw new ConflictError(`fleet run ${id} is ${run.status}; only an interrupted run can be resumed`);
  const settings = await deps.store.remediations.getSettings();
  if (settings.paused) throw new RemediationConflictError('paused', `remediation is paused: ${settings.pauseReason ?? 'no reason given'}`);
  const reason = run.stoppedReason;
  await driveWithLock(
    deps,
    who,
    run,
    async () => {
      run.status = 'running';
      run.finishedAt = null;
      run.stoppedReason = null;
      if (!(await deps.store.remediations.updateFleetRun(run, ['interrupted']))) throw new ConflictError(`fleet run ${id} was resumed by someone else`);
      await deps.store.remediations.appendAudit({ at: new Date().toISOString(), actor: actorName(who), via: who.via, action: 'fleet-start', detail: `fleet run ${id} resumed (${reason ?? 'interrupted'})` });
    },
    true,
  );
  return structuredClone(run);
}

async function driveFleetRun(deps: RemediationDeps, who: Identity, run: FleetRun, resumed: boolean): Promise<void> {
  const save = () => deps.store.remediations.updateFleetRun(run);
  const stop = async (status: FleetRun['status'], reason: string | null) => {
    run.status = status;
    run.stoppedReason = reason;
    run.finishedAt = new Date().toISOString();
    for (const n of run.nodes) if (n.status === null) n.status = 'skipped';
    await save();
    await deps.store.remediations.appendAudit({ at: run.finishedAt, actor: 'system', via: 'system', action: 'fleet-finish', result: status, detail: `fleet run ${run.id}${reason ? `: ${reason}` : ''}` });
  };
  const pausedReason = (reason: string | null) => `paused: ${reason ?? 'no reason given'}`;
  // The server is shutting down: leave the run 'running' without its lock, so the next start marks it interrupted.
  const shuttingDown = () => deps.signal?.aborted === true;
  try {
    const count = Math.max(0, ...run.nodes.map((n) => n.wave + 1));
    for (let w = run.currentWave; w < count; w++) {
      run.currentWave = w;
      const members = run.nodes.filter((n) => n.wave === w);
      for (const m of members) {
        if (m.remediationId) continue; // started before an interruption: only waited for below
        const deadline = Date.now() + FLEET_SLOT_WAIT_MS;
        let announced = false;
        for (;;) {
          // Wait for a free slot here rather than by retrying the apply: a refused apply is audited, and one
          // "waiting" entry says more than one refusal per poll.
          const settings = await deps.store.remediations.getSettings();
          if (settings.paused) {
            await stop('stopped', pausedReason(settings.pauseReason));
            return;
          }
          if (settings.active >= settings.maxConcurrent) {
            if (Date.now() >= deadline) {
              m.status = 'failed';
              m.error = `no free remediation slot within ${FLEET_SLOT_WAIT_MS / 60_000} minutes (cap ${settings.maxConcurrent})`;
              await stop('failed', `${m.node}: ${m.error}`);
              return;
            }
            if (!announced) {
              announced = true;
              await deps.store.remediations.appendAudit({
                at: new Date().toISOString(),
                actor: 'system',
                via: 'system',
                action: 'fleet-wait',
                node: m.node,
                planId: m.planId,
                detail: `fleet run ${run.id}: ${settings.active} remediation(s) running, cap ${settings.maxConcurrent}; waiting for a free slot`,
              });
            }
            await sleep(FLEET_POLL_MS);
            if (shuttingDown()) return;
            continue;
          }
          try {
            // The preview was approved before the interruption and has likely expired: preview again. The apply
            // below still insists on the approved plan id, so a node that changed fails with "preview again".
            if (resumed) await previewRemediation(deps, m.node, who);
            const rec = await applyRemediation(deps, m.node, m.planId, who, { fleetRunId: run.id });
            m.remediationId = rec.id;
            m.status = rec.status;
            break;
          } catch (err) {
            // Another remediation took the slot between the check and the apply: wait again.
            if (err instanceof RemediationConflictError && err.code === 'cap' && Date.now() < deadline) {
              await sleep(FLEET_POLL_MS);
              if (shuttingDown()) return;
              continue;
            }
            if (err instanceof RemediationConflictError && err.code === 'paused') {
              await stop('stopped', pausedReason((await deps.store.remediations.getSettings()).pauseReason));
              return;
            }
            m.status = 'failed';
            m.error = describeError(err);
            await stop('failed', `${m.node}: ${m.error}`);
            return;
          }
        }
        await save();
      }
      // The wave ends when every member has finished running.
      for (;;) {
        let pending = false;
        for (const m of members) {
          const rec = m.remediationId ? await deps.store.remediations.get(m.remediationId) : null;
          if (rec) {
            m.status = rec.status;
            m.error = rec.error;
          }
          if (!rec || !isDoneStatus(rec.status)) pending = true;
        }
        await save();
        if (!pending) break;
        await sleep(FLEET_POLL_MS);
        if (shuttingDown()) return;
      }
      const failed = members.find((m) => m.status === 'failed');
      if (failed) {
        await stop('failed', `${failed.node}: ${failed.error ?? 'failed'}`);
        return;
      }
      const settings = await deps.store.remediations.getSettings();
      if (settings.paused && w < count - 1) {
        await stop('stopped', pausedReason(settings.pauseReason));
        return;
      }
    }
    await stop('succeeded', null);
  } catch (err) {
    await stop('failed', describeError(err)).catch(() => undefined);
  }
}
