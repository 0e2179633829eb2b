// History benchmark: one node with 110 pod veths whose gateway ARP entries all flip on every report, stored for 40
// days, then the reads the UI makes (first pages of the events list, a veth's history, the ARP timeline) straight
// on the store, and one retention run over it (the server's own pruneHistory). The worst case for history volume
// per node. Figures only, no targets: issue 7 sets none for these.
//
//   npm run bench -- --only history   (SQLite; with DATABASE_URL=postgres://... set, on PostgreSQL instead)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventBus } from '../lib/events/bus';
import { readArpTimeline, readEvents, readVethHistory } from '../lib/history/read';
import { ingestReport } from '../lib/ingest/ingestReport';
import { buildReport, nextReport } from '../lib/report/fixtures';
import { createStore } from '../lib/store';
import { pruneHistory } from '../server/retention';
import { load, round, type BenchResult, type Figure } from './lib';

const DAY = 86_400_000;

export interface HistoryBenchOptions {
  reports?: number;
  veths?: number;
  /** A PostgreSQL URL; SQLite in a temporary file otherwise. */
  databaseUrl?: string;
  log?: (line: string) => void;
}

export async function benchHistory(opts: HistoryBenchOptions = {}): Promise<BenchResult> {
  const reports = opts.reports ?? 300;
  const veths = opts.veths ?? 110;
  const log = opts.log ?? (() => undefined);
  const started = performance.now();
  const loadStart = load();
  const dir = mkdtempSync(join(tmpdir(), 'vethwatch-bench-history-'));
  const store = await createStore(opts.databaseUrl ? { engine: 'postgres', url: opts.databaseUrl } : { engine: 'sqlite', file: join(dir, 'bench.db') });
  const bus = createEventBus();
  const figures: Figure[] = [];

  const time = async <T>(label: string, fn: () => Promise<T>, runs = 5): Promise<T> => {
    let result!: T;
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      result = await fn();
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    figures.push({ metric: `${label}, median of ${runs}`, value: round(samples[Math.floor(runs / 2)]), unit: 'ms' });
    figures.push({ metric: `${label}, max`, value: round(samples.at(-1)!), unit: 'ms' });
    return result;
  };

  try {
    const now = Date.now();
    const start = now - 40 * DAY;
    const step = (40 * DAY) / reports;
    let r = buildReport({ node: 'bench-node', veths, collectedAt: new Date(start) });
    const t0 = performance.now();
    for (let i = 0; i < reports; i++) {
      await ingestReport(store, r, { bus, receivedAt: new Date(start + i * step + 1000) });
      const next = nextReport(r, step / 1000);
      r = buildReport({ ...next, veths, mismatched: (i + 1) % 2 === 1 ? veths : 0, collectedAt: next.collectedAt });
    }
    const total = (await store.listEvents({ order: 'desc', limit: 1 }))[0].id;
    figures.push({ metric: `stored ~${total.toLocaleString('en')} events from ${reports} reports (${veths} veths flipping each time)`, value: round((performance.now() - t0) / 1000, 1), unit: 's' });
    log(`  history: stored ~${total} events on ${store.engine}; reading...`);

    const q = (from: number, to: number, limit = 200) => ({ range: { from: new Date(from).toISOString(), to: new Date(to).toISOString() }, limit, after: null, format: 'json' as const });
    const nowDate = new Date(now);
    await time('events, fleet-wide, last 24 h, first page of 200', () => readEvents(store, { ...q(now - DAY, now), order: 'desc', node: null, types: null }));
    await time('events, one node, 30 days, first page of 1000', () => readEvents(store, { ...q(now - 30 * DAY, now, 1000), order: 'desc', node: 'bench-node', types: null }));
    await time('veth history, 30 days, first page of 200', () => readVethHistory(store, 'bench-node', r.veths[0].ifname, { ...q(now - 30 * DAY, now), order: 'asc' }));
    const tl = await time('ARP timeline, last 24 h, first page of 200', () => readArpTimeline(store, 'bench-node', q(now - DAY, now), nowDate));
    await time('ARP timeline, 30 days, first page of 1000', () => readArpTimeline(store, 'bench-node', q(now - 30 * DAY, now, 1000), nowDate));

    const batches: number[] = [];
    const p0 = performance.now();
    const pruned = await pruneHistory(store, { days: 30, batchSize: 1000, onBatch: () => void batches.push(performance.now()) });
    const ms = performance.now() - p0;
    const gaps = batches.map((t, i) => t - (i === 0 ? p0 : batches[i - 1])).sort((a, b) => a - b);
    figures.push({ metric: `retention: events pruned (older than 30 days) in ${pruned.batches} batches`, value: pruned.deleted });
    figures.push({ metric: 'retention: prune rate', value: round((pruned.deleted / ms) * 1000, 0), unit: 'events/s' });
    figures.push({ metric: 'retention: per batch of 1000, median', value: round(gaps[Math.floor(gaps.length / 2)] ?? NaN), unit: 'ms' });
    figures.push({ metric: 'retention: per batch of 1000, max', value: round(gaps.at(-1) ?? NaN), unit: 'ms' });
    return {
      name: 'history',
      title: `History of one flapping node (${store.engine === 'postgres' ? 'PostgreSQL' : 'SQLite'})`,
      figures,
      notes: [`The 24 h timeline page held ${tl.intervals.length} intervals in ${tl.lanes.length} lanes. Reads call lib/history/read.ts directly (no HTTP); pruning is the server's retention job (server/retention.ts).`],
      loadStart,
      loadEnd: load(),
      seconds: round((performance.now() - started) / 1000, 0),
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
