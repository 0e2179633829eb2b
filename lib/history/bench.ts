// History benchmark: a node with 110 pod veths whose gateway ARP entries all flip every report, stored for a
// month, then the reads the UI makes (first pages of the events list, a veth's history, the ARP timeline) and one
// retention run. Prints numbers; asserts nothing.
//
//   node --import tsx lib/history/bench.ts [--reports 300] [--veths 110]   (DATABASE_URL=postgres://... for PostgreSQL)
import { register } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

register('../../server/serverOnlyHook.mjs', import.meta.url);

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

const reports = arg('reports', 300);
const veths = arg('veths', 110);
const DAY = 86400_000;

const { createStore } = await import('../store');
const { createEventBus } = await import('../events/bus');
const { ingestReport } = await import('../ingest/ingestReport');
const { buildReport, nextReport } = await import('../report/fixtures');
const { readArpTimeline, readEvents, readVethHistory } = await import('./read');
const { pruneHistory } = await import('../../server/retention');

const dir = mkdtempSync(join(tmpdir(), 'vethwatch-bench-history-'));
const url = process.env.DATABASE_URL?.trim();
const store = await createStore(url ? { engine: 'postgres', url } : { engine: 'sqlite', file: join(dir, 'bench.db') });
const bus = createEventBus();

async function time<T>(label: string, fn: () => Promise<T>, runs = 5): Promise<T> {
  let result!: T;
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  console.log(`${label.padEnd(52)} median ${samples[Math.floor(runs / 2)].toFixed(1).padStart(8)} ms   max ${samples.at(-1)!.toFixed(1).padStart(8)} ms`);
  return result;
}

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
  console.log(`stored ~${total} events from ${reports} reports in ${((performance.now() - t0) / 1000).toFixed(1)} s (${store.engine})`);

  const q = (from: number, to: number, limit = 200) => ({ range: { from: new Date(from).toISOString(), to: new Date(to).toISOString() }, limit, after: null, format: 'json' as const });
  const nowDate = new Date(now);
  await time('events, fleet-wide, last 24 h, first page of 200', () => readEvents(store, { ...q(now - DAY, now), order: 'desc', node: null, types: null }));
  await time('events, one node, 30 days, first page of 1000', () => readEvents(store, { ...q(now - 30 * DAY, now, 1000), order: 'desc', node: 'bench-node', types: null }));
  await time('veth history, 30 days, first page of 200', () => readVethHistory(store, 'bench-node', r.veths[0].ifname, { ...q(now - 30 * DAY, now), order: 'asc' }));
  const tl = await time('ARP timeline, last 24 h, first page of 200', () => readArpTimeline(store, 'bench-node', q(now - DAY, now), nowDate));
  await time('ARP timeline, 30 days, first page of 1000', () => readArpTimeline(store, 'bench-node', q(now - 30 * DAY, now, 1000), nowDate));
  console.log(`  (24 h timeline page: ${tl.intervals.length} intervals in ${tl.lanes.length} lanes)`);

  const batches: number[] = [];
  const p0 = performance.now();
  const pruned = await pruneHistory(store, { days: 30, batchSize: 1000, onBatch: () => void batches.push(performance.now()) });
  const ms = performance.now() - p0;
  const gaps = batches.map((t, i) => t - (i === 0 ? p0 : batches[i - 1])).sort((a, b) => a - b);
  console.log(
    `retention: pruned ${pruned.deleted} events in ${pruned.batches} batches, ${ms.toFixed(0)} ms (${((pruned.deleted / ms) * 1000).toFixed(0)} events/s); ` +
      `per batch median ${gaps[Math.floor(gaps.length / 2)].toFixed(1)} ms, max ${gaps.at(-1)!.toFixed(1)} ms`,
  );
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
