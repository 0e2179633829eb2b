import 'server-only';
// Preview and apply: the two calls behind POST /api/v1/nodes/{name}/remediations. A preview builds the agent's plan
// from the node's latest report, (Kubernetes) builds the Job and has the API server dry-run it, and stores the
// preview; apply turns that stored preview into a running remediation under the database's guardrails, then hands
// it to the executor. Both leave an audit entry, refusals included.
import { randomUUID } from 'node:crypto';
import type { Identity } from '../auth/operator';
import { actorName } from '../auth/operator';
import { NotFoundError } from '../http/errors';
import { KubeConflictError, KubeError, kubeCall } from '../kube/errors';
import { buildRemediationJob, createJob } from '../kube/jobs';
import { HOST_ROOT } from '../kube/remediationJob';
import { recordRemediationResult } from '../metrics/record';
import type { Store } from '../store';
import type { RemediationConfig } from './config';
import type { RemediationDeps } from './deps';
import { RemediationConflictError, RemediationRefusedError } from './errors';
import { localCommand, startLocal } from './localExecutor';
import { superviseJob } from './kubeExecutor';
import { planFromReport, planIsEmpty } from './plan';
import type { JobDryRun, JobPreview, PlanPreview, RemediationRecord } from './types';
import { getLogger } from '../log/logger';

const now = (deps: RemediationDeps) => (deps.now ? deps.now() : new Date());

function jobFor(config: RemediationConfig, node: string, requestId: string, planId: string) {
  if (!config.image) throw new RemediationRefusedError('no-executor', config.executorDetail);
  return buildRemediationJob({ node, requestId, planId, namespace: config.namespace, image: config.image });
}

/** Why an apply would be refused right now; empty when it would go ahead. */
async function blockersFor(store: Store, node: string): Promise<string[]> {
  const settings = await store.remediations.getSettings();
  const out: string[] = [];
  if (settings.paused) out.push(`remediation is paused${settings.pausedBy ? ` by ${settings.pausedBy}` : ''}: ${settings.pauseReason ?? 'no reason given'}`);
  const active = await store.remediations.listActive(node);
  if (active.length > 0) out.push(`node "${node}" already has a remediation in progress (${active[0].id}, ${active[0].status})`);
  if (settings.active >= settings.maxConcurrent) out.push(`${settings.active} remediations are running; the fleet-wide cap is ${settings.maxConcurrent}`);
  return out;
}

function requireExecutorFor(config: RemediationConfig, node: string): asserts config is RemediationConfig & { executor: 'kubernetes' | 'local' } {
  if (config.executor === 'none') throw new RemediationRefusedError('no-executor', `no executor can remediate: ${config.executorDetail}`);
  if (config.executor === 'local' && node !== config.localNode) {
    throw new RemediationRefusedError(
      'not-local-node',
      `without a cluster only this host's node "${config.localNode}" can be remediated (the agent runs here); "${node}" is another host`,
    );
  }
}

export async function previewRemediation(deps: RemediationDeps, node: string, who: Identity): Promise<PlanPreview> {
  const { store, config } = deps;
  const stored = await store.getNode(node);
  if (!stored) throw new NotFoundError(`no node named "${node}" has reported`);
  requireExecutorFor(config, node);
  const at = now(deps);
  const id = randomUUID();
  // Only what the node reported: the server never looks at its own host (the agent checks the rest on the node).
  const root = config.executor === 'local' ? '/' : HOST_ROOT;
  const plan = planFromReport(stored.report, root, at);

  let job: JobPreview | null = null;
  let jobDryRun: JobDryRun | null = null;
  let command: string[] | null = null;
  if (config.executor === 'kubernetes' && config.kube) {
    const spec = jobFor(config, node, id, plan.id);
    job = { name: spec.metadata!.name!, namespace: config.namespace, spec: JSON.parse(JSON.stringify(spec)) as Record<string, unknown> };
    const kube = config.kube;
    try {
      await kubeCall(`dry-run create Job ${config.namespace}/${job.name}`, () =>
        kube.batch.createNamespacedJob({ namespace: config.namespace, body: spec, dryRun: 'All' }),
      );
      jobDryRun = { ok: true, message: null, reason: null };
    } catch (err) {
      if (!(err instanceof KubeError)) throw err;
      jobDryRun = { ok: false, message: err.statusMessage, reason: err.reason };
    }
  } else {
    command = localCommand({ planId: plan.id, node });
  }

  const record = await store.remediations.insertPlanned({
    id,
    node,
    planId: plan.id,
    reportId: stored.node.lastReportId,
    stateHash: stored.node.stateHash,
    executor: config.executor,
    requestedBy: actorName(who),
    via: who.via,
    createdAt: at.toISOString(),
    expiresAt: new Date(at.getTime() + config.planTtlMs).toISOString(),
    plan,
    jobName: job?.name ?? null,
    jobNamespace: job ? config.namespace : null,
  });
  const nothingToDo = planIsEmpty(plan);
  const blockers = await blockersFor(store, node);
  if (nothingToDo) blockers.push('the plan changes nothing: new veths are safe and no pod needs repair');
  if (jobDryRun && !jobDryRun.ok) blockers.push(`Kubernetes refused the Job in a server-side dry run: ${jobDryRun.message}`);
  await store.remediations.appendAudit({
    at: at.toISOString(),
    actor: actorName(who),
    via: who.via,
    action: 'preview',
    node,
    planId: plan.id,
    remediationId: id,
    jobName: job?.name ?? null,
    result: jobDryRun && !jobDryRun.ok ? `dry run refused: ${jobDryRun.message}` : nothingToDo ? 'nothing to do' : 'planned',
    detail: `${plan.repairs.length} repair(s), drop-in ${plan.dropIn.action}, reload ${plan.reload.run ? 'yes' : 'no'}`,
  });
  return {
    remediationId: record.id,
    node,
    planId: plan.id,
    reportId: record.reportId,
    reportReceivedAt: stored.node.lastReportAt,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    executor: config.executor,
    executorDetail: config.executorDetail,
    plan,
    nothingToDo,
    job,
    jobDryRun,
    command,
    blockers,
  };
}

async function refuse(deps: RemediationDeps, who: Identity, node: string, planId: string, err: unknown, extra: { remediationId?: string; jobName?: string | null } = {}) {
  await deps.store.remediations
    .appendAudit({
      at: now(deps).toISOString(),
      actor: actorName(who),
      via: who.via,
      action: 'refused',
      node,
      planId,
      remediationId: extra.remediationId ?? null,
      jobName: extra.jobName ?? null,
      result: err instanceof Error ? err.message : String(err),
    })
    .catch((err: unknown) => getLogger().error({ err }, 'vethwatch: audit write failed'));
}

/** Applies the node's stored preview with this plan id; returns once the executor has started it. */
export async function applyRemediation(
  deps: RemediationDeps,
  node: string,
  planId: string,
  who: Identity,
  opts: { fleetRunId?: string | null } = {},
): Promise<RemediationRecord> {
  const { store, config } = deps;
  try {
    requireExecutorFor(config, node);
    const previews = await store.remediations.list({ node, statuses: ['planned'], limit: 500 });
    const preview = previews.find((p) => p.planId === planId);
    if (preview && planIsEmpty(preview.plan)) {
      throw new RemediationRefusedError('nothing-to-do', `plan ${planId} changes nothing on node "${node}"`);
    }
  } catch (err) {
    await refuse(deps, who, node, planId, err);
    throw err;
  }

  let record: RemediationRecord;
  try {
    record = await store.remediations.activate({
      node,
      planId,
      requestedBy: actorName(who),
      via: who.via,
      now: now(deps).toISOString(),
      fleetRunId: opts.fleetRunId ?? null,
    });
  } catch (err) {
    await refuse(deps, who, node, planId, err);
    throw err;
  }

  const started = config.executor === 'kubernetes' ? await startJob(deps, record, who) : await startLocal(deps, record);
  await store.remediations.appendAudit({
    at: now(deps).toISOString(),
    actor: actorName(who),
    via: who.via,
    action: 'apply',
    node,
    planId,
    remediationId: record.id,
    jobName: started.jobName,
    result: 'started',
    detail: started.detail,
  });
  return (await store.remediations.get(record.id)) ?? record;
}

async function startJob(deps: RemediationDeps, record: RemediationRecord, who: Identity): Promise<{ jobName: string; detail: string }> {
  const { store, config } = deps;
  const kube = config.kube!;
  const spec = jobFor(config, record.node, record.id, record.planId);
  const jobName = spec.metadata!.name!;
  let ref;
  try {
    ref = await createJob(kube, spec);
  } catch (err) {
    const at = now(deps).toISOString();
    const message = err instanceof KubeError ? err.statusMessage : err instanceof Error ? err.message : String(err);
    const dryRun = err instanceof KubeError && err.action.startsWith('dry-run');
    await store.remediations.update(record.id, {
      status: 'failed',
      jobName,
      jobNamespace: config.namespace,
      finishedAt: at,
      dryRunError: dryRun ? message : null,
      error: dryRun ? `Kubernetes refused the Job in a server-side dry run: ${message}` : `creating the Job failed: ${message}`,
      progress: { phase: 'Failed', message, updatedAt: at },
    });
    recordRemediationResult('failed', record.node);
    const refusal =
      err instanceof KubeConflictError
        ? new RemediationConflictError('job-exists', `Job ${config.namespace}/${jobName} already exists (${err.reason}): ${message}`)
        : dryRun
          ? new RemediationRefusedError('dry-run-refused', `Kubernetes refused the remediation Job in a server-side dry run (${(err as KubeError).reason}): ${message}`)
          : new RemediationRefusedError('no-executor', `creating the remediation Job failed: ${message}`);
    await refuse(deps, who, record.node, record.planId, refusal, { remediationId: record.id, jobName });
    throw refusal;
  }
  await store.remediations.update(record.id, {
    jobName: ref.name,
    jobNamespace: ref.namespace,
    progress: { phase: 'Pending', message: `Job ${ref.namespace}/${ref.name} created`, updatedAt: now(deps).toISOString() },
  });
  const work = superviseJob(deps, { ...record, jobName: ref.name, jobNamespace: ref.namespace });
  deps.track?.(work);
  return { jobName: ref.name, detail: `Job ${ref.namespace}/${ref.name} created after a server-side dry run` };
}
