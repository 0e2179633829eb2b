import 'server-only';
// "Fix all at-risk nodes": preview every node that needs it, then run the previews in waves of at most the
// fleet-wide cap, each wave after the previous one finished, stopping at the first failure (or a pause).
import { randomUUID } from 'node:crypto';
import { actorName, type Identity } from '../auth/operator';
import { HttpError } from '../http/errors';
import type { NodeRecord } from '../store';
import { RemediationConflictError } from './errors';
import { applyRemediation, previewRemediation, type RemediationDeps } from './service';
import { isDoneStatus, type FleetPreview, type FleetPreviewNode, type FleetRun, type FleetRunNode } from './types';

/** How often a running wave is checked, and how long a wave may wait for a free slot under the cap. */
export const FLEET_POLL_MS = 500;
export const FLEET_SLOT_WAIT_MS = 10 * 60 * 1000;

export function needsRemediation(n: NodeRecord): boolean {
  return n.mismatchCount > 0 || n.policyRewrites;
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  await deps.store.remediations.insertFleetRun(run);
  await deps.store.remediations.appendAudit({ at: run.createdAt, actor: run.requestedBy, via: who.via, action: 'fleet-start', detail: `fleet run ${run.id}: ${plans.length} node(s), ${cap} at a time` });
  const work = driveFleetRun(deps, who, run);
  deps.track?.(work);
  return run;
}

async function driveFleetRun(deps: RemediationDeps, who: Identity, run: FleetRun): Promise<void> {
  const save = () => deps.store.remediations.updateFleetRun(run);
  const stop = async (status: FleetRun['status'], reason: string | null) => {
    run.status = status;
    run.stoppedReason = reason;
    run.finishedAt = new Date().toISOString();
    for (const n of run.nodes) if (n.status === null) n.status = 'skipped';
    await save();
    await deps.store.remediations.appendAudit({ at: run.finishedAt, actor: 'system', via: 'system', action: 'fleet-finish', result: status, detail: `fleet run ${run.id}${reason ? `: ${reason}` : ''}` });
  };
  try {
    const count = Math.max(0, ...run.nodes.map((n) => n.wave + 1));
    for (let w = 0; w < count; w++) {
      run.currentWave = w;
      const members = run.nodes.filter((n) => n.wave === w);
      for (const m of members) {
        const deadline = Date.now() + FLEET_SLOT_WAIT_MS;
        for (;;) {
          try {
            const rec = await applyRemediation(deps, m.node, m.planId, who, { fleetRunId: run.id });
            m.remediationId = rec.id;
            m.status = rec.status;
            break;
          } catch (err) {
            // Someone else's remediation holds a slot: wait for it rather than fail the run.
            if (err instanceof RemediationConflictError && err.code === 'cap' && Date.now() < deadline) {
              await sleep(FLEET_POLL_MS);
              continue;
            }
            m.status = 'failed';
            m.error = err instanceof Error ? err.message : String(err);
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
      }
      const failed = members.find((m) => m.status === 'failed');
      if (failed) {
        await stop('failed', `${failed.node}: ${failed.error ?? 'failed'}`);
        return;
      }
      const settings = await deps.store.remediations.getSettings();
      if (settings.paused && w < count - 1) {
        await stop('stopped', `paused: ${settings.pauseReason ?? 'no reason given'}`);
        return;
      }
    }
    await stop('succeeded', null);
  } catch (err) {
    await stop('failed', err instanceof Error ? err.message : String(err)).catch(() => undefined);
  }
}
