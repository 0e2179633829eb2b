import 'server-only';
// Without a cluster, the agent on this host carries out this host's remediations; the server only hands them out
// and records what comes back, so it needs no privilege and spawns nothing. The agent (run mode with --remediate,
// as root; `npm start` runs it so) asks for its node's next pending remediation (claim: pending -> running), runs it
// in its own process exactly as `agent remediate --plan-id ID` would (its plan id check included), and posts the
// document it would have printed. Runs nobody claims, or that never report back, fail on the runtime's sweep.
import { ConflictError, NotFoundError } from '../http/errors';
import type { AgentAssignment, AgentRunReport } from '../report/remediation';
import type { RemediationDeps } from './deps';
import { failureReason, finishRemediation, parseAgentOutput, tail } from './finish';
import type { RemediationRecord } from './types';

/** What the preview shows as the command: the agent runs this in its own process, not the server. */
export function localCommand(record: Pick<RemediationRecord, 'planId' | 'node'>): string[] {
  return ['agent', 'remediate', '--plan-id', record.planId, '--node', record.node];
}

const now = (deps: RemediationDeps) => (deps.now ? deps.now() : new Date());

/** Apply's part: the remediation stays pending until the node's agent claims it. */
export async function startLocal(deps: RemediationDeps, record: RemediationRecord): Promise<{ jobName: null; detail: string }> {
  const at = now(deps).toISOString();
  await deps.store.remediations.update(
    record.id,
    { progress: { phase: 'waiting', message: `waiting for the agent on node ${record.node} to pick it up`, updatedAt: at } },
    ['pending'],
  );
  return { jobName: null, detail: `handed to the agent on this host: ${localCommand(record).join(' ')}` };
}

/**
 * The agent of `node` asks for work: its oldest pending local remediation becomes `running` and is returned, or
 * null. Only this host's node is ever served (the local executor remediates nothing else). The status change is
 * conditional, so two claims (two agents, two replicas) never both get the same run.
 */
export async function claimLocal(deps: RemediationDeps, node: string): Promise<AgentAssignment | null> {
  const { config, store } = deps;
  if (config.executor !== 'local' || node !== config.localNode) return null;
  const pending = (await store.remediations.listActive(node)).filter((r) => r.executor === 'local' && r.status === 'pending');
  for (const rec of pending) {
    const at = now(deps).toISOString();
    const claimed = await store.remediations.update(
      rec.id,
      { status: 'running', startedAt: at, progress: { phase: 'running', message: `the agent on ${node} runs ${localCommand(rec).join(' ')}`, updatedAt: at } },
      ['pending'],
    );
    if (claimed) return { remediationId: rec.id, node: rec.node, planId: rec.planId };
  }
  return null;
}

/** The agent's account of a run it claimed: stored as the evidence, and the run finished by it. */
export async function reportLocal(deps: RemediationDeps, remediationId: string, node: string, report: AgentRunReport): Promise<RemediationRecord> {
  const rec = await deps.store.remediations.get(remediationId);
  // Another node's agent learns nothing about the run, not even that it exists.
  if (!rec || rec.executor !== 'local' || rec.node !== node) throw new NotFoundError(`no remediation ${remediationId} for node "${node}"`);
  if (rec.status !== 'running') throw new ConflictError(`remediation ${remediationId} is ${rec.status}, not running: its result was already recorded or it was never claimed`);
  const text = JSON.stringify(report.output);
  const parsed = parseAgentOutput(text);
  const succeeded = report.exitCode === 0;
  await finishRemediation(deps, rec, {
    succeeded,
    evidence: {
      podName: 'local',
      exitCode: report.exitCode,
      terminationReason: succeeded ? 'Completed' : 'Error',
      terminationMessage: tail(text),
      log: tail(report.log || null),
      logError: null,
      result: parsed.result,
      collectedAt: now(deps).toISOString(),
    },
    error: succeeded ? null : failureReason(parsed, `the agent exited with status ${report.exitCode}`),
    phase: 'exited',
  });
  return (await deps.store.remediations.get(remediationId)) ?? rec;
}

/**
 * The sweep's part: a pending run no agent claimed within `claimTimeoutMs` (no agent with --remediate on this
 * host), or a claimed run whose agent never reported within `runTimeoutMs` (it died, or the host rebooted), fails
 * with the reason. Runs of any executor other than local are not touched.
 */
export async function expireLocal(deps: RemediationDeps): Promise<number> {
  const at = now(deps);
  let failed = 0;
  for (const rec of await deps.store.remediations.listActive()) {
    if (rec.executor !== 'local') continue;
    const claimTimeout = rec.status === 'pending' && at.getTime() - Date.parse(rec.appliedAt ?? rec.createdAt) > deps.config.claimTimeoutMs;
    const runTimeout = rec.status === 'running' && at.getTime() - Date.parse(rec.startedAt ?? rec.appliedAt ?? rec.createdAt) > deps.config.runTimeoutMs;
    if (!claimTimeout && !runTimeout) continue;
    const error = claimTimeout
      ? `no agent on node ${rec.node} picked the remediation up within ${Math.round(deps.config.claimTimeoutMs / 1000)} s; ` +
        'the agent for this host must run in run mode with --remediate as root (npm start does that unless VETHWATCH_LOCAL_AGENT=0); nothing was done'
      : `the agent on node ${rec.node} did not report a result within ${Math.round(deps.config.runTimeoutMs / 1000)} s; check the node and preview again`;
    await finishRemediation(deps, rec, {
      succeeded: false,
      evidence: { podName: 'local', exitCode: null, terminationReason: claimTimeout ? 'NotClaimed' : 'NoResult', terminationMessage: null, log: null, logError: error, result: null, collectedAt: at.toISOString() },
      error,
      phase: claimTimeout ? 'waiting' : 'running',
    });
    failed += 1;
  }
  return failed;
}
