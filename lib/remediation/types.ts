// Request and response types of the remediation API (issue 5). Client-safe: no server imports, so the UI codes
// against exactly what the route handlers return. `Plan` and `RemediationResult` are the shared wire format
// (lib/report/remediation.ts): the server shows the very plan the node will check with `--plan-id`.
import type { Plan, RemediationResult } from '../report/remediation';

export type { Plan, RemediationResult };

// ---------------------------------------------------------------------------------------------------------------
// Who am I

export type Role = 'operator' | 'viewer';
/** How the caller was identified: trusted-proxy headers, a named operator's bearer token, the session cookie
 *  (set by POST /api/v1/session with that token), or nothing. */
export type IdentitySource = 'proxy' | 'token' | 'session' | 'anonymous';
/** What would run a remediation: a Kubernetes Job, the agent on this host, or nothing (see `executorDetail`). */
export type ExecutorKind = 'kubernetes' | 'local' | 'none';

/** Cookie-authenticated mutations must send this header (value "1") from a same-origin page. */
export const CSRF_HEADER = 'x-vethwatch-csrf';
export const CSRF_VALUE = '1';

/** GET /api/v1/me */
export interface MeResponse {
  /** The operator's name (token, session) or the proxy's user name; null when anonymous. */
  user: string | null;
  groups: string[];
  role: Role;
  via: IdentitySource;
  /** role === 'operator'; the UI shows remediation buttons only when true. */
  canRemediate: boolean;
  executor: ExecutorKind;
  /** One sentence, e.g. "Kubernetes Jobs in namespace vethwatch (in-cluster)" or "the agent on this host (node-a)". */
  executorDetail: string;
  /** The node the local executor can fix (this host), null unless executor is 'local'. */
  localNode: string | null;
  /** Whether POST /api/v1/session accepts an operator token (VETHWATCH_OPERATOR_TOKEN is set). */
  sessionLogin: boolean;
  /** Whether anyone can be an operator here (a token operator or a trusted proxy); false means viewers only. */
  operatorsConfigured: boolean;
  csrf: { header: typeof CSRF_HEADER; value: typeof CSRF_VALUE };
}

/** POST /api/v1/session body; answers MeResponse and sets an HttpOnly cookie. DELETE /api/v1/session logs out. */
export interface SessionRequest {
  token: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Remediations

export const REMEDIATION_STATUSES = [
  'planned', // a preview; never blocks anything; becomes 'expired' when its time or the node's report moves on
  'expired',
  'pending', // applied: holds the node's one active slot, executor starting (Job created / process spawned)
  'running',
  'succeeded', // the agent exited 0; waits for the node's next report
  'failed',
  'verified', // the next report shows no mismatch and a safe policy for new veths
  'unverified', // the next report still shows a problem (see verification.nextReport.reason)
] as const;
export type RemediationStatus = (typeof REMEDIATION_STATUSES)[number];
// The one definition of the status sets (store, guardrails, fleet runs, executors and the UI all use these):
// every status is 'planned', active or done (lib/remediation/statuses.test.ts holds them to that).
/** Statuses that hold the node's single active slot and count against the fleet-wide cap. */
export const ACTIVE_STATUSES = ['pending', 'running'] as const satisfies readonly RemediationStatus[];
/** Past the run (or a preview that expired): the node's slot is free. 'succeeded' still awaits the next report. */
export const DONE_STATUSES = ['succeeded', 'failed', 'verified', 'unverified', 'expired'] as const satisfies readonly RemediationStatus[];

export function isActiveStatus(status: RemediationStatus): boolean {
  return (ACTIVE_STATUSES as readonly RemediationStatus[]).includes(status);
}

export function isDoneStatus(status: RemediationStatus): boolean {
  return (DONE_STATUSES as readonly RemediationStatus[]).includes(status);
}

/** Still moving: active, or succeeded and waiting for the node's next report to verify it. */
export function isInFlight(r: Pick<RemediationRecord, 'status' | 'verification'>): boolean {
  return isActiveStatus(r.status) || (r.status === 'succeeded' && r.verification.nextReport === null);
}

/** POST /api/v1/nodes/{name}/remediations body: `{dryRun: true}` previews; `{planId}` applies that preview. */
export type RemediationRequest = { dryRun: true } | { dryRun?: false; planId: string };

export interface JobPreview {
  name: string;
  namespace: string;
  /** The full batch/v1 Job object the API server receives (JSON). */
  spec: Record<string, unknown>;
}

/** The outcome of the server-side `dryRun: All` create of the Job at preview time. */
export interface JobDryRun {
  ok: boolean;
  /** The API server's Status message when it refused (e.g. a 403 Forbidden from RBAC or an admission webhook). */
  message: string | null;
  /** Status reason, e.g. "Forbidden", "Invalid". */
  reason: string | null;
}

/** The answer to a dry run (status 200). Apply with `{planId: preview.planId}` before `expiresAt`. */
export interface PlanPreview {
  remediationId: string;
  node: string;
  planId: string;
  /** The stored report the plan was built from; a newer report before apply makes the plan stale (409). */
  reportId: string;
  reportReceivedAt: string;
  createdAt: string;
  expiresAt: string;
  executor: ExecutorKind;
  executorDetail: string;
  plan: Plan;
  /** True when the plan changes nothing (no repairs, drop-in kept): applying is refused with 422. */
  nothingToDo: boolean;
  /** Kubernetes executor only. */
  job: JobPreview | null;
  jobDryRun: JobDryRun | null;
  /** Local executor only: the argv run on this host. */
  command: string[] | null;
  /** Reasons an apply would be refused right now (paused, another active remediation, cap reached, dry run failed). */
  blockers: string[];
}

export interface RemediationProgress {
  /** Pending | Running | Complete | Failed (Job phase), or starting | running | exited (local). */
  phase: string;
  message: string | null;
  updatedAt: string;
}

export interface RemediationEvidence {
  /** The Job's pod, or "local" for the local executor. */
  podName: string | null;
  exitCode: number | null;
  terminationReason: string | null;
  /** What the agent left in the termination log (Kubernetes) or printed on stdout (local). */
  terminationMessage: string | null;
  /** Log tail (Kubernetes container log, or the local process's stderr). */
  log: string | null;
  logError: string | null;
  /** The agent's RemediationResult parsed from the termination message / stdout, when it parsed. */
  result: RemediationResult | null;
  collectedAt: string;
}

export interface NextReportVerification {
  verified: boolean;
  reportId: string;
  at: string;
  /** Why it is (un)verified, in one sentence. */
  reason: string;
}

export interface RemediationVerification {
  /** From the agent's own re-scan (`verified` in its result); null before the agent finished. */
  agent: { verified: boolean; summary: string } | null;
  /** From the node's first report received after the remediation finished; null until it arrives. */
  nextReport: NextReportVerification | null;
}

export interface RemediationRecord {
  id: string;
  node: string;
  planId: string;
  reportId: string;
  status: RemediationStatus;
  executor: Exclude<ExecutorKind, 'none'>;
  requestedBy: string;
  via: IdentitySource;
  /** Set when started by "fix all at-risk nodes". */
  fleetRunId: string | null;
  jobName: string | null;
  jobNamespace: string | null;
  createdAt: string;
  expiresAt: string;
  appliedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  verifiedAt: string | null;
  progress: RemediationProgress | null;
  /** The Kubernetes server-side dry run's refusal, verbatim. */
  dryRunError: string | null;
  /** Why it failed (executor error, non-zero exit, Job failed/timed out), or why it is unverified. */
  error: string | null;
  plan: Plan;
  evidence: RemediationEvidence | null;
  verification: RemediationVerification;
  /**
   * Set when the node broke again after this remediation was verified: the first report (server clock) that shows
   * a problem again, and what. A regressed remediation is not shown as "Verified". Null otherwise.
   */
  regression: RemediationRegression | null;
}

export interface RemediationRegression {
  at: string;
  reason: string;
}

/** POST /api/v1/nodes/{name}/remediations with a planId answers 202 with this. */
export interface ApplyResponse {
  remediation: RemediationRecord;
}

/** GET /api/v1/nodes/{name}/remediations and GET /api/v1/remediations?node=&status=&limit= */
export interface RemediationList {
  /** The node's (or, fleet-wide, any) pending/running remediations. */
  active: RemediationRecord[];
  /** Newest first; previews ('planned'/'expired') are left out unless `?include=planned`. */
  remediations: RemediationRecord[];
}

// ---------------------------------------------------------------------------------------------------------------
// Fleet: "Fix all at-risk nodes"

/** POST /api/v1/remediations/fleet body: `{dryRun: true}` previews every at-risk/broken node; `{plans}` applies. */
export type FleetRequest = { dryRun: true } | { dryRun?: false; plans: Array<{ node: string; planId: string }> };

export interface FleetPreviewNode {
  node: string;
  /** null when the node is skipped (see `skipped`). */
  preview: PlanPreview | null;
  skipped: string | null;
}

export interface FleetPreview {
  cap: number;
  /** Node names in the order they would run, `cap` at a time. */
  waves: string[][];
  nodes: FleetPreviewNode[];
  blockers: string[];
}

/** interrupted: the server stopped while the run was going; an operator resumes it (POST .../fleet {resume: id}). */
export type FleetRunStatus = 'running' | 'succeeded' | 'failed' | 'stopped' | 'interrupted';

export interface FleetRunNode {
  node: string;
  planId: string;
  wave: number;
  remediationId: string | null;
  /** null until its wave starts; 'skipped' after the run stopped. */
  status: RemediationStatus | 'skipped' | null;
  error: string | null;
}

/** POST .../fleet apply answers 202 with this; GET /api/v1/remediations/fleet/{id} reads it. */
export interface FleetRun {
  id: string;
  status: FleetRunStatus;
  requestedBy: string;
  cap: number;
  createdAt: string;
  finishedAt: string | null;
  /** The first failure that stopped the run, or the pause that did. */
  stoppedReason: string | null;
  currentWave: number;
  nodes: FleetRunNode[];
}

// ---------------------------------------------------------------------------------------------------------------
// Settings (pause switch, cap)

/** GET /api/v1/remediation-settings; PUT with RemediationSettingsUpdate (operators only). */
export interface RemediationSettings {
  paused: boolean;
  pauseReason: string | null;
  pausedBy: string | null;
  pausedAt: string | null;
  /** Fleet-wide cap on pending+running remediations. */
  maxConcurrent: number;
  /** Pending+running right now. */
  active: number;
  updatedAt: string;
}

export interface RemediationSettingsUpdate {
  paused?: boolean;
  /** Required (non-empty) when pausing. */
  reason?: string;
  maxConcurrent?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Audit log

export const AUDIT_ACTIONS = [
  'preview',
  'apply',
  'refused',
  'started',
  'finished',
  'verified',
  'unverified',
  'pause',
  'resume',
  'settings',
  'fleet-start',
  'fleet-wait',
  'fleet-finish',
  'login',
  'login-failed',
  'logout',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  /** Monotonic; also the cursor. */
  id: string;
  at: string;
  actor: string;
  via: IdentitySource | 'system';
  action: AuditAction;
  node: string | null;
  planId: string | null;
  remediationId: string | null;
  jobName: string | null;
  /** succeeded | failed | refused reason ... */
  result: string | null;
  verification: string | null;
  detail: string | null;
}

/** GET /api/v1/audit?cursor=&from=&to=&node=&limit= (newest first; pass nextCursor for the next page). */
export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Errors

/** `code` in the JSON body of a refused remediation request (409 or 422), next to `error` (a sentence). */
export type RemediationErrorCode =
  // 409
  | 'active' // another remediation is pending/running on the node
  | 'cap' // the fleet-wide cap on running remediations is reached
  | 'paused' // the pause switch is on (the reason is in `error`)
  | 'stale-plan' // the node reported a different state since the preview, or the plan id is unknown: preview again
  | 'expired' // the preview is older than its expiresAt: preview again
  | 'already-applied' // that preview was applied already
  | 'job-exists' // Kubernetes: a Job with this name exists (AlreadyExists)
  // 422
  | 'nothing-to-do'
  | 'no-executor'
  | 'not-local-node' // without a cluster only this host's node can be remediated
  | 'dry-run-refused'; // Kubernetes refused the Job in the server-side dry run (its Status message is in `error`)

export interface RemediationErrorBody {
  error: string;
  code?: RemediationErrorCode;
}
