// The remediation wire format, next to the report format (schema.ts): the plan (what `agent remediate --dry-run`
// prints and the server previews), the result (what an apply prints and leaves in the termination log), the
// plan-mismatch refusal and the exit statuses. One zod module imported by agent and server alike, so field names
// change only together with their readers. Pure, no I/O. Field meanings: docs/report-format.md ("Remediation").
import { z } from 'zod';
import { linkVerdictSchema } from './schema';

export const REMEDIATION_VERSION = 1 as const;

const mac = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, 'lower-case colon-separated 48-bit MAC');
const podRef = z.object({ namespace: z.string(), name: z.string() });

export const repairMethodSchema = z.enum(['set-host-mac', 'neigh-replace']);
export type RepairMethod = z.infer<typeof repairMethodSchema>;

export const plannedRepairSchema = z.object({
  hostIfname: z.string(),
  netns: z.string().nullable(),
  pod: podRef.nullable(),
  podIP: z.string().nullable(),
  /** The pod end of the veth (eth0); the device a neigh-replace acts on. */
  podIfname: z.string().nullable(),
  gatewayIp: z.string().nullable(),
  method: repairMethodSchema,
  /** set-host-mac: the host veth's current MAC -> the pod's gateway lladdr.
   *  neigh-replace: the pod's stale gateway lladdr -> the host veth's current MAC. */
  from: mac,
  to: mac,
  /** The exact argv that apply runs (no shell). */
  command: z.array(z.string()),
  reason: z.string(),
});
export type PlannedRepair = z.infer<typeof plannedRepairSchema>;

export const leaveAloneSchema = z.object({
  hostIfname: z.string(),
  pod: podRef.nullable(),
  arpStatus: z.enum(['ok', 'mismatch', 'missing', 'unknown']),
  reason: z.string(),
});
export type LeaveAlone = z.infer<typeof leaveAloneSchema>;

export const planSchema = z.object({
  version: z.literal(REMEDIATION_VERSION),
  /** Hash of what the plan would change (not of its prose or of healthy veths): apply with `--plan-id` refuses
   *  when the node's current plan hashes differently, i.e. the node changed since the preview. */
  id: z.string().regex(/^[0-9a-f]{16}$/),
  node: z.string(),
  /** The scan the plan was built from. */
  reportId: z.string(),
  createdAt: z.string(),
  /** What udev would do to a new veth when the plan was made. */
  newVeth: linkVerdictSchema,
  dropIn: z.object({
    path: z.string(),
    content: z.string(),
    action: z.enum(['write', 'keep']),
    reason: z.string(),
  }),
  reload: z.object({ run: z.boolean(), reason: z.string() }),
  repairs: z.array(plannedRepairSchema),
  leaveAlone: z.array(leaveAloneSchema),
  /** Things that will stop the plan from fully working, e.g. a later drop-in that overrides ours. */
  warnings: z.array(z.string()),
  advice: z.array(z.string()),
});
export type Plan = z.infer<typeof planSchema>;

export const remediationStepSchema = z.enum(['args', 'scan', 'plan', 'drop-in', 'reload', 'repair', 'verify']);
export type RemediationStep = z.infer<typeof remediationStepSchema>;

export const remediationErrorSchema = z.object({
  step: remediationStepSchema,
  hostIfname: z.string().nullable(),
  message: z.string(),
});
export type RemediationError = z.infer<typeof remediationErrorSchema>;

export const repairOutcomeSchema = z.object({
  hostIfname: z.string(),
  netns: z.string().nullable(),
  pod: podRef.nullable(),
  method: repairMethodSchema,
  from: mac,
  to: mac,
  /** The veth's arpStatus in the re-scan after apply; null when the veth is gone or the re-scan failed. */
  arpStatusAfter: z.enum(['ok', 'mismatch', 'missing', 'unknown']).nullable(),
});
export type RepairOutcome = z.infer<typeof repairOutcomeSchema>;

export const resultSchema = z.object({
  version: z.literal(REMEDIATION_VERSION),
  planId: z.string(),
  node: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** One line per change made on the node; empty when nothing changed. */
  changed: z.array(z.string()),
  repaired: z.array(repairOutcomeSchema),
  /** True only when the re-scan shows new veths safe, every planned repair `ok`, and nothing failed. */
  verified: z.boolean(),
  errors: z.array(remediationErrorSchema),
  /** Steps skipped on purpose, with why (e.g. reload skipped: udevd not running). */
  notes: z.array(z.string()),
  /** The new-veth verdict from the re-scan (null if the re-scan failed). */
  newVeth: linkVerdictSchema.nullable(),
  summary: z.string(),
  unchanged: z.literal(true).optional(),
});
export type RemediationResult = z.infer<typeof resultSchema>;

/** Printed (and left in the termination log) when `--plan-id` no longer matches the node; exit status 3. */
export const planMismatchSchema = z.object({
  version: z.literal(REMEDIATION_VERSION),
  error: z.literal('plan-changed'),
  message: z.string(),
  expectedPlanId: z.string(),
  plan: planSchema,
});
export type PlanMismatch = z.infer<typeof planMismatchSchema>;

export const EXIT = {
  ok: 0,
  /** Something failed or could not be verified; the result's `errors` says what. */
  failed: 1,
  /** Bad flags; nothing was done. */
  usage: 2,
  /** `--plan-id` differs from the node's current plan; nothing was done. */
  planChanged: 3,
} as const;

// --- the local agent's remediation endpoints (lib/remediation/agentHttp.ts) ------------------------------------------
// Without a cluster, the agent on the server's own host (run mode with --remediate, root) carries out that node's
// remediations: it asks for the next one, runs it in-process exactly as `agent remediate --plan-id` would, and posts
// what it would have printed. The server never spawns anything and needs no privilege.

export const AGENT_API_PREFIX = '/api/v1/agent/';
export const AGENT_CLAIM_PATH = '/api/v1/agent/remediations/claim';
/** `/api/v1/agent/remediations/{remediationId}/result` */
export const AGENT_RESULT_PATH = /^\/api\/v1\/agent\/remediations\/([0-9a-f-]{36})\/result$/;
export const agentResultPath = (remediationId: string) => `/api/v1/agent/remediations/${remediationId}/result`;
/** Largest result document accepted (a plan for the report schema's 4096 veths fits). */
export const MAX_AGENT_RESULT_BYTES = 4 * 1024 * 1024;
export const AGENT_LOG_LIMIT = 64 * 1024;

const nodeName = z.string().min(1).max(253).regex(/^[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/, 'a DNS-1123-like node name');

/** POST AGENT_CLAIM_PATH: "anything for my node?" */
export const agentClaimSchema = z.object({ node: nodeName }).strict();
export type AgentClaim = z.infer<typeof agentClaimSchema>;

/** 200 answer to a claim (204 when there is nothing): the remediation is now `running` and this agent's to do. */
export const agentAssignmentSchema = z.object({
  remediationId: z.uuid(),
  node: nodeName,
  planId: z.string().regex(/^[0-9a-f]{16}$/),
});
export type AgentAssignment = z.infer<typeof agentAssignmentSchema>;

/** POST agentResultPath(id): what the run printed (a result, or the plan mismatch), its exit status and log tail. */
export const agentRunReportSchema = z
  .object({
    exitCode: z.number().int().min(0).max(255),
    output: z.union([resultSchema, planMismatchSchema]),
    log: z.string().max(AGENT_LOG_LIMIT).default(''),
  })
  .strict();
export type AgentRunReport = z.infer<typeof agentRunReportSchema>;
