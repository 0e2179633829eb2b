// Agent scan benchmark: a lab of 110 pods (the max pods of a large EC2 node), 10 of them broken by real udev.
// Target on the 2-core dev machine (issue 3): a full scan under 250 ms wall and under 80 MB RSS. Figures only:
// nothing here asserts them. The machine is shared, so every figure comes with the load average it was taken at;
// compare medians and minimums between runs, not single scans.
//
// The lab is measured twice:
//  * like a node: every pod namespace has a process in it (containerd's pause container; `lab up --pause`), so
//    the agent reads the namespaces through /proc/<pid>/net and runs ip only for the host (agent/collect/procNet.ts);
//  * bind mounts only (no process in the namespaces): the worst case, one `ip -n` process per pod and scan.
// What is measured:
//  * a scan loop in a fresh process, after one warm-up scan (run mode keeps its caches between scans, so the warm
//    scans are the ones that repeat every interval; the first scan is printed too): wall time per scan, CPU per
//    scan of the agent and of the sh/ip processes it runs, and the process's peak RSS. Under tsx (`npm run
//    agent`) and bundled.
//  * the production artifact, the agent image's /app/agent.mjs (deploy/docker/agent.Dockerfile's esbuild line, run
//    as written by deploy/tools/imageRoot.ts), in run mode against a local sink that accepts every report: peak RSS
//    (VmHWM of /proc/<pid>/status) after a dozen scans, plain, with the young-generation cap alone, and with exactly
//    the V8 flags of the image's ENTRYPOINT (the figure the target is about).
//
// Changes host network state (namespaces, veths, processes in them): run it as root and, beside other host work,
// under `flock /run/lock/vethwatch-host.lock`. Runnable directly: node --import tsx bench/agent-scan.ts
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildImageRoot } from '../deploy/tools/imageRoot';

const PODS = 110;
const BROKEN = 10;
const RUNS = 15;
const RUN_MODE_SCANS = 12;
const CLK_TCK = 100; // USER_HZ on Linux: /proc/<pid>/stat counts CPU in these ticks
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * V8 flags tried on the image's bundle; each is measured, none is assumed to help. --max-semi-space-size=1 caps
 * V8's young generation (16 MB by default): the agent's garbage is small and short-lived. The image's own flags
 * (read from its ENTRYPOINT) are added in benchAgentScan.
 */
const FLAG_SETS: string[][] = [[], ['--max-semi-space-size=1']];

interface LoopResult {
  firstScanMs: number;
  wallMs: number[];
  cpuMsPerScan: number;
  selfCpuMsPerScan: number;
  maxRssMb: number;
  veths: number;
  mismatches: number;
  findings: number;
  /** Pod namespaces the last scan read with ip, and through /proc/<pid>/net. */
  viaIp: number;
  viaProc: number;
}

interface ProcCpu {
  selfMs: number;
  childrenMs: number;
}

/** utime+stime and cutime+cstime (children that were waited for) of a process, in ms. */
function procCpu(pid: number | 'self'): ProcCpu {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the ")" of comm: state is field 3; utime, stime, cutime, cstime are fields 14-17.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ms = (i: number) => (Number(f[i]) * 1000) / CLK_TCK;
  return { selfMs: ms(11) + ms(12), childrenMs: ms(13) + ms(14) };
}

function procStatusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

async function worker(runs: number): Promise<LoopResult> {
  const { scan } = await import('../agent/scan');
  const { lastObserveStats } = await import('../agent/collect/veths');
  const tw = performance.now();
  const warm = await scan({ root: '/', intervalSeconds: 60 });
  const firstScanMs = performance.now() - tw;
  const wallMs: number[] = [];
  const cpu0 = process.cpuUsage();
  const child0 = procCpu('self').childrenMs;
  let last = warm;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await scan({ root: '/', intervalSeconds: 60 });
    wallMs.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  const selfMs = (cpu.user + cpu.system) / 1000;
  return {
    firstScanMs,
    wallMs,
    ...lastObserveStats(),
    selfCpuMsPerScan: selfMs / runs,
    cpuMsPerScan: (selfMs + procCpu('self').childrenMs - child0) / runs,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    veths: last.veths.length,
    mismatches: last.veths.filter((v) => v.arpStatus === 'mismatch').length,
    findings: last.findings.length,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (n: number) => +n.toFixed(1);

/** Runs the scan loop in a fresh process: under tsx (how package.json runs the agent) or as a plain JS bundle. */
function runWorker(runs: number, bundle: string | null, nodeFlags: string[] = []): Promise<LoopResult> {
  const args = [...nodeFlags, ...(bundle ? [bundle] : ['--import', 'tsx', fileURLToPath(import.meta.url)]), '--worker', String(runs)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], cwd: REPO });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`scan worker exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as LoopResult);
      } catch (e) {
        reject(new Error(`scan worker printed no result: ${(e as Error).message}`));
      }
    });
  });
}

function loopFigures(label: string, r: LoopResult): Record<string, number | string> {
  const s = [...r.wallMs].sort((a, b) => a - b);
  return {
    [`${label}: pods found, mismatches (expect 110, 10)`]: `${r.veths}, ${r.mismatches}`,
    [`${label}: pod namespaces read via /proc, via ip (per warm scan)`]: `${r.viaProc}, ${r.viaIp}`,
    [`${label}: first scan wall ms (cold caches)`]: round(r.firstScanMs),
    [`${label}: wall median ms`]: round(percentile(s, 50)),
    [`${label}: wall p95 ms`]: round(percentile(s, 95)),
    [`${label}: wall min ms`]: round(s[0]),
    [`${label}: CPU ms per scan (agent + sh/ip)`]: round(r.cpuMsPerScan),
    [`${label}: CPU ms per scan (agent process only)`]: round(r.selfCpuMsPerScan),
    [`${label}: peak RSS MB of the scan loop`]: round(r.maxRssMb),
    [`${label}: load average (1, 5, 15 min) just after`]: load(),
  };
}

/** The scan loop of this file as one JS bundle (what tsx costs is then out of the picture). */
async function bundleWorker(dir: string): Promise<string> {
  const esbuild = await import('esbuild');
  const outfile = path.join(dir, 'agent-scan-worker.mjs');
  // The same options as npm run build:agent.
  await esbuild.build({ entryPoints: [fileURLToPath(import.meta.url)], bundle: true, platform: 'node', format: 'esm', target: 'node20', minifyWhitespace: true, minifySyntax: true, outfile, logLevel: 'error', external: ['esbuild'] });
  return outfile;
}

/** The agent image laid out as its Dockerfile says: its bundle, and the node flags of its ENTRYPOINT. */
function agentImage(dir: string): { bundle: string; flags: string[] } {
  const image = buildImageRoot(path.join(REPO, 'deploy/docker/agent.Dockerfile'), REPO, path.join(dir, 'agent-image'));
  const [cmd, ...args] = image.entrypoint;
  const script = args.find((a) => !a.startsWith('-'));
  if (cmd !== 'node' || !script) throw new Error(`the agent image's ENTRYPOINT is not "node [flags] script": ${image.entrypoint.join(' ')}`);
  return { bundle: image.at(path.posix.resolve(image.workdir, script)), flags: args.filter((a) => a.startsWith('-')) };
}

/** A stand-in server that accepts every report the way the real one does (202, or 200 for a resend). */
function startSink(): Promise<{ server: Server; url: string; accepted: () => number }> {
  let accepted = 0;
  const seen = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let reportId = '';
      try {
        reportId = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { reportId?: unknown }).reportId ?? '');
      } catch {
        res.writeHead(400).end('{"error":"bad json"}');
        return;
      }
      const duplicate = seen.has(reportId);
      seen.add(reportId);
      accepted++;
      res.writeHead(duplicate ? 200 : 202, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: true, reportId, duplicate }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, accepted: () => accepted })),
  );
}

interface RunModeResult {
  peakRssMb: number;
  rssMb: number;
  scanMsMedian: number;
  cpuMsPerScan: number;
  accepted: number;
}

/** The bundled agent in run mode, one scan a second, until `scans` scans after the first; then SIGTERM. */
async function runMode(bundle: string, nodeFlags: string[], scans: number, dir: string): Promise<RunModeResult> {
  const sink = await startSink();
  const spoolDir = mkdtempSync(path.join(dir, 'spool-'));
  const args = [...nodeFlags, bundle, '--server', sink.url, '--token', 'bench', '--interval', '1', '--no-watch', '--spool-dir', spoolDir, '--node', 'bench-node'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: REPO });
  const pid = child.pid!;
  try {
    return await new Promise<RunModeResult>((resolve, reject) => {
      const scanMs: number[] = [];
      let cpu0: ProcCpu | null = null;
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`run mode: only ${scanMs.length} scans in 120 s`)), 120_000);
      child.on('error', reject);
      child.on('exit', (code) => reject(new Error(`the agent exited early with ${code}`)));
      child.stderr!.on('data', (b: Buffer) => {
        buf += b.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          let rec: { msg?: string; ms?: number; level?: string };
          try {
            rec = JSON.parse(line) as typeof rec;
          } catch {
            continue;
          }
          if (rec.level === 'error') process.stderr.write(`agent: ${line}\n`);
          if (rec.msg !== 'scan done') continue;
          // The first scan fills the caches; the ones after it are what a node pays every interval.
          if (cpu0 === null) {
            cpu0 = procCpu(pid);
            continue;
          }
          scanMs.push(rec.ms ?? NaN);
          if (scanMs.length < scans) continue;
          clearTimeout(timer);
          const cpu1 = procCpu(pid);
          const sorted = [...scanMs].sort((a, b) => a - b);
          resolve({
            peakRssMb: procStatusMb(pid, 'VmHWM'),
            rssMb: procStatusMb(pid, 'VmRSS'),
            scanMsMedian: percentile(sorted, 50),
            cpuMsPerScan: (cpu1.selfMs + cpu1.childrenMs - cpu0.selfMs - cpu0.childrenMs) / scans,
            accepted: sink.accepted(),
          });
        }
      });
    });
  } finally {
    child.removeAllListeners('exit');
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await new Promise((r) => sink.server.close(r));
  }
}

/**
 * Waits (up to 10 s) until no lab pod has a tentative IPv6 address: a new pod's link-local address turns final a
 * second or two after its eth0 comes up, which adds a route, and the scans are meant to measure pods at rest.
 */
async function settle(netns: readonly string[]): Promise<void> {
  const { run } = await import('../agent/collect/exec');
  const script = 'for ns in "$@"; do ip -n "$ns" -j addr show dev eth0; done';
  for (let i = 0; i < 20; i++) {
    const r = await run('sh', ['-c', script, 'settle', ...netns], { timeoutMs: 30_000, allowFailure: true });
    if (!r.stdout.includes('"tentative"')) return;
    await new Promise((res) => setTimeout(res, 500));
  }
}

export async function benchAgentScan(): Promise<Record<string, number | string>> {
  const { labDown, labUp, readLabState } = await import('../agent/lab/lab');
  if (process.getuid?.() !== 0) return { 'agent scan': 'skipped: needs root (namespaces, veths, udevadm)' };
  if (await readLabState()) return { 'agent scan': 'skipped: a lab is already up; run "npm run lab -- down" first' };
  const figures: Record<string, number | string> = {
    'agent scan: lab': `${PODS} pods, ${BROKEN} broken by real udev; ${RUNS} warm scans per loop; load average (1, 5, 15 min) at start ${load()}`,
  };
  const dir = mkdtempSync(path.join(tmpdir(), 'vethwatch-bench-'));
  try {
    const workerBundle = await bundleWorker(dir);
    const image = agentImage(dir);

    let t0 = performance.now();
    let lab = await labUp({ pods: PODS, broken: BROKEN, pause: true });
    figures['agent scan: lab up ms (with pause processes)'] = Math.round(performance.now() - t0);
    try {
      await settle(lab.pods.map((p) => p.netns));
      Object.assign(figures, loopFigures('like a node, tsx (npm run agent)', await runWorker(RUNS, null)));
      Object.assign(figures, loopFigures('like a node, bundled, plain node', await runWorker(RUNS, workerBundle)));
      Object.assign(figures, loopFigures('like a node, bundled, node --max-semi-space-size=1', await runWorker(RUNS, workerBundle, ['--max-semi-space-size=1'])));
      const flagSets = [...FLAG_SETS.filter((f) => f.join(' ') !== image.flags.join(' ')), image.flags];
      for (const flags of flagSets) {
        const r = await runMode(image.bundle, flags, RUN_MODE_SCANS, dir);
        const asShipped = flags === image.flags ? ' (the image ENTRYPOINT)' : '';
        const label = `like a node, run mode, agent image's agent.mjs${flags.length ? ' ' + flags.join(' ') : ''}${asShipped}`;
        figures[`${label}: peak RSS MB (VmHWM)`] = round(r.peakRssMb);
        figures[`${label}: RSS MB at the end`] = round(r.rssMb);
        figures[`${label}: scan + spool ms median`] = round(r.scanMsMedian);
        figures[`${label}: CPU ms per scan (agent + sh/ip, with sending)`] = round(r.cpuMsPerScan);
        figures[`${label}: load average (1, 5, 15 min) just after`] = load();
      }
    } finally {
      await labDown();
    }

    t0 = performance.now();
    lab = await labUp({ pods: PODS, broken: BROKEN });
    figures['agent scan: lab up ms (bind mounts only)'] = Math.round(performance.now() - t0);
    try {
      await settle(lab.pods.map((p) => p.netns));
      Object.assign(figures, loopFigures('bind mounts only, bundled, plain node', await runWorker(RUNS, workerBundle)));
    } finally {
      await labDown();
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = !!process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (isMain) {
  if (process.argv[2] === '--worker') {
    worker(Number(process.argv[3]) || RUNS).then(
      (r) => console.log(JSON.stringify(r)),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  } else {
    benchAgentScan().then(
      (figures) => {
        for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(86)} ${v}`);
      },
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  }
}
