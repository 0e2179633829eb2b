// Ingest benchmark: the fleet the issue sizes (5,000 nodes x 110 veths, one report each every 5 s = 1,000
// reports/s) against the custom server in API-only mode. Prints numbers; asserts nothing.
//
//   node --import tsx server/benchIngest.ts [--nodes 5000] [--veths 110] [--interval 5] [--duration 30]
//        [--change-rate 0.01] [--connections 64] [--cpu-prof DIR]   (DATABASE_URL=postgres://... to bench PostgreSQL)
//
// Load is open-loop: every node sends on its own schedule whether or not earlier answers came back, and latency
// is measured from the scheduled send time, so a slow server shows up as latency instead of a politer client.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildReport, buildVeth } from '../lib/report/fixtures';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

const nodes = arg('nodes', 5000);
const veths = arg('veths', 110);
const interval = arg('interval', 5);
const duration = arg('duration', 30);
const changeRate = arg('change-rate', 0.01);
const connections = arg('connections', 64);
const token = 'bench-token';
const root = fileURLToPath(new URL('..', import.meta.url));

/** A report body with two holes (reportId, collectedAt), so each send costs a string concat, not a stringify. */
interface Template {
  parts: [string, string, string];
}
const ID_MARK = '00000000-0000-4000-8000-00000000beef';
const AT_MARK = '2000-01-01T00:00:00.000Z';

function split(report: object): Template {
  const text = JSON.stringify(report);
  const [a, rest] = text.split(ID_MARK);
  const [b, c] = rest.split(AT_MARK);
  return { parts: [a, b, c] };
}

/** The node as it is, and the same node after udev rewrote one veth's MAC (a change: history rows). */
function templates(node: string): [Template, Template] {
  const report = buildReport({ node, veths, intervalSeconds: interval, reportId: ID_MARK, collectedAt: AT_MARK });
  const broken = { ...report, veths: [buildVeth({ node, index: 0, mismatch: true }), ...report.veths.slice(1)] };
  return [split(report), split(broken)];
}

const body = (t: Template, at: number) => t.parts[0] + randomUUID() + t.parts[1] + new Date(at).toISOString() + t.parts[2];

/** CPU time a process has used so far, in ms, from /proc (Linux): user, system (kernel: sockets, file I/O). */
function cpuTimes(pid: number): { user: number; system: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat, in USER_HZ (100 on Linux) ticks.
  return { user: Number(fields[11]) * 10, system: Number(fields[12]) * 10 };
}
const cpuMs = (pid: number) => {
  const t = cpuTimes(pid);
  return t.user + t.system;
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'vethwatch-bench-'));
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: 'production',
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    HOST: '127.0.0.1',
    PORT: '0',
    VETHWATCH_NEXT: '0',
    VETHWATCH_AGENT_TOKEN: token,
    VETHWATCH_DB: join(dir, 'bench.db'),
  };
  if (process.env.DATABASE_URL) env.DATABASE_URL = process.env.DATABASE_URL;
  const profileDir = process.argv.includes('--cpu-prof') ? process.argv[process.argv.indexOf('--cpu-prof') + 1] : null;
  const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const server = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    server.stdout!.on('data', (d) => {
      out += d;
      const m = /vethwatch listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    server.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  const agent = new Agent({ keepAlive: true, maxSockets: connections });

  const send = (text: string) =>
    new Promise<number>((resolve) => {
      const req = request(`${url}/api/v1/reports`, {
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      req.end(text);
    });

  try {
    console.log(`building ${nodes} node templates (${veths} veths each)...`);
    const t0 = performance.now();
    const healthy: Template[] = [];
    const broken: Template[] = [];
    for (let i = 0; i < nodes; i++) {
      const name = `ip-10-${Math.floor(i / 250)}-${i % 250}-1`;
      const [h, b] = templates(name);
      healthy.push(h);
      broken.push(b);
    }
    const bodyBytes = Buffer.byteLength(body(healthy[0], Date.now()));
    console.log(`templates ready in ${((performance.now() - t0) / 1000).toFixed(1)} s; one report is ${(bodyBytes / 1024).toFixed(1)} KiB`);

    // Seed: every node's first report (the expensive kind: full history baseline).
    const seedStart = performance.now();
    const seedCpu = cpuMs(server.pid!);
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
    const seedCpuPerReport = (cpuMs(server.pid!) - seedCpu) / nodes;
    console.log(`seeded ${nodes} first reports in ${seedSeconds.toFixed(1)} s (${(nodes / seedSeconds).toFixed(0)} first reports/s)`);

    // Sustained, open loop.
    const rate = nodes / interval;
    const total = Math.floor(rate * duration);
    const state = new Uint8Array(nodes); // 0 healthy, 1 broken: a change flips it, producing history rows
    const latencies: number[] = []; // from the scheduled send time: what an agent would see
    const service: number[] = []; // from the moment the generator sent it
    const lags: number[] = []; // how late the generator itself was (a busy machine shows here, not in the server)
    const clientCpu0 = process.cpuUsage();
    const statuses = new Map<number, number>();
    let changed = 0;
    const start = performance.now() + 100;
    const sustainedCpu = cpuMs(server.pid!);
    const sustainedTimes = cpuTimes(server.pid!);
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
      const sentAt = performance.now();
      lags.push(sentAt - due);
      inflight.push(
        send(text).then((status) => {
          const now = performance.now();
          latencies.push(now - due);
          service.push(now - sentAt);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }),
      );
      if (inflight.length > 10_000) await Promise.all(inflight.splice(0, 5_000));
    }
    await Promise.all(inflight);
    const elapsed = (performance.now() - start) / 1000;
    const cpuPerReport = (cpuMs(server.pid!) - sustainedCpu) / total;
    const endTimes = cpuTimes(server.pid!);
    const systemShare = (endTimes.system - sustainedTimes.system) / Math.max(1, cpuPerReport * total);
    latencies.sort((a, b) => a - b);
    service.sort((a, b) => a - b);
    lags.sort((a, b) => a - b);
    const clientCpu = process.cpuUsage(clientCpu0);
    const result = {
      engine: process.env.DATABASE_URL ? 'postgres' : 'sqlite',
      nodes,
      veths,
      reportKiB: +(bodyBytes / 1024).toFixed(1),
      targetRate: rate,
      sent: total,
      changedReports: changed,
      achievedRate: +(total / elapsed).toFixed(0),
      p50ms: +percentile(latencies, 50).toFixed(2),
      p90ms: +percentile(latencies, 90).toFixed(2),
      p99ms: +percentile(latencies, 99).toFixed(2),
      maxMs: +latencies[latencies.length - 1].toFixed(2),
      serviceP50ms: +percentile(service, 50).toFixed(2),
      serviceP99ms: +percentile(service, 99).toFixed(2),
      generatorLagP99ms: +percentile(lags, 99).toFixed(2),
      generatorCpuMsPerReport: +((clientCpu.user + clientCpu.system) / 1000 / total).toFixed(3),
      statuses: Object.fromEntries(statuses),
      firstReportsPerSecond: +(nodes / seedSeconds).toFixed(0),
      serverCpuMsPerReport: +cpuPerReport.toFixed(3),
      serverCpuKernelShare: +systemShare.toFixed(2),
      serverCpuMsPerFirstReport: +seedCpuPerReport.toFixed(3),
      loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    };
    console.log(
      `sustained: ${result.achievedRate} reports/s for ${elapsed.toFixed(1)} s (target ${rate}/s, ${changed} changed); ` +
        `latency p50 ${result.p50ms} ms, p90 ${result.p90ms} ms, p99 ${result.p99ms} ms, max ${result.maxMs} ms; statuses ${JSON.stringify(result.statuses)}`,
    );
    console.log(
      `from send: p50 ${result.serviceP50ms} ms, p99 ${result.serviceP99ms} ms; generator lag p99 ${result.generatorLagP99ms} ms, ` +
        `generator CPU ${result.generatorCpuMsPerReport} ms per report`,
    );
    console.log(
      `server CPU: ${result.serverCpuMsPerReport} ms per sustained report (one core could take ~${Math.floor(1000 / result.serverCpuMsPerReport)}/s), ` +
        `${Math.round(result.serverCpuKernelShare * 100)}% of it in the kernel; ${result.serverCpuMsPerFirstReport} ms per first report; load average ${result.loadAverage}`,
    );
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    agent.destroy();
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
