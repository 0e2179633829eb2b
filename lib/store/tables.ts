// Row shapes as the database holds them. Timestamps are ISO-8601 UTC strings with milliseconds on both engines
// (they sort as text); JSON is text; flags are 0/1 integers. PostgreSQL returns bigserial ids as strings, hence
// `number | string` for events.id: lib/store converts before anything leaves it.
import type { ColumnType } from 'kysely';

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
  /** The file that sets MACAddressPolicy= for new veths (migration 0007): a drop-in when one does; null when none. */
  policy_source: string | null;
  veth_count: number;
  mismatch_count: number;
  unknown_arp_count: number;
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

export interface Tables {
  nodes: NodesTable;
  node_reports: NodeReportsTable;
  events: EventsTable;
}
