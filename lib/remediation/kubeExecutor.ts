import 'server-only';
// Watching a remediation Job to its end: progress goes to the record as it happens, and the pod's log and
// termination message are copied into the record, so the evidence outlives the Job's ttlSecondsAfterFinished.
import { getJobPodEvidence, watchJob, type JobPodEvidence, type JobStatusSummary } from '../kube/jobs';
import { failureReason, finishRemediation, parseAgentOutput, tail } from './finish';
import type { RemediationDeps } from './deps';
import { ACTIVE_STATUSES, type RemediationEvidence, type RemediationRecord } from './types';
import { getLogger } from '../log/logger';

function describe(s: JobStatusSummary): string {
  return `${s.phase}: active ${s.active}, succeeded ${s.succeeded}, failed ${s.failed}${s.reason ? ` (${s.reason}${s.message ? `: ${s.message}` : ''})` : ''}`;
}

export async function superviseJob(deps: RemediationDeps, record: RemediationRecord): Promise<void> {
  const kube = deps.config.kube;
  const namespace = record.jobNamespace;
  const name = record.jobName;
  if (!kube || !namespace || !name) throw new Error(`remediation ${record.id} has no Job to watch`);
  let chain: Promise<unknown> = Promise.resolve();
  let running = false;
  try {
    const outcome = await watchJob(kube, {
      namespace,
      name,
      timeoutMs: deps.config.runTimeoutMs,
      signal: deps.signal,
      onProgress: (s) => {
        const at = new Date().toISOString();
        const nowRunning = s.phase === 'Running';
        const patch = { progress: { phase: s.phase, message: describe(s), updatedAt: at } } as const;
        const first = nowRunning && !running;
        if (first) running = true;
        chain = chain.then(() =>
          deps.store.remediations
            .update(record.id, first ? { ...patch, status: 'running', startedAt: s.startTime ?? at } : patch, ACTIVE_STATUSES)
            .catch((err: unknown) => getLogger().error({ err }, 'vethwatch: progress update failed')),
        );
      },
    });
    await chain;
    if (deps.signal?.aborted) return; // shutting down: the Job runs on and the next start watches it again

    let pods: JobPodEvidence[] = [];
    let evidenceError: string | null = null;
    try {
      pods = await getJobPodEvidence(kube, { namespace, jobName: name });
    } catch (err) {
      evidenceError = err instanceof Error ? err.message : String(err);
    }
    const pod = pods[pods.length - 1] ?? null;
    const out = parseAgentOutput(pod?.terminationMessage ?? null, pod?.log ?? null);
    const evidence: RemediationEvidence = {
      podName: pod?.name ?? null,
      exitCode: pod?.exitCode ?? null,
      terminationReason: pod?.terminationReason ?? null,
      terminationMessage: tail(pod?.terminationMessage ?? null),
      log: tail(pod?.log ?? null),
      logError: pod?.logError ?? evidenceError ?? (pod ? null : 'the Job left no pod'),
      result: out.result,
      collectedAt: new Date().toISOString(),
    };
    const succeeded = outcome.outcome === 'Complete';
    const fallback =
      outcome.outcome === 'TimedOut'
        ? `the Job did not finish within ${Math.round(deps.config.runTimeoutMs / 1000)} s`
        : outcome.outcome === 'Deleted'
          ? 'the Job was deleted before it finished'
          : `the Job failed${outcome.status.reason ? `: ${outcome.status.reason}` : ''}${outcome.status.message ? ` (${outcome.status.message})` : ''}${pod?.exitCode != null ? `; agent exit code ${pod.exitCode}` : ''}`;
    await finishRemediation(deps, record, {
      succeeded,
      evidence,
      error: succeeded ? null : failureReason(out, fallback),
      phase: outcome.outcome,
    });
  } catch (err) {
    await chain;
    if (deps.signal?.aborted) return;
    const message = err instanceof Error ? err.message : String(err);
    await finishRemediation(deps, record, {
      succeeded: false,
      evidence: { podName: null, exitCode: null, terminationReason: null, terminationMessage: null, log: null, logError: message, result: null, collectedAt: new Date().toISOString() },
      error: `watching the Job failed: ${message}`,
      phase: 'Unknown',
    });
  }
}
