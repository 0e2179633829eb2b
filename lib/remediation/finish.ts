import 'server-only';
// The end of a run, whichever executor ran it: read the agent's JSON (result, or plan-mismatch), store the
// evidence with the remediation so it outlives the Job's TTL, release the node's active slot, and audit it.
import { planMismatchSchema, resultSchema, type PlanMismatch, type RemediationResult } from '../report/remediation';
import { recordRemediationResult } from '../metrics/record';
import type { RemediationDeps } from './deps';
import { ACTIVE_STATUSES, type RemediationEvidence, type RemediationRecord } from './types';

/** Keep at most this much of a log or message: evidence, not an archive. */
export const EVIDENCE_LIMIT = 64 * 1024;

export function tail(text: string | null, limit = EVIDENCE_LIMIT): string | null {
  if (text === null) return null;
  return text.length <= limit ? text : `…${text.slice(text.length - limit)}`;
}

export interface AgentOutput {
  result: RemediationResult | null;
  mismatch: PlanMismatch | null;
  /** `verified`/`summary` from a document that is not a full result (the shortened termination message). */
  loose: { verified: boolean; summary: string } | null;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The agent's output document, from the first source that holds one (termination message, then the log's lines). */
export function parseAgentOutput(...sources: Array<string | null>): AgentOutput {
  const docs: unknown[] = [];
  for (const s of sources) {
    if (!s) continue;
    const whole = tryJson(s.trim());
    if (whole !== undefined) docs.push(whole);
    else for (const line of s.split('\n').reverse()) if (line.trim().startsWith('{')) docs.push(tryJson(line.trim()));
  }
  let loose: AgentOutput['loose'] = null;
  for (const d of docs) {
    const r = resultSchema.safeParse(d);
    if (r.success) return { result: r.data, mismatch: null, loose: { verified: r.data.verified, summary: r.data.summary } };
    const m = planMismatchSchema.safeParse(d);
    if (m.success) return { result: null, mismatch: m.data, loose: null };
    const o = d as { verified?: unknown; summary?: unknown } | null;
    if (!loose && o && typeof o === 'object' && typeof o.verified === 'boolean') {
      loose = { verified: o.verified, summary: typeof o.summary === 'string' ? o.summary : '' };
    }
  }
  return { result: null, mismatch: null, loose };
}

/** Why a run failed, in one sentence, from what the agent said. */
export function failureReason(out: AgentOutput, fallback: string): string {
  if (out.mismatch) return `the node changed since the preview: its plan is now ${out.mismatch.plan.id}, not ${out.mismatch.expectedPlanId}; nothing was done, preview again`;
  if (out.result && out.result.errors.length > 0) return out.result.errors.map((e) => `${e.step}${e.hostIfname ? ` ${e.hostIfname}` : ''}: ${e.message}`).join('; ');
  if (out.result && !out.result.verified) return `the agent's re-scan did not verify the fix: ${out.result.summary}`;
  return fallback;
}

export async function finishRemediation(
  deps: RemediationDeps,
  record: RemediationRecord,
  outcome: { succeeded: boolean; evidence: RemediationEvidence; error: string | null; phase: string },
): Promise<void> {
  const at = (deps.now ? deps.now() : new Date()).toISOString();
  const agent = outcome.evidence.result ? { verified: outcome.evidence.result.verified, summary: outcome.evidence.result.summary } : null;
  const status = outcome.succeeded ? 'succeeded' : 'failed';
  const changed = await deps.store.remediations.update(
    record.id,
    {
      status,
      finishedAt: at,
      evidence: outcome.evidence,
      error: outcome.error,
      agentVerified: agent ? agent.verified : null,
      agentSummary: agent ? agent.summary : null,
      progress: { phase: outcome.phase, message: outcome.error ?? agent?.summary ?? null, updatedAt: at },
    },
    ACTIVE_STATUSES,
  );
  if (!changed) return; // another replica (or a restart's recovery) finished it first
  recordRemediationResult(status, record.node);
  await deps.store.remediations.appendAudit({
    at,
    actor: 'system',
    via: 'system',
    action: 'finished',
    node: record.node,
    planId: record.planId,
    remediationId: record.id,
    jobName: record.jobName,
    result: status,
    verification: agent ? (agent.verified ? 'agent verified' : 'agent could not verify') : null,
    detail: outcome.error ?? agent?.summary ?? null,
  });
}
