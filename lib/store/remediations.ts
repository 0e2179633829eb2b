import 'server-only';
// Remediations, their guardrails, fleet runs and the audit log (migration 0003). The guardrails live in SQL: an
// activation takes the settings row first (a write: the row lock on PostgreSQL, the database write lock on SQLite),
// so the pause switch and the fleet-wide cap are checked by one replica at a time, and the UNIQUE index on
// `active_node` makes a second active remediation on a node impossible whatever the application does.
import { randomUUID } from 'node:crypto';
import type { ColumnType, Kysely, Selectable, Transaction } from 'kysely';
import type { Plan } from '../../agent/remediate/schema';
import { RemediationConflictError } from '../remediation/errors';
import type {
  AuditAction,
  AuditEntry,
  AuditPage,
  ExecutorKind,
  FleetRun,
  FleetRunNode,
  FleetRunStatus,
  IdentitySource,
  NextReportVerification,
  RemediationEvidence,
  RemediationProgress,
  RemediationRecord,
  RemediationSettings,
  RemediationStatus,
} from '../remediation/types';

interface RemediationsTable {
  id: string;
  node: string;
  plan_id: string;
  report_id: string;
  state_hash: string;
  status: string;
  active_node: string | null;
  executor: string;
  requested_by: string;
  via: string;
  fleet_run_id: string | null;
  job_name: string | null;
  job_namespace: string | null;
  created_at: string;
  expires_at: string;
  applied_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  verified_at: string | null;
  progress: string | null;
  dry_run_error: string | null;
  error: string | null;
  plan: string;
  evidence: string | null;
  agent_verified: number | null;
  agent_summary: string | null;
  next_report: string | null;
  /** Migration 0007: when the node broke again after this remediation was verified, and why. */
  regressed_at?: string | null;
  regressed_reason?: string | null;
  updated_at: string;
}

interface SettingsTable {
  id: number;
  paused: number;
  pause_reason: string | null;
  paused_by: string | null;
  paused_at: string | null;
  max_concurrent: number;
  activations: number;
  updated_at: string;
}

interface FleetRunsTable {
  id: string;
  status: string;
  requested_by: string;
  cap: number;
  created_at: string;
  finished_at: string | null;
  stopped_reason: string | null;
  current_wave: number;
  nodes: string;
}

interface AuditTable {
  id: ColumnType<number | string, never, never>;
  at: string;
  actor: string;
  via: string;
  action: string;
  node: string | null;
  plan_id: string | null;
  remediation_id: string | null;
  job_name: string | null;
  result: string | null;
  verification: string | null;
  detail: string | null;
}

/** Only the columns of `nodes` this file reads. */
interface NodesSlice {
  name: string;
  last_report_id: string;
  state_hash: string;
}

export interface RemediationTables {
  remediations: RemediationsTable;
  remediation_settings: SettingsTable;
  fleet_runs: FleetRunsTable;
  audit: AuditTable;
  nodes: NodesSlice;
}

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

export interface ActivateInput {
  node: string;
  planId: string;
  requestedBy: string;
  via: IdentitySource;
  now: string;
  fleetRunId?: string | null;
}

/** Column updates after activation; `active_node` is released with any final or post-run status. */
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

export interface NewAuditEntry {
  at: string;
  actor: string;
  via: AuditEntry['via'];
  action: AuditAction;
  node?: string | null;
  planId?: string | null;
  remediationId?: string | null;
  jobName?: string | null;
  result?: string | null;
  verification?: string | null;
  detail?: string | null;
}

export interface ListAuditOptions {
  /** An entry id: only older entries (the next page). */
  cursor?: string;
  from?: string;
  to?: string;
  node?: string;
  /** Default 100, at most 1000. */
  limit?: number;
}

export interface SettingsPatch {
  paused?: boolean;
  pauseReason?: string | null;
  pausedBy?: string | null;
  maxConcurrent?: number;
  now: string;
}

export interface RemediationStore {
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
  getSettings(): Promise<RemediationSettings>;
  updateSettings(patch: SettingsPatch): Promise<RemediationSettings>;
  appendAudit(entry: NewAuditEntry): Promise<AuditEntry>;
  listAudit(options?: ListAuditOptions): Promise<AuditPage>;
  insertFleetRun(run: FleetRun): Promise<void>;
  updateFleetRun(run: FleetRun): Promise<void>;
  getFleetRun(id: string): Promise<FleetRun | null>;
  /** The node's current state hash and report id, or null before its first report. */
  nodeState(node: string): Promise<{ reportId: string; stateHash: string } | null>;
}

const ACTIVE: RemediationStatus[] = ['pending', 'running'];
/** Statuses that release the node's active slot. */
const RELEASING = new Set<RemediationStatus>(['succeeded', 'failed', 'verified', 'unverified', 'expired']);

function parse<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

function toRecord(r: Selectable<RemediationsTable>, now = new Date().toISOString()): RemediationRecord {
  const status = r.status === 'planned' && r.expires_at < now ? 'expired' : (r.status as RemediationStatus);
  return {
    id: r.id,
    node: r.node,
    planId: r.plan_id,
    reportId: r.report_id,
    status,
    executor: r.executor as RemediationRecord['executor'],
    requestedBy: r.requested_by,
    via: r.via as IdentitySource,
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

function toAudit(r: Selectable<AuditTable>): AuditEntry {
  return {
    id: String(r.id),
    at: r.at,
    actor: r.actor,
    via: r.via as AuditEntry['via'],
    action: r.action as AuditAction,
    node: r.node,
    planId: r.plan_id,
    remediationId: r.remediation_id,
    jobName: r.job_name,
    result: r.result,
    verification: r.verification,
    detail: r.detail,
  };
}

function toFleetRun(r: Selectable<FleetRunsTable>): FleetRun {
  return {
    id: r.id,
    status: r.status as FleetRunStatus,
    requestedBy: r.requested_by,
    cap: Number(r.cap),
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    stoppedReason: r.stopped_reason,
    currentWave: Number(r.current_wave),
    nodes: JSON.parse(r.nodes) as FleetRunNode[],
  };
}

/** A UNIQUE violation on either engine. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

function patchColumns(patch: RemediationPatch, now: string): Partial<RemediationsTable> {
  const c: Partial<RemediationsTable> = { updated_at: now };
  if (patch.status !== undefined) {
    c.status = patch.status;
    if (RELEASING.has(patch.status)) c.active_node = null;
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

export function createRemediationStore(anyDb: Kysely<any>, isOpen: () => void): RemediationStore {
  const db = anyDb as Kysely<RemediationTables>;
  const open = () => {
    isOpen();
    return db;
  };

  async function readSettings(q: Kysely<RemediationTables> | Transaction<RemediationTables>): Promise<RemediationSettings> {
    const s = await q.selectFrom('remediation_settings').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
    const active = await q
      .selectFrom('remediations')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('active_node', 'is not', null)
      .executeTakeFirstOrThrow();
    return {
      paused: Number(s.paused) === 1,
      pauseReason: s.pause_reason,
      pausedBy: s.paused_by,
      pausedAt: s.paused_at,
      maxConcurrent: Number(s.max_concurrent),
      active: Number(active.n),
      updatedAt: s.updated_at,
    };
  }

  return {
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
      const stored = await this.get(id);
      if (!stored) throw new Error(`remediation ${id} vanished after insert`);
      return stored;
    },

    async get(id) {
      const r = await open().selectFrom('remediations').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toRecord(r) : null;
    },

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
      let id: string;
      try {
        id = await open()
          .transaction()
          .execute(async (trx) => {
            // First statement and a write: serialises activations across connections and replicas.
            await trx
              .updateTable('remediation_settings')
              .set((eb) => ({ activations: eb('activations', '+', 1) }))
              .where('id', '=', 1)
              .execute();
            const settings = await readSettings(trx);
            if (settings.paused) {
              throw new RemediationConflictError('paused', `remediation is paused${settings.pausedBy ? ` by ${settings.pausedBy}` : ''}: ${settings.pauseReason ?? 'no reason given'}`);
            }
            const rows = await trx
              .selectFrom('remediations')
              .selectAll()
              .where('node', '=', input.node)
              .where('plan_id', '=', input.planId)
              .orderBy('created_at', 'desc')
              .execute();
            const row = rows.find((r) => r.status === 'planned');
            if (!row) {
              const used = rows.find((r) => r.status !== 'expired');
              if (used) throw new RemediationConflictError('already-applied', `plan ${input.planId} was already applied (remediation ${used.id}, ${used.status}); preview again`);
              throw new RemediationConflictError('stale-plan', `no current preview of plan ${input.planId} for node "${input.node}"; preview again`);
            }
            if (row.expires_at <= input.now) {
              throw new RemediationConflictError('expired', `plan ${input.planId} expired at ${row.expires_at}; preview again`);
            }
            const node = await trx.selectFrom('nodes').select(['last_report_id', 'state_hash']).where('name', '=', input.node).executeTakeFirst();
            if (!node || node.state_hash !== row.state_hash) {
              throw new RemediationConflictError(
                'stale-plan',
                `node "${input.node}" reported a different state (report ${node?.last_report_id ?? 'none'}) since plan ${input.planId} was made from report ${row.report_id}; preview again`,
              );
            }
            const active = await trx.selectFrom('remediations').select(['id', 'status']).where('active_node', '=', input.node).executeTakeFirst();
            if (active) {
              throw new RemediationConflictError('active', `node "${input.node}" already has a remediation in progress (${active.id}, ${active.status})`);
            }
            if (settings.active >= settings.maxConcurrent) {
              throw new RemediationConflictError('cap', `${settings.active} remediations are running, the fleet-wide cap is ${settings.maxConcurrent}; try again when one finishes`);
            }
            const updated = await trx
              .updateTable('remediations')
              .set({
                status: 'pending',
                active_node: input.node,
                applied_at: input.now,
                requested_by: input.requestedBy,
                via: input.via,
                fleet_run_id: input.fleetRunId ?? null,
                progress: JSON.stringify({ phase: 'pending', message: 'starting', updatedAt: input.now } satisfies RemediationProgress),
                updated_at: input.now,
              })
              .where('id', '=', row.id)
              .where('status', '=', 'planned')
              .executeTakeFirst();
            if (Number(updated.numUpdatedRows) !== 1) {
              throw new RemediationConflictError('already-applied', `plan ${input.planId} was applied by another request`);
            }
            return row.id;
          });
      } catch (err) {
        if (isUniqueViolation(err)) {
          throw new RemediationConflictError('active', `node "${input.node}" already has a remediation in progress`);
        }
        throw err;
      }
      const record = await this.get(id);
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

    async getSettings() {
      return readSettings(open());
    },

    async updateSettings(patch) {
      const c: Partial<SettingsTable> = { updated_at: patch.now };
      if (patch.paused !== undefined) {
        c.paused = patch.paused ? 1 : 0;
        c.pause_reason = patch.paused ? (patch.pauseReason ?? null) : null;
        c.paused_by = patch.paused ? (patch.pausedBy ?? null) : null;
        c.paused_at = patch.paused ? patch.now : null;
      }
      if (patch.maxConcurrent !== undefined) c.max_concurrent = patch.maxConcurrent;
      await open().updateTable('remediation_settings').set(c).where('id', '=', 1).execute();
      return readSettings(open());
    },

    async appendAudit(entry) {
      const row = await open()
        .insertInto('audit')
        .values({
          at: entry.at,
          actor: entry.actor,
          via: entry.via,
          action: entry.action,
          node: entry.node ?? null,
          plan_id: entry.planId ?? null,
          remediation_id: entry.remediationId ?? null,
          job_name: entry.jobName ?? null,
          result: entry.result ?? null,
          verification: entry.verification ?? null,
          detail: entry.detail ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAudit(row);
    },

    async listAudit(options = {}) {
      const limit = Math.min(Math.max(Math.trunc(options.limit ?? 100), 1), 1000);
      let q = open().selectFrom('audit').selectAll();
      if (options.cursor !== undefined) q = q.where('id', '<', Number(options.cursor));
      if (options.from !== undefined) q = q.where('at', '>=', options.from);
      if (options.to !== undefined) q = q.where('at', '<', options.to);
      if (options.node !== undefined) q = q.where('node', '=', options.node);
      const rows = await q.orderBy('id', 'desc').limit(limit + 1).execute();
      const entries = rows.slice(0, limit).map(toAudit);
      return { entries, nextCursor: rows.length > limit ? entries[entries.length - 1].id : null };
    },

    async insertFleetRun(run) {
      await open()
        .insertInto('fleet_runs')
        .values({
          id: run.id,
          status: run.status,
          requested_by: run.requestedBy,
          cap: run.cap,
          created_at: run.createdAt,
          finished_at: run.finishedAt,
          stopped_reason: run.stoppedReason,
          current_wave: run.currentWave,
          nodes: JSON.stringify(run.nodes),
        })
        .execute();
    },

    async updateFleetRun(run) {
      await open()
        .updateTable('fleet_runs')
        .set({
          status: run.status,
          finished_at: run.finishedAt,
          stopped_reason: run.stoppedReason,
          current_wave: run.currentWave,
          nodes: JSON.stringify(run.nodes),
        })
        .where('id', '=', run.id)
        .execute();
    },

    async getFleetRun(id) {
      const r = await open().selectFrom('fleet_runs').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toFleetRun(r) : null;
    },

    async nodeState(node) {
      const r = await open().selectFrom('nodes').select(['last_report_id', 'state_hash']).where('name', '=', node).executeTakeFirst();
      return r ? { reportId: r.last_report_id, stateHash: r.state_hash } : null;
    },
  };
}

export { ACTIVE as ACTIVE_REMEDIATION_STATUSES };
