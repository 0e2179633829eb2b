// Row shapes as the database holds them, every table the migrations create: `Tables` is the Kysely database
// type of the whole store. Timestamps are ISO-8601 UTC strings with milliseconds on both engines (they sort as
// text); JSON is text; flags are 0/1 integers. PostgreSQL returns bigserial ids as strings, hence
// `number | string` for events.id and audit.id: lib/store converts before anything leaves it.
import type { ColumnType } from 'kysely';
import type { AuditAction, AuditEntry, ExecutorKind, FleetRunStatus, IdentitySource, RemediationStatus } from '../remediation/types';

/** Current state, one small row per node: rewritten on every report, so the big report JSON lives elsewhere. */
export interface NodesTable {
  name: string;
  first_report_at: string;
  /** Server clock: when the latest accepted report arrived (staleness is judged on this). */
  last_report_at: string;
  /** Node clock: collectedAt of the latest applied report. */
  collected_at: string;
  last_report_id: string;
  /** The ids of the last applied reports, newest first, space-separated: a resend of one is a duplicate. */
  recent_report_ids: string;
  /** sha256 of the report's stateful parts; equal hash means nothing to diff. */
  state_hash: string;
  state_changed_at: string;
  interval_seconds: number;
  agent_version: string;
  os_pretty_name: string | null;
  os_kernel: string | null;
  os_systemd_version: number | null;
  policy_mac: string | null;
  policy_link_file: string | null;
  policy_rewrites: number;
  /** The package owning the winning link file of the new-veth verdict (migration 0005); null when none does. */
  policy_package: string | null;
  policy_package_version: string | null;
  /** The file that sets MACAddressPolicy= for new veths (migration 0008): a drop-in when one does; null when none. */
  policy_source: string | null;
  veth_count: number;
  mismatch_count: number;
  unknown_arp_count: number;
  /** Why the node's fix will undo itself (migration 0010); null when it will not. */
  fragile_reason: string | null;
  /** Which CNI wired the node, report cni.kind (migration 0011); null when the agent did not say. */
  cni_kind: string | null;
  reports_total: number;
  dropped_reports_total: number;
}

/** The latest applied report of each node, as JSON: getNode is one read. Written only when the state changes. */
export interface NodeReportsTable {
  node: string;
  report: string;
}

/** History, append-only. */
export interface EventsTable {
  id: ColumnType<number | string, never, never>;
  node: string;
  type: string;
  at: string;
  received_at: string;
  report_id: string;
  subject: string | null;
  data: string;
  dedup_key: string | null;
  /** How the event moves its node's count of veths in ARP mismatch: -1, 0 or +1 (migration 0006). */
  mismatch_delta: number;
}

/** Remediations and their previews (migration 0003). */
export interface RemediationsTable {
  id: string;
  node: string;
  plan_id: string;
  report_id: string;
  /** The node's state hash the plan was made from: a later report with the same state keeps the plan valid. */
  state_hash: string;
  status: RemediationStatus;
  /** The node's name while pending or running, else null; UNIQUE, so a node has one active remediation at most. */
  active_node: string | null;
  executor: Exclude<ExecutorKind, 'none'>;
  requested_by: string;
  via: IdentitySource;
  fleet_run_id: string | null;
  job_name: string | null;
  job_namespace: string | null;
  created_at: string;
  expires_at: string;
  applied_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  verified_at: string | null;
  /** JSON RemediationProgress. */
  progress: string | null;
  dry_run_error: string | null;
  error: string | null;
  /** JSON Plan. */
  plan: string;
  /** JSON RemediationEvidence. */
  evidence: string | null;
  agent_verified: number | null;
  agent_summary: string | null;
  /** JSON NextReportVerification. */
  next_report: string | null;
  /** Migration 0008: when the node broke again after this remediation was verified, and why. */
  regressed_at: string | null;
  regressed_reason: string | null;
  updated_at: string;
}

/** The one row (id 1) of guardrail settings: the pause switch and the fleet-wide cap. */
export interface RemediationSettingsTable {
  id: number;
  paused: number;
  pause_reason: string | null;
  paused_by: string | null;
  paused_at: string | null;
  max_concurrent: number;
  /** Bumped by every activation as its transaction's first write, which serialises the guardrail checks. */
  activations: number;
  updated_at: string;
}

/** "Fix all at-risk nodes" runs; `nodes` is the JSON FleetRunNode[]. */
export interface FleetRunsTable {
  id: string;
  status: FleetRunStatus;
  requested_by: string;
  cap: number;
  created_at: string;
  finished_at: string | null;
  stopped_reason: string | null;
  current_wave: number;
  nodes: string;
}

/** The audit log: append-only (triggers refuse updates, and deletes of entries younger than a year). */
export interface AuditTable {
  id: ColumnType<number | string, never, never>;
  at: string;
  actor: string;
  via: AuditEntry['via'];
  action: AuditAction;
  node: string | null;
  plan_id: string | null;
  remediation_id: string | null;
  job_name: string | null;
  result: string | null;
  verification: string | null;
  detail: string | null;
}

/** `verify --watch` runs (migration 0007, lib/store/preventionVerifications.ts). */
export interface PreventionVerificationsTable {
  /** The agent's verificationId: a resend of the same run is stored once. */
  id: string;
  node: string;
  started_at: string;
  finished_at: string;
  /** Server clock. */
  received_at: string;
  result: string;
  /** The whole validated document, JSON. */
  document: string;
}

/** Every table of the store, for Kysely<Tables>. */
/** Operator browser sessions (migration 0007), keyed by the SHA-256 of the cookie's random id. */
export interface OperatorSessionsTable {
  id_hash: string;
  operator: string;
  /** Fingerprint of the credential the operator signed in with. */
  credential: string;
  created_at: string;
  expires_at: string;
}

export interface Tables {
  nodes: NodesTable;
  node_reports: NodeReportsTable;
  events: EventsTable;
  remediations: RemediationsTable;
  remediation_settings: RemediationSettingsTable;
  fleet_runs: FleetRunsTable;
  audit: AuditTable;
  operator_sessions: OperatorSessionsTable;
  prevention_verifications: PreventionVerificationsTable;
}

/** The table names, in the order dumpTables lists them. */
export const TABLE_NAMES = ['nodes', 'node_reports', 'events', 'remediations', 'remediation_settings', 'fleet_runs', 'audit', 'operator_sessions', 'prevention_verifications'] as const satisfies readonly (keyof Tables)[];
