// Read benchmark: the fleet list (the server's lean path) and one node's detail and ARP timeline (Next's route handlers),
// with 5,000 nodes and 30 days of history (bench/fleetSeed.ts). Sequential requests from one client: latency, not
// throughput.
import { load, percentile, round, target, timeGets, type BenchResult, type Figure } from './lib';
import type { SeedResult } from './fleetSeed';

const N = 40;

export async function benchReads(url: string, seed: SeedResult): Promise<BenchResult> {
  const started = performance.now();
  const loadStart = load();
  const node = seed.brokenNodes[0] ?? seed.nodes[0];
  const now = Date.now();
  const from = new Date(now - 30 * 86_400_000).toISOString();
  const to = new Date(now).toISOString();
  const figures: Figure[] = [];
  const row = (label: string, path: string, t: Awaited<ReturnType<typeof timeGets>>, p50Target?: number) => {
    if (t.status !== 200) throw new Error(`${path} answered ${t.status}`);
    const p50 = percentile(t.sorted, 50);
    figures.push({ metric: `${label} p50`, value: round(p50), unit: 'ms', ...(p50Target ? target(p50, p50Target, `< ${p50Target} ms`) : {}) });
    figures.push({ metric: `${label} p99`, value: round(percentile(t.sorted, 99)), unit: 'ms' });
    figures.push({
      metric: `${label} response size`,
      value: `${round(t.bytes / 1024, 0).toLocaleString('en')} KiB${t.encoding === 'identity' ? '' : ` (${round(t.wireBytes / 1024, 0).toLocaleString('en')} KiB ${t.encoding} on the wire)`}`,
    });
  };
  const fleetPath = '/api/v1/nodes';
  row(`GET ${fleetPath} (${seed.nodes.length} nodes)`, fleetPath, await timeGets(url + fleetPath, N), 100);
  const nodePath = `/api/v1/nodes/${encodeURIComponent(node)}`;
  row('GET /api/v1/nodes/{name} (110 veths)', nodePath, await timeGets(url + nodePath, N));
  const timelinePath = `/api/v1/nodes/${encodeURIComponent(node)}/arp-timeline?from=${from}&to=${to}`;
  row('GET /api/v1/nodes/{name}/arp-timeline (30 days)', timelinePath, await timeGets(url + timelinePath, N));
  const eventsPath = `/api/v1/events?node=${encodeURIComponent(node)}&from=${from}&to=${to}`;
  const ev = await timeGets(url + eventsPath, N);
  if (ev.status === 200) row('GET /api/v1/events?node= (30 days, first page)', eventsPath, ev);
  return {
    name: 'reads',
    title: `Reads (SQLite, ${seed.nodes.length} nodes, ${seed.days} days of history)`,
    figures: [
      { metric: 'history in the database', value: `${seed.events.toLocaleString('en')} events (${seed.eventsPerNode} per node), ${seed.dbMiB} MiB; seeded in ${round(seed.seconds, 0)} s` },
      ...figures,
    ],
    notes: [
      `${N} sequential requests per endpoint after 3 warm-ups, asking for gzip as a browser does over plain HTTP (the time includes decompressing), from one client on the same machine, to the production server: GET /api/v1/nodes on its lean path, the others through Next's route handlers.`,
    ],
    loadStart,
    loadEnd: load(),
    seconds: round((performance.now() - started) / 1000, 0),
  };
}
