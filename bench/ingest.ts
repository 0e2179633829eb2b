// Ingest benchmark: the fleet the issue sizes (5,000 nodes x 110 veths, one report each every 5 s = 1,000
// reports/s) against the custom server as its image runs it (bench/lib.ts startImageServer), API only, on SQLite or
// PostgreSQL. Moved here from
// server/benchIngest.ts. Prints figures; asserts nothing.
//
//   node --import tsx bench/ingest.ts [--nodes 5000] [--veths 110] [--interval 5] [--duration 30]
//        [--change-rate 0.01] [--connections 64] [--cpu-prof DIR]   (DATABASE_URL=postgres://... for PostgreSQL)
//
// Load is open-loop: every node sends on its own schedule whether or not earlier answers came back, and latency
// is measured from the scheduled send time, so a slow server shows up as latency instead of a politer client.
// After the sustained phase, one identical report per node is sent and the history table counted before and
// after: an unchanged report must write no history rows.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { buildReport, buildVeth } from '../lib/report/fixtures';
import { imageNodeFlags, load, percentile, procCpuMs, procMemMb, round, startImageServer, target, type BenchResult, type Figure } from './lib';

export interface IngestOptions {
  /** PostgreSQL URL; SQLite (a temp file) when absent. */
  databaseUrl?: string;
  nodes?: number;
  veths?: number;
  intervalSeconds?: number;
  durationSeconds?: number;
  changeRate?: number;
  connections?: number;
  cpuProfDir?: string;
  /** The PostgreSQL cluster's data directory (scripts/pg-throwaway.sh): its processes' CPU is measured too. */
  pgDataDir?: string;
  log?: (line: string) => void;
}

/** A report body with two holes (reportId, collectedAt), so each send costs a string concat, not a stringify. */
interface Template {
  parts: [string, string, string];
}
const ID_MARK = '00000000-0000-4000-8000-00000000beef';
const AT_MARK = '2000-01-01T00:00:00.000Z';
const TOKEN = 'bench-token';

function split(report: object): Template {
  const text = JSON.stringify(report);
  const [a, rest] = text.split(ID_MARK);
  const [b, c] = rest.split(AT_MARK);
  return { parts: [a, b, c] };
}

/** CPU ms of a PostgreSQL cluster: the postmaster (first line of postmaster.pid) and its children (backends). */
function pgClusterCpuMs(dataDir: string): number {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(entry) !== postmaster && Number(f[1]) !== postmaster) continue;
      total += (Number(f[11]) + Number(f[12])) * 10;
    } catch {
      // exited while we looked
    }
  }
  return total;
}

const body = (t: Template, at: number) => t.parts[0] + randomUUID() + t.parts[1] + new Date(at).toISOString() + t.parts[2];

export async function benchIngest(opts: IngestOptions = {}): Promise<BenchResult> {
  const nodes = opts.nodes ?? 5000;
  const veths = opts.veths ?? 110;
  const interval = opts.intervalSeconds ?? 5;
  const duration = opts.durationSeconds ?? 30;
  const changeRate = opts.changeRate ?? 0.01;
  const connections = opts.connections ?? 64;
  const log = opts.log ?? ((l: string) => console.log(l));
  const engine = opts.databaseUrl ? 'PostgreSQL' : 'SQLite';
  const started = performance.now();
  const loadStart = load();

  const dir = mkdtempSync(join(tmpdir(), 'vethwatch-bench-'));
  const dbFile = join(dir, 'bench.db');
  const env: Record<string, string> = { VETHWATCH_NEXT: '0', VETHWATCH_AGENT_TOKEN: TOKEN, VETHWATCH_DB: dbFile, VETHWATCH_EXECUTOR: 'none' };
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  const server = await startImageServer(env, join(dir, 'image'), opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : []);
  const countEvents = async (): Promise<number> => {
    if (opts.databaseUrl) {
      const c = new pg.Client({ connectionString: opts.databaseUrl });
      await c.connect();
      try {
        return Number((await c.query<{ n: string }>('select count(*) as n from events')).rows[0].n);
      } finally {
        await c.end();
      }
    }
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('select count(*) as n from events').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const send = (text: string) =>
    new Promise<number>((resolve) => {
      const req = request(`${server.url}/api/v1/reports`, {
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      req.end(text);
    });

  try {
    log(`  ${engine}: building ${nodes} node templates (${veths} veths each)...`);
    const healthy: Template[] = [];
    const broken: Template[] = [];
    for (let i = 0; i < nodes; i++) {
      const node = `ip-10-${Math.floor(i / 250)}-${i % 250}-1`;
      const report = buildReport({ node, veths, intervalSeconds: interval, reportId: ID_MARK, collectedAt: AT_MARK });
      healthy.push(split(report));
      // The same node after udev rewrote one veth's MAC: a change, so history rows.
      broken.push(split({ ...report, veths: [buildVeth({ node, index: 0, mismatch: true }), ...report.veths.slice(1)] }));
    }
    const bodyBytes = Buffer.byteLength(body(healthy[0], Date.now()));

    // Seed: every node's first report (the expensive kind: the full history baseline).
    const seedStart = performance.now();
    const seedCpu = procCpuMs(server.pid);
    let next = 0;
    const epoch = Date.now() - 3_600_000;
    await Promise.all(
      Array.from({ length: Math.min(connections, 16) }, async () => {
        while (next < nodes) {
          const i = next++;
          const status = await send(body(healthy[i], epoch));
          if (status !== 202) throw new Error(`seed report for node ${i} got ${status}`);
        }
      }),
    );
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const seedCpuEnd = procCpuMs(server.pid);
    const seedCpuPerReport = (seedCpuEnd.user + seedCpuEnd.system - seedCpu.user - seedCpu.system) / nodes;
    log(`  ${engine}: seeded ${nodes} first reports in ${seedSeconds.toFixed(1)} s; sustained load for ${duration} s...`);

    // Sustained, open loop.
    const rate = nodes / interval;
    const total = Math.floor(rate * duration);
    const state = new Uint8Array(nodes); // 0 healthy, 1 broken: a change flips it, producing history rows
    const latencies: number[] = [];
    const lags: number[] = [];
    const statuses = new Map<number, number>();
    let changed = 0;
    let rssPeak = 0;
    const rssSampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, procMemMb(server.pid));
    }, 250);
    const start = performance.now() + 100;
    const cpu0 = procCpuMs(server.pid);
    const pgCpu0 = opts.pgDataDir ? pgClusterCpuMs(opts.pgDataDir) : 0;
    const clientCpu0 = process.cpuUsage();
    const inflight: Promise<void>[] = [];
    for (let k = 0; k < total; k++) {
      const due = start + (k * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const i = k % nodes;
      if (Math.random() < changeRate) {
        state[i] ^= 1;
        changed++;
      }
      const text = body(state[i] ? broken[i] : healthy[i], epoch + 1000 + k * 10);
      lags.push(performance.now() - due);
      inflight.push(
        send(text).then((status) => {
          latencies.push(performance.now() - due);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }),
      );
      if (inflight.length > 10_000) await Promise.all(inflight.splice(0, 5_000));
    }
    await Promise.all(inflight);
    clearInterval(rssSampler);
    const elapsed = (performance.now() - start) / 1000;
    const cpu1 = procCpuMs(server.pid);
    const cpuPerReport = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / total;
    const clientCpu = process.cpuUsage(clientCpu0);
    const pgCpuPerReport = opts.pgDataDir ? (pgClusterCpuMs(opts.pgDataDir) - pgCpu0) / total : null;
    const sendWindow = total / rate;
    const drainMs = elapsed * 1000 - sendWindow * 1000;
    latencies.sort((a, b) => a - b);
    lags.sort((a, b) => a - b);
    const rssEnd = procMemMb(server.pid);
    const rssHwm = procMemMb(server.pid, 'VmHWM');

    // Unchanged data: one identical report per node (closed loop), history rows counted around it.
    const before = await countEvents();
    next = 0;
    const unchangedCount = Math.min(nodes, 1000);
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < unchangedCount) {
          const i = next++;
          const status = await send(body(state[i] ? broken[i] : healthy[i], epoch + 2_000_000 + i));
          if (status !== 202) throw new Error(`unchanged report for node ${i} got ${status}`);
        }
      }),
    );
    const unchangedRows = (await countEvents()) - before;

    const achieved = total / elapsed;
    const ok = statuses.get(202) ?? 0;
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    const isSqlite = !opts.databaseUrl;
    const figures: Figure[] = [
      { metric: 'server', value: `the server image's ENTRYPOINT (deploy/docker/server.Dockerfile, API only): node ${imageNodeFlags().join(' ') || '(no flags)'} server-entry.mjs` },
      { metric: 'offered load', value: `${rate} reports/s (${nodes} nodes x ${veths} veths every ${interval} s, ${(bodyBytes / 1024).toFixed(1)} KiB each, ${(changeRate * 100).toFixed(0)}% changed)` },
      // Kept pace: every report answered, and the last answer within 1% of the send window (else a backlog grew).
      { metric: 'sustained reports/s (all answered, run ends at the last answer)', value: round(achieved, 0), ...(isSqlite ? { target: '>= 1,000 offered, kept pace (>= 990)', met: ok === total && achieved >= 0.99 * rate && rate >= 1000 } : {}) },
      { metric: 'backlog drained after the last send', value: round(Math.max(0, drainMs), 0), unit: 'ms' },
      { metric: 'accepted (202)', value: `${ok} of ${total}${statuses.size > 1 ? ` (others: ${JSON.stringify(Object.fromEntries([...statuses].filter(([s]) => s !== 202)))})` : ''}` },
      { metric: 'latency p50', value: round(p50, 1), unit: 'ms' },
      { metric: 'latency p99', value: round(p99, 1), unit: 'ms', ...(isSqlite ? target(p99, 50, '< 50 ms') : {}) },
      { metric: 'latency max', value: round(latencies[latencies.length - 1] ?? NaN, 1), unit: 'ms' },
      { metric: 'server RSS, peak during load', value: round(Math.max(rssPeak, rssEnd), 0), unit: 'MB', ...target(Math.max(rssPeak, rssEnd), 400, '< 400 MB') },
      { metric: 'server RSS, high-water mark (VmHWM)', value: round(rssHwm, 0), unit: 'MB' },
      { metric: 'server CPU per report', value: round(cpuPerReport, 3), unit: 'ms' },
      ...(pgCpuPerReport !== null ? [{ metric: 'PostgreSQL CPU per report (postmaster + backends)', value: round(pgCpuPerReport, 3), unit: 'ms' }] : []),
      { metric: 'first reports (full baseline) per s', value: round(nodes / seedSeconds, 0) },
      { metric: 'server CPU per first report', value: round(seedCpuPerReport, 2), unit: 'ms' },
      { metric: `history rows written by ${unchangedCount.toLocaleString('en')} identical reports`, value: unchangedRows, target: '0', met: unchangedRows === 0 },
      { metric: 'load generator lag p99 (client-side)', value: round(percentile(lags, 99), 1), unit: 'ms' },
      { metric: 'load generator CPU per report', value: round((clientCpu.user + clientCpu.system) / 1000 / total, 3), unit: 'ms' },
    ];
    return {
      name: `ingest-${isSqlite ? 'sqlite' : 'postgres'}`,
      title: `Ingest on ${engine}`,
      figures,
      notes: [
        'Open loop: latency is measured from each report\'s scheduled send time, so a server that falls behind shows as latency, not as a politer client.',
        'The load generator runs on the same 2 cores as the server; its CPU per report is printed so the share it takes is visible.',
      ],
      loadStart,
      loadEnd: load(),
      seconds: round((performance.now() - started) / 1000, 0),
    };
  } finally {
    agent.destroy();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = !!process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (isMain) {
  const arg = (name: string): number | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? undefined : Number(process.argv[i + 1]);
  };
  const prof = process.argv.indexOf('--cpu-prof');
  benchIngest({
    databaseUrl: process.env.DATABASE_URL,
    nodes: arg('nodes'),
    veths: arg('veths'),
    intervalSeconds: arg('interval'),
    durationSeconds: arg('duration'),
    changeRate: arg('change-rate'),
    connections: arg('connections'),
    ...(prof !== -1 ? { cpuProfDir: process.argv[prof + 1] } : {}),
  }).then(
    (r) => {
      for (const f of r.figures) console.log(`${f.metric}: ${f.value}${f.unit ? ` ${f.unit}` : ''}${f.target ? ` (target ${f.target}: ${f.met ? 'met' : 'MISSED'})` : ''}`);
      console.log(`load average ${r.loadStart} -> ${r.loadEnd}`);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
