import 'server-only';
// Remediations (migration 0003): previews, their activation, progress and verification, as one table. The
// store's `remediations` also carries the guardrail settings, the audit log and fleet runs, each in its own module
// (remediationSettings.ts, audit.ts, fleetRuns.ts); the activation transaction is activation.ts.
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Plan } from '../report/remediation';
import {
  isDoneStatus,
  type ExecutorKind,
  type IdentitySource,
  type NextReportVerification,
  type RemediationEvidence,
  type RemediationProgress,
  type RemediationRecord,
  type RemediationStatus,
} from '../remediation/types';
import { activatePreview, type ActivateInput } from './activation';
import { createAuditStore, type AuditStore } from './audit';
import { createFleetRunStore, type FleetRunStore } from './fleetRuns';
import { createSettingsStore, type RemediationSettingsStore } from './remediationSettings';
import type { RemediationsTable, Tables } from './tables';

export type { ActivateInput } from './activation';
export type { ListAuditOptions, NewAuditEntry } from './audit';
export type { SettingsPatch } from './remediationSettings';

export interface NewPlanned {
  id?: string;
  node: string;
  planId: string;
  reportId: string;
  stateHash: string;
  executor: Exclude<ExecutorKind, 'none'>;
  requestedBy: string;
  via: IdentitySource;
  createdAt: string;
  expiresAt: string;
  plan: Plan;
  jobName?: string | null;
  jobNamespace?: string | null;
}

/** Column updates after activation; `active_node` is released with any done status. */
export interface RemediationPatch {
  status?: RemediationStatus;
  jobName?: string | null;
  jobNamespace?: string | null;
  startedAt?: string | null;
  finishedAt?: string | null;
  verifiedAt?: string | null;
  progress?: RemediationProgress | null;
  dryRunError?: string | null;
  error?: string | null;
  evidence?: RemediationEvidence | null;
  agentVerified?: boolean | null;
  agentSummary?: string | null;
  nextReport?: NextReportVerification | null;
  regressedAt?: string | null;
  regressedReason?: string | null;
}

export interface ListRemediationsOptions {
  node?: string;
  statuses?: readonly RemediationStatus[];
  fleetRunId?: string;
  includePlanned?: boolean;
  /** Default 50, at most 500. */
  limit?: number;
}

export interface RemediationStore extends RemediationSettingsStore, AuditStore, FleetRunStore {
  insertPlanned(row: NewPlanned): Promise<RemediationRecord>;
  get(id: string): Promise<RemediationRecord | null>;
  list(options?: ListRemediationsOptions): Promise<RemediationRecord[]>;
  listActive(node?: string): Promise<RemediationRecord[]>;
  /**
   * Turns the node's newest preview with this plan id into a pending remediation holding the node's active slot.
   * Throws RemediationConflictError: paused, already-applied, stale-plan, expired, active, cap.
   */
  activate(input: ActivateInput): Promise<RemediationRecord>;
  /** Applies the patch only while the row has one of `whenStatus` (if given); false when it did not. */
  update(id: string, patch: RemediationPatch, whenStatus?: readonly RemediationStatus[]): Promise<boolean>;
  /** Marks previews older than `now` expired; returns how many. */
  expirePlanned(now: string): Promise<number>;
  /** The node's current state hash and report id, or null before its first report. */
  nodeState(node: string): Promise<{ reportId: string; stateHash: string } | null>;
}

function parse<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

function toRecord(r: Selectable<RemediationsTable>, now = new Date().toISOString()): RemediationRecord {
  const status = r.status === 'planned' && r.expires_at < now ? 'expired' : r.status;
  return {
    id: r.id,
    node: r.node,
    planId: r.plan_id,
    reportId: r.report_id,
    status,
    executor: r.executor,
    requestedBy: r.requested_by,
    via: r.via,
    fleetRunId: r.fleet_run_id,
    jobName: r.job_name,
    jobNamespace: r.job_namespace,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    appliedAt: r.applied_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    verifiedAt: r.verified_at,
    progress: parse<RemediationProgress>(r.progress),
    dryRunError: r.dry_run_error,
    error: r.error,
    plan: JSON.parse(r.plan) as Plan,
    evidence: parse<RemediationEvidence>(r.evidence),
    verification: {
      agent: r.agent_verified === null ? null : { verified: Number(r.agent_verified) === 1, summary: r.agent_summary ?? '' },
      nextReport: parse<NextReportVerification>(r.next_report),
    },
    regression: r.regressed_at ? { at: r.regressed_at, reason: r.regressed_reason ?? '' } : null,
  };
}

function patchColumns(patch: RemediationPatch, now: string): Partial<RemediationsTable> {
  const c: Partial<RemediationsTable> = { updated_at: now };
  if (patch.status !== undefined) {
    c.status = patch.status;
    if (isDoneStatus(patch.status)) c.active_node = null;
  }
  if (patch.jobName !== undefined) c.job_name = patch.jobName;
  if (patch.jobNamespace !== undefined) c.job_namespace = patch.jobNamespace;
  if (patch.startedAt !== undefined) c.started_at = patch.startedAt;
  if (patch.finishedAt !== undefined) c.finished_at = patch.finishedAt;
  if (patch.verifiedAt !== undefined) c.verified_at = patch.verifiedAt;
  if (patch.progress !== undefined) c.progress = patch.progress === null ? null : JSON.stringify(patch.progress);
  if (patch.dryRunError !== undefined) c.dry_run_error = patch.dryRunError;
  if (patch.error !== undefined) c.error = patch.error;
  if (patch.evidence !== undefined) c.evidence = patch.evidence === null ? null : JSON.stringify(patch.evidence);
  if (patch.agentVerified !== undefined) c.agent_verified = patch.agentVerified === null ? null : patch.agentVerified ? 1 : 0;
  if (patch.agentSummary !== undefined) c.agent_summary = patch.agentSummary;
  if (patch.nextReport !== undefined) c.next_report = patch.nextReport === null ? null : JSON.stringify(patch.nextReport);
  if (patch.regressedAt !== undefined) c.regressed_at = patch.regressedAt;
  if (patch.regressedReason !== undefined) c.regressed_reason = patch.regressedReason;
  return c;
}

export function createRemediationStore(open: () => Kysely<Tables>): RemediationStore {
  async function get(id: string): Promise<RemediationRecord | null> {
    const r = await open().selectFrom('remediations').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toRecord(r) : null;
  }

  return {
    ...createSettingsStore(open),
    ...createAuditStore(open),
    ...createFleetRunStore(open),

    async insertPlanned(row) {
      const id = row.id ?? randomUUID();
      await open()
        .insertInto('remediations')
        .values({
          id,
          node: row.node,
          plan_id: row.planId,
          report_id: row.reportId,
          state_hash: row.stateHash,
          status: 'planned',
          active_node: null,
          executor: row.executor,
          requested_by: row.requestedBy,
          via: row.via,
          fleet_run_id: null,
          job_name: row.jobName ?? null,
          job_namespace: row.jobNamespace ?? null,
          created_at: row.createdAt,
          expires_at: row.expiresAt,
          applied_at: null,
          started_at: null,
          finished_at: null,
          verified_at: null,
          progress: null,
          dry_run_error: null,
          error: null,
          plan: JSON.stringify(row.plan),
          evidence: null,
          agent_verified: null,
          agent_summary: null,
          next_report: null,
          updated_at: row.createdAt,
        })
        .execute();
      const stored = await get(id);
      if (!stored) throw new Error(`remediation ${id} vanished after insert`);
      return stored;
    },

    get,

    async list(options = {}) {
      const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), 500);
      let q = open().selectFrom('remediations').selectAll();
      if (options.node !== undefined) q = q.where('node', '=', options.node);
      if (options.fleetRunId !== undefined) q = q.where('fleet_run_id', '=', options.fleetRunId);
      if (options.statuses && options.statuses.length > 0) q = q.where('status', 'in', [...options.statuses]);
      else if (!options.includePlanned) q = q.where('status', 'not in', ['planned', 'expired']);
      const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      const now = new Date().toISOString();
      return rows.map((r) => toRecord(r, now));
    },

    async listActive(node) {
      let q = open().selectFrom('remediations').selectAll().where('active_node', 'is not', null);
      if (node !== undefined) q = q.where('active_node', '=', node);
      return (await q.orderBy('created_at').execute()).map((r) => toRecord(r));
    },

    async activate(input) {
      const id = await activatePreview(open(), input);
      const record = await get(id);
      if (!record) throw new Error(`remediation ${id} vanished after activation`);
      return record;
    },

    async update(id, patch, whenStatus) {
      let q = open().updateTable('remediations').set(patchColumns(patch, new Date().toISOString())).where('id', '=', id);
      if (whenStatus && whenStatus.length > 0) q = q.where('status', 'in', [...whenStatus]);
      const r = await q.executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async expirePlanned(now) {
      const r = await open()
        .updateTable('remediations')
        .set({ status: 'expired', updated_at: now })
        .where('status', '=', 'planned')
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    async nodeState(node) {
      const r = await open().selectFrom('nodes').select(['last_report_id', 'state_hash']).where('name', '=', node).executeTakeFirst();
      return r ? { reportId: r.last_report_id, stateHash: r.state_hash } : null;
    },
  };
}
