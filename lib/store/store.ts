import 'server-only';
// The store: the only code that reads and writes SQL. One implementation over Kysely for SQLite and PostgreSQL.
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { mismatchDelta } from '../events/mismatch';
import type { EventDraft, EventType, NodeEvent } from '../events/types';
import { CNI_KINDS, type CniKind, type Report } from '../report/schema';
import type { Engine, StoreConfig } from './config';
import { openEngine } from './engines';
import { migrateToLatest } from './migrate';
import { createRemediationStore, type RemediationStore } from './remediations';
import { createHistoryStore, eventFromRow, type HistoryStore } from './history';
import { createLockStore, type LockStore } from './locks';
import { createSessionStore, type SessionStore } from './sessions';
import { createPreventionStore, type PreventionStore } from './preventionVerifications';
import { TABLE_NAMES, type NodesTable, type Tables } from './tables';

/** What a report says about its node, flattened for the fleet table. */
export interface NodeSnapshot {
  collectedAt: string;
  lastReportId: string;
  stateHash: string;
  intervalSeconds: number;
  agentVersion: string;
  osPrettyName: string | null;
  osKernel: string | null;
  osSystemdVersion: number | null;
  policyMac: string | null;
  policyLinkFile: string | null;
  policyRewrites: boolean;
  /** The package owning policyLinkFile, and its version; null when no package owns it. */
  policyPackage: string | null;
  policyPackageVersion: string | null;
  /** The file that sets MACAddressPolicy= (a drop-in when one does); null when none does. */
  policySource: string | null;
  vethCount: number;
  mismatchCount: number;
  unknownArpCount: number;
  /** Why the fix keeping new veths safe will undo itself (report linkPolicy.fragile); null when it will not. */
  fragileReason: string | null;
  /** Which CNI wired the node (report cni.kind); null when the agent did not say. */
  cniKind: CniKind | null;
}

export interface NodeRecord extends NodeSnapshot {
  name: string;
  firstReportAt: string;
  lastReportAt: string;
  stateChangedAt: string;
  /** The last RECENT_REPORT_IDS applied report ids, newest first. */
  recentReportIds: string[];
  reportsTotal: number;
  droppedReportsTotal: number;
}

/** What the fleet list reads of a node; listing 5,000 full rows cost most of GET /api/v1/nodes (docs/performance.md). */
export type NodeSummaryRecord = Pick<
  NodeRecord,
  | 'name'
  | 'lastReportAt'
  | 'intervalSeconds'
  | 'osPrettyName'
  | 'osKernel'
  | 'osSystemdVersion'
  | 'policyMac'
  | 'policyLinkFile'
  | 'policyRewrites'
  | 'policyPackage'
  | 'policyPackageVersion'
  | 'policySource'
  | 'vethCount'
  | 'mismatchCount'
  | 'unknownArpCount'
  | 'fragileReason'
  | 'cniKind'
>;

/** How many applied report ids each node remembers for resend detection. */
export const RECENT_REPORT_IDS = 16;
/** Report ids are UUIDs (the schema says so): 36 characters, so the id list is cut by length in SQL. */
const REPORT_ID_CHARS = 36;
const RECENT_REPORT_IDS_CHARS = RECENT_REPORT_IDS * (REPORT_ID_CHARS + 1) - 1;
/** ISO-8601 with a four-digit year: such strings sort as their instants do (an expanded year, +010000-..., does not). */
const SORTABLE_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export type ApplyDecision =
  /** Already applied (its id is among the node's recent ones): nothing is written. */
  | { kind: 'duplicate' }
  /** Not newer than the stored state: nothing is written. */
  | { kind: 'out-of-order' }
  /** Same state as stored: only the node's report time, ids and counters move. */
  | { kind: 'unchanged' }
  | { kind: 'changed'; snapshot: NodeSnapshot; report: Report; events: EventDraft[] };

export type ApplyOutcome = ApplyDecision['kind'];

export interface ApplyReportInput {
  reportId: string;
  node: string;
  /** Server clock, ISO. */
  receivedAt: string;
  /** Node clock, ISO (normalised to UTC). */
  collectedAt: string;
  droppedReports: number;
  /**
   * Runs inside the transaction (the node is locked against concurrent reports) with the node's current row,
   * null for a new node; loadPrevious() reads the stored report only when the caller needs to diff against it.
   * Throwing rolls the transaction back; nothing has been written at that point.
   */
  decide(current: NodeRecord | null, loadPrevious: () => Promise<Report | null>): ApplyDecision | Promise<ApplyDecision>;
}

export type ApplyRepeatInput = Omit<ApplyReportInput, 'decide'> & {
  /** The state hash the stored one must equal. */
  stateHash: string;
};

export interface ApplyReportResult {
  outcome: ApplyOutcome;
  /** The events stored, in id order; publish them only after this resolves (the transaction has committed). */
  events: NodeEvent[];
}

export interface ListEventsOptions {
  node?: string;
  subject?: string;
  types?: readonly EventType[];
  /** Only events with a larger id (SSE resume). */
  afterId?: number;
  /** Only events with a smaller id (paging back through a timeline). */
  beforeId?: number;
  order?: 'asc' | 'desc';
  /** Default 500, at most 5000. */
  limit?: number;
}

export interface Store {
  readonly engine: Engine;
  /** Stores one report in one transaction: the node's current state and its events, as decide() says. */
  applyReport(input: ApplyReportInput): Promise<ApplyReportResult>;
  /**
   * The common case in one statement: a report whose state hash equals the stored one, newer than the stored
   * state and not among the node's recent ids, only moves the node's report time, ids and counters (what
   * applyReport does for "unchanged"). False when any of that does not hold: nothing was written, and the caller
   * takes applyReport's full path.
   */
  applyRepeat(input: ApplyRepeatInput): Promise<boolean>;
  listNodes(): Promise<NodeRecord[]>;
  /** The columns the fleet list shows, for every node: the list skips the bookkeeping (recent ids, hashes). */
  listNodeSummaries(): Promise<NodeSummaryRecord[]>;
  getNode(name: string): Promise<{ node: NodeRecord; report: Report } | null>;
  /**
   * Fleet search's coarse pass (lib/nodes/search.ts reads the fields): the latest reports whose node name or report
   * text contains `term`, case-insensitively (ASCII), by node name, at most `limit` (1..1000).
   */
  searchReports(term: string, limit: number): Promise<Array<{ node: string; report: Report }>>;
  /** Every node's name and state hash (two narrow columns): callers that derive from reports reread only changes. */
  listStateHashes(): Promise<Array<{ name: string; stateHash: string }>>;
  /** The latest stored reports of the named nodes, with the state hash they were stored under (lib/fleet). */
  getLatestReports(names: readonly string[]): Promise<Array<{ name: string; stateHash: string; report: Report }>>;
  listEvents(options?: ListEventsOptions): Promise<NodeEvent[]>;
  /** Remediations, their guardrail settings, fleet runs and the audit log (lib/store/remediations.ts and the modules it names). */
  readonly remediations: RemediationStore;
  /** Time-ranged, paged history reads and pruning (lib/store/history.ts). */
  readonly history: HistoryStore;
  /** Named locks for run-once jobs across replicas (lib/store/locks.ts). */
  readonly locks: LockStore;
  /** Operator browser sessions (lib/store/sessions.ts). */
  readonly sessions: SessionStore;
  /** `verify --watch` runs per node (lib/store/preventionVerifications.ts). */
  readonly prevention: PreventionStore;
  /** Every row of every table (TABLE_NAMES) in a stable order: for tests that prove a rejected report changed nothing. */
  dumpTables(): Promise<Record<string, unknown[]>>;
  close(): Promise<void>;
}

export class StoreClosedError extends Error {
  constructor() {
    super('the store is closed');
    this.name = 'StoreClosedError';
  }
}

const EVENT_INSERT_CHUNK = 500;
/** Nodes per `name in (...)` read of changed summaries: well under both engines' bound-parameter limits. */
const SUMMARY_FETCH_CHUNK = 500;
// Advisory lock classes (PostgreSQL): one per node while its report is applied, one global while events are
// inserted so event ids become visible in increasing order (SSE resumes by id and must not skip a late commit).
const NODE_LOCK_CLASS = 1986356339;
const EVENTS_LOCK_CLASS = 1986356340;

/** The columns listNodeSummaries selects: the fleet list's share of a row. */
const SUMMARY_COLUMNS = [
  'name',
  'last_report_at',
  'interval_seconds',
  'os_pretty_name',
  'os_kernel',
  'os_systemd_version',
  'policy_mac',
  'policy_link_file',
  'policy_rewrites',
  'policy_package',
  'policy_package_version',
  'policy_source',
  'veth_count',
  'mismatch_count',
  'unknown_arp_count',
  'fragile_reason',
  'cni_kind',
] as const;

/** A stored kind this server does not know (a newer server wrote it) reads as unknown, not as a crash. */
function toCniKind(value: string | null | undefined): CniKind | null {
  if (value === null || value === undefined) return null;
  return (CNI_KINDS as readonly string[]).includes(value) ? (value as CniKind) : 'unknown';
}

function toSummaryRecord(row: Pick<Selectable<NodesTable>, (typeof SUMMARY_COLUMNS)[number]>): NodeSummaryRecord {
  return {
    name: row.name,
    lastReportAt: row.last_report_at,
    intervalSeconds: Number(row.interval_seconds),
    osPrettyName: row.os_pretty_name,
    osKernel: row.os_kernel,
    osSystemdVersion: row.os_systemd_version === null ? null : Number(row.os_systemd_version),
    policyMac: row.policy_mac,
    policyLinkFile: row.policy_link_file,
    policyRewrites: Number(row.policy_rewrites) === 1,
    policyPackage: row.policy_package,
    policyPackageVersion: row.policy_package_version,
    policySource: row.policy_source ?? null,
    vethCount: Number(row.veth_count),
    mismatchCount: Number(row.mismatch_count),
    unknownArpCount: Number(row.unknown_arp_count),
    fragileReason: row.fragile_reason ?? null,
    cniKind: toCniKind(row.cni_kind),
  };
}

function toRecord(row: Selectable<NodesTable>): NodeRecord {
  return {
    ...toSummaryRecord(row),
    firstReportAt: row.first_report_at,
    collectedAt: row.collected_at,
    lastReportId: row.last_report_id,
    recentReportIds: row.recent_report_ids.split(' ').filter(Boolean),
    stateHash: row.state_hash,
    stateChangedAt: row.state_changed_at,
    agentVersion: row.agent_version,
    reportsTotal: Number(row.reports_total),
    droppedReportsTotal: Number(row.dropped_reports_total),
  };
}

function snapshotColumns(s: NodeSnapshot) {
  return {
    collected_at: s.collectedAt,
    last_report_id: s.lastReportId,
    state_hash: s.stateHash,
    interval_seconds: s.intervalSeconds,
    agent_version: s.agentVersion,
    os_pretty_name: s.osPrettyName,
    os_kernel: s.osKernel,
    os_systemd_version: s.osSystemdVersion,
    policy_mac: s.policyMac,
    policy_link_file: s.policyLinkFile,
    policy_rewrites: s.policyRewrites ? 1 : 0,
    policy_package: s.policyPackage,
    policy_package_version: s.policyPackageVersion,
    policy_source: s.policySource,
    veth_count: s.vethCount,
    mismatch_count: s.mismatchCount,
    unknown_arp_count: s.unknownArpCount,
    fragile_reason: s.fragileReason,
    cni_kind: s.cniKind,
  };
}

class KyselyStore implements Store {
  #closed = false;
  /** listNodeSummaries' memo: each node's summary as of its state hash. */
  #summaries = new Map<string, { stateHash: string; record: NodeSummaryRecord }>();
  readonly remediations: RemediationStore;
  readonly history: HistoryStore;
  readonly locks: LockStore;
  readonly sessions: SessionStore;
  readonly prevention: PreventionStore;

  constructor(
    readonly engine: Engine,
    private readonly db: Kysely<Tables>,
  ) {
    this.remediations = createRemediationStore(() => this.#open());
    this.history = createHistoryStore(() => this.#open());
    this.locks = createLockStore(engine, () => this.#open());
    this.sessions = createSessionStore(() => this.#open());
    this.prevention = createPreventionStore(() => this.#open());
  }

  #open(): Kysely<Tables> {
    if (this.#closed) throw new StoreClosedError();
    return this.db;
  }

  async applyReport(input: ApplyReportInput): Promise<ApplyReportResult> {
    return this.#open()
      .transaction()
      .execute(async (trx) => {
        if (this.engine === 'postgres') {
          await sql`select pg_advisory_xact_lock(${sql.lit(NODE_LOCK_CLASS)}, hashtext(${input.node}))`.execute(trx);
        }
        const row = await trx.selectFrom('nodes').selectAll().where('name', '=', input.node).executeTakeFirst();
        const current = row ? toRecord(row) : null;
        const loadPrevious = async () => {
          const stored = await trx
            .selectFrom('node_reports')
            .select('report')
            .where('node', '=', input.node)
            .executeTakeFirst();
          return stored ? (JSON.parse(stored.report) as Report) : null;
        };
        const decision = await input.decide(current, loadPrevious);
        if (decision.kind === 'duplicate' || decision.kind === 'out-of-order') {
          return { outcome: decision.kind, events: [] };
        }

        const recent = [input.reportId, ...(current?.recentReportIds ?? [])].slice(0, RECENT_REPORT_IDS).join(' ');
        if (decision.kind === 'unchanged') {
          if (!current) throw new Error('an unchanged report needs a stored node');
          await trx
            .updateTable('nodes')
            .set((eb) => ({
              last_report_at: input.receivedAt,
              collected_at: input.collectedAt,
              last_report_id: input.reportId,
              recent_report_ids: recent,
              reports_total: eb('reports_total', '+', 1),
              dropped_reports_total: eb('dropped_reports_total', '+', input.droppedReports),
            }))
            .where('name', '=', input.node)
            .execute();
          return { outcome: 'unchanged' as const, events: [] };
        }

        const columns = { ...snapshotColumns(decision.snapshot), recent_report_ids: recent };
        const reportJson = JSON.stringify(decision.report);
        if (current) {
          await trx
            .updateTable('nodes')
            .set((eb) => ({
              ...columns,
              last_report_at: input.receivedAt,
              state_changed_at: input.receivedAt,
              reports_total: eb('reports_total', '+', 1),
              dropped_reports_total: eb('dropped_reports_total', '+', input.droppedReports),
            }))
            .where('name', '=', input.node)
            .execute();
          await trx.updateTable('node_reports').set({ report: reportJson }).where('node', '=', input.node).execute();
        } else {
          await trx
            .insertInto('nodes')
            .values({
              ...columns,
              name: input.node,
              first_report_at: input.receivedAt,
              last_report_at: input.receivedAt,
              state_changed_at: input.receivedAt,
              reports_total: 1,
              dropped_reports_total: input.droppedReports,
            })
            .execute();
          await trx.insertInto('node_reports').values({ node: input.node, report: reportJson }).execute();
        }
        const events = await this.#insertEvents(trx, input, decision.events);
        return { outcome: 'changed' as const, events };
      });
  }

  async applyRepeat(input: ApplyRepeatInput): Promise<boolean> {
    const db = this.#open();
    if (input.reportId.length !== REPORT_ID_CHARS || !SORTABLE_ISO.test(input.collectedAt)) return false;
    const pg = this.engine === 'postgres';
    // Byte order, whatever the database's collation: PostgreSQL's default one may ignore punctuation.
    const collectedAt = pg ? sql<string>`collected_at collate "C"` : sql<string>`collected_at`;
    const seen = pg ? sql<number>`strpos(recent_report_ids, ${input.reportId})` : sql<number>`instr(recent_report_ids, ${input.reportId})`;
    const result = await db
      .updateTable('nodes')
      .set((eb) => ({
        last_report_at: input.receivedAt,
        collected_at: input.collectedAt,
        last_report_id: input.reportId,
        recent_report_ids: sql<string>`substr(cast(${input.reportId} as text) || ' ' || recent_report_ids, 1, ${sql.lit(RECENT_REPORT_IDS_CHARS)})`,
        reports_total: eb('reports_total', '+', 1),
        dropped_reports_total: eb('dropped_reports_total', '+', input.droppedReports),
      }))
      .where('name', '=', input.node)
      .where('state_hash', '=', input.stateHash)
      // Newer than the stored state, compared as text: both sides are SORTABLE_ISO (the stored one is checked here).
      .where(collectedAt, '>=', '0000')
      .where(collectedAt, '<', input.collectedAt)
      .where(seen, '=', 0)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async #insertEvents(trx: Transaction<Tables>, input: ApplyReportInput, drafts: EventDraft[]): Promise<NodeEvent[]> {
    if (drafts.length === 0) return [];
    if (this.engine === 'postgres') {
      await sql`select pg_advisory_xact_lock(${sql.lit(EVENTS_LOCK_CLASS)}, 0)`.execute(trx);
    }
    const rows = drafts.map((d) => ({
      node: input.node,
      type: d.type,
      at: input.collectedAt,
      received_at: input.receivedAt,
      report_id: input.reportId,
      subject: d.subject,
      data: JSON.stringify(d.data),
      dedup_key: d.dedupKey ?? null,
      mismatch_delta: mismatchDelta(d),
    }));
    const stored: NodeEvent[] = [];
    for (let i = 0; i < rows.length; i += EVENT_INSERT_CHUNK) {
      const inserted = await trx
        .insertInto('events')
        .values(rows.slice(i, i + EVENT_INSERT_CHUNK))
        .onConflict((oc) => oc.columns(['node', 'dedup_key']).doNothing())
        .returningAll()
        .execute();
      for (const r of inserted) stored.push(eventFromRow(r));
    }
    // RETURNING order is not promised by either engine.
    return stored.sort((a, b) => a.id - b.id);
  }

  async listNodes(): Promise<NodeRecord[]> {
    const rows = await this.#open().selectFrom('nodes').selectAll().orderBy('name').execute();
    return rows.map(toRecord);
  }

  /**
   * Every report moves a node's last_report_at, but the rest of its summary changes only with its state. So the
   * summaries read last time are kept, keyed by node and state hash (the summary columns are a pure function of
   * the state the hash covers), and each call reads three narrow columns of every row plus the full summary of
   * only the nodes whose state changed: for 5,000 nodes, ~8 ms instead of ~30 ms (docs/performance.md).
   */
  async listNodeSummaries(): Promise<NodeSummaryRecord[]> {
    const db = this.#open();
    const heads = await db.selectFrom('nodes').select(['name', 'last_report_at', 'state_hash']).orderBy('name').execute();
    const known = this.#summaries;
    const stale = heads.filter((h) => known.get(h.name)?.stateHash !== h.state_hash).map((h) => h.name);
    const fresh = new Map<string, { stateHash: string; record: NodeSummaryRecord }>();
    for (let i = 0; i < stale.length; i += SUMMARY_FETCH_CHUNK) {
      const rows = await db
        .selectFrom('nodes')
        .select([...SUMMARY_COLUMNS, 'state_hash'])
        .where('name', 'in', stale.slice(i, i + SUMMARY_FETCH_CHUNK))
        .execute();
      for (const row of rows) fresh.set(row.name, { stateHash: row.state_hash, record: toSummaryRecord(row) });
    }
    // Rebuilt from this read, so nodes no longer in the table leave the cache too.
    const next = new Map<string, { stateHash: string; record: NodeSummaryRecord }>();
    const out: NodeSummaryRecord[] = [];
    for (const h of heads) {
      // A node written between the two reads gets its newer summary now, and is reread next time.
      const entry = fresh.get(h.name) ?? known.get(h.name);
      if (!entry) continue; // deleted between the two reads
      next.set(h.name, entry);
      out.push({ ...entry.record, lastReportAt: h.last_report_at });
    }
    this.#summaries = next;
    return out;
  }

  async getNode(name: string): Promise<{ node: NodeRecord; report: Report } | null> {
    const row = await this.#open()
      .selectFrom('nodes')
      .innerJoin('node_reports', 'node_reports.node', 'nodes.name')
      .selectAll('nodes')
      .select('node_reports.report')
      .where('nodes.name', '=', name)
      .executeTakeFirst();
    if (!row) return null;
    const { report, ...node } = row;
    return { node: toRecord(node), report: JSON.parse(report) as Report };
  }

  async searchReports(term: string, limit: number): Promise<Array<{ node: string; report: Report }>> {
    // LIKE wildcards in the term are matched literally; ILIKE on PostgreSQL, whose LIKE is case-sensitive.
    const pattern = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const op = this.engine === 'postgres' ? sql`ilike` : sql`like`;
    const rows = await this.#open()
      .selectFrom('node_reports')
      .select(['node', 'report'])
      .where(sql<boolean>`(node ${op} ${pattern} escape '\\' or report ${op} ${pattern} escape '\\')`)
      .orderBy('node')
      .limit(Math.min(Math.max(Math.trunc(limit), 1), 1000))
      .execute();
    return rows.map((r) => ({ node: r.node, report: JSON.parse(r.report) as Report }));
  }

  async listStateHashes(): Promise<Array<{ name: string; stateHash: string }>> {
    const rows = await this.#open().selectFrom('nodes').select(['name', 'state_hash']).orderBy('name').execute();
    return rows.map((r) => ({ name: r.name, stateHash: r.state_hash }));
  }

  async getLatestReports(names: readonly string[]): Promise<Array<{ name: string; stateHash: string; report: Report }>> {
    const out: Array<{ name: string; stateHash: string; report: Report }> = [];
    for (let i = 0; i < names.length; i += SUMMARY_FETCH_CHUNK) {
      // One joined read, so each report comes with the hash it was written under.
      const rows = await this.#open()
        .selectFrom('nodes')
        .innerJoin('node_reports', 'node_reports.node', 'nodes.name')
        .select(['nodes.name', 'nodes.state_hash', 'node_reports.report'])
        .where('nodes.name', 'in', names.slice(i, i + SUMMARY_FETCH_CHUNK))
        .execute();
      for (const r of rows) out.push({ name: r.name, stateHash: r.state_hash, report: JSON.parse(r.report) as Report });
    }
    return out;
  }

  async listEvents(options: ListEventsOptions = {}): Promise<NodeEvent[]> {
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 500), 1), 5000);
    let q = this.#open().selectFrom('events').selectAll();
    if (options.node !== undefined) q = q.where('node', '=', options.node);
    if (options.subject !== undefined) q = q.where('subject', '=', options.subject);
    if (options.types && options.types.length > 0) q = q.where('type', 'in', [...options.types]);
    if (options.afterId !== undefined) q = q.where('id', '>', options.afterId);
    if (options.beforeId !== undefined) q = q.where('id', '<', options.beforeId);
    const rows = await q
      .orderBy('id', options.order ?? 'asc')
      .limit(limit)
      .execute();
    return rows.map(eventFromRow);
  }

  async dumpTables(): Promise<Record<string, unknown[]>> {
    const db = this.#open();
    const out: Record<string, unknown[]> = {};
    for (const table of TABLE_NAMES) {
      // Every table has a one-column key; bigserial ids arrive as strings from PostgreSQL and are compared as numbers.
      const key = table === 'node_reports' ? 'node' : table === 'nodes' ? 'name' : table === 'operator_sessions' ? 'id_hash' : 'id';
      const rows = (await db.selectFrom(table).selectAll().orderBy(key).execute()) as Record<string, unknown>[];
      out[table] = table === 'events' || table === 'audit' ? rows.map((r) => ({ ...r, id: Number(r.id) })) : rows;
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.db.destroy();
  }
}

/** Opens the database, runs pending migrations, and returns the store. */
export async function createStore(config: StoreConfig): Promise<Store> {
  const { db } = openEngine(config);
  try {
    await migrateToLatest(db, config.engine);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw err;
  }
  return new KyselyStore(config.engine, db);
}
