// A 5,000-node fleet with 30 days of history in a SQLite file, for the read and page benchmarks — built quickly but
// through the real ingest path: two template nodes (one healthy at the end, one broken) get 30 days of reports
// through ingestReport (daily pod churn, a few ARP mismatch episodes), and their rows (node state, latest report,
// history events) are copied to every node with the node name replaced. So every event payload, state hash and
// read model is exactly what ingest writes; only the copying is a shortcut. Per node, event ids rise with time, as
// the store's readers expect.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ingestReport } from '../lib/ingest/ingestReport';
import type { Report, Veth } from '../lib/report/schema';
import { buildReport, buildVeth } from '../lib/report/fixtures';
import { createStore } from '../lib/store';

const DAY_MS = 86_400_000;
const TEMPLATE_OK = 'tmplnodeokzq';
const TEMPLATE_BROKEN = 'tmplnodebadzq';

export interface SeedOptions {
  file: string;
  nodes?: number;
  veths?: number;
  days?: number;
  /** Share of nodes that end broken (a wrong gateway MAC now). */
  brokenShare?: number;
  /** The agents' reporting interval: long enough that nodes stay fresh (not stale) for the whole bench. */
  intervalSeconds?: number;
}

export interface SeedResult {
  nodes: string[];
  days: number;
  brokenNodes: string[];
  events: number;
  eventsPerNode: number;
  seconds: number;
  dbMiB: number;
}

export const fleetNodeName = (i: number): string => `ip-10-${Math.floor(i / 250)}-${i % 250}-${(i * 7) % 250}.ec2.internal`;

/** 30 days of one node's reports: two pods replaced every day, a mismatch episode every ~6 days, fixed a day later. */
function history(node: string, veths: number, days: number, endBroken: boolean, intervalSeconds: number, now: number): Array<{ report: Report; at: Date }> {
  const out: Array<{ report: Report; at: Date }> = [];
  let list: Veth[] = Array.from({ length: veths }, (_, index) => buildVeth({ node, index }));
  let nextIndex = veths;
  const start = now - days * DAY_MS;
  for (let d = 0; d <= days; d++) {
    const at = new Date(start + d * DAY_MS + (d === days ? -60_000 : 0));
    if (d > 0) {
      // Pod churn: the two oldest pods go, two new ones come.
      list = [...list.slice(2), buildVeth({ node, index: nextIndex++ }), buildVeth({ node, index: nextIndex++ })];
    }
    const episode = d % 6 === 3 || (endBroken && d === days);
    const shown = episode ? list.map((v, i) => (i === 5 ? buildVeth({ node, index: Number(/-pod-(\d+)$/.exec(v.pod?.name ?? '')?.[1] ?? 5), mismatch: true }) : v)) : list;
    out.push({ report: buildReport({ node, veths: shown, intervalSeconds, collectedAt: at }), at });
  }
  return out;
}

export async function seedFleet(opts: SeedOptions): Promise<SeedResult> {
  const t0 = performance.now();
  const nodes = opts.nodes ?? 5000;
  const veths = opts.veths ?? 110;
  const days = opts.days ?? 30;
  const interval = opts.intervalSeconds ?? 3600;
  mkdirSync(dirname(opts.file), { recursive: true });
  const now = Date.now();

  // The templates, through the real store and ingest (this also creates and migrates the database).
  const store = await createStore({ engine: 'sqlite', file: opts.file });
  try {
    for (const [name, broken] of [[TEMPLATE_OK, false], [TEMPLATE_BROKEN, true]] as const) {
      for (const { report, at } of history(name, veths, days, broken, interval, now)) await ingestReport(store, report, { receivedAt: at });
    }
  } finally {
    await store.close();
  }

  const db = new Database(opts.file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const rowsOf = (table: string, col: string, name: string) => db.prepare(`select * from ${table} where ${col} = ?`).all(name) as Array<Record<string, unknown>>;
    const templates = new Map<string, { nodes: Record<string, unknown>[]; reports: Record<string, unknown>[]; events: Record<string, unknown>[] }>();
    for (const t of [TEMPLATE_OK, TEMPLATE_BROKEN]) {
      const events = (db.prepare('select * from events where node = ? order by id').all(t) as Array<Record<string, unknown>>).map(({ id: _id, ...rest }) => rest);
      templates.set(t, { nodes: rowsOf('nodes', 'name', t), reports: rowsOf('node_reports', 'node', t), events });
    }
    const insertFor = (table: string, row: Record<string, unknown>) => {
      const cols = Object.keys(row);
      return db.prepare(`insert into ${table} (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`);
    };
    const ok = templates.get(TEMPLATE_OK)!;
    const bad = templates.get(TEMPLATE_BROKEN)!;
    const stmts = {
      nodes: insertFor('nodes', ok.nodes[0]),
      reports: insertFor('node_reports', ok.reports[0]),
      events: insertFor('events', ok.events[0]),
    };
    const swap = (row: Record<string, unknown>, from: string, to: string) =>
      Object.values(row).map((v) => (typeof v === 'string' ? v.replaceAll(from, to) : v));
    const brokenEvery = Math.max(1, Math.round(1 / (opts.brokenShare ?? 0.02)));
    const names: string[] = [];
    const brokenNodes: string[] = [];
    let events = 0;
    const copy = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const name = fleetNodeName(i);
        const broken = i % brokenEvery === brokenEvery - 1;
        const t = broken ? bad : ok;
        const tname = broken ? TEMPLATE_BROKEN : TEMPLATE_OK;
        for (const e of t.events) stmts.events.run(...swap(e, tname, name));
        stmts.nodes.run(...swap(t.nodes[0], tname, name));
        stmts.reports.run(...swap(t.reports[0], tname, name));
        events += t.events.length;
        names.push(name);
        if (broken) brokenNodes.push(name);
      }
    });
    for (let i = 0; i < nodes; i += 250) copy(i, Math.min(nodes, i + 250));
    // The templates themselves are not part of the fleet.
    for (const t of [TEMPLATE_OK, TEMPLATE_BROKEN]) {
      db.prepare('delete from events where node = ?').run(t);
      db.prepare('delete from node_reports where node = ?').run(t);
      db.prepare('delete from nodes where name = ?').run(t);
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('analyze');
    const pages = db.pragma('page_count', { simple: true }) as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    return {
      nodes: names,
      days,
      brokenNodes,
      events,
      eventsPerNode: Math.round(events / nodes),
      seconds: (performance.now() - t0) / 1000,
      dbMiB: Math.round((pages * pageSize) / 1024 / 1024),
    };
  } finally {
    db.close();
  }
}
