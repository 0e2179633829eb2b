// Agent scan benchmark: a lab of 110 pods (the max pods of a large EC2 node), 10 of them broken by real udev,
// scanned repeatedly by a fresh agent process. Prints wall time (median, p95), CPU time per scan (the agent plus
// the ip/sh processes it runs) and the agent's peak RSS. Target on the 2-core dev machine: < 250 ms wall and
// < 80 MB RSS. Figures only: nothing here asserts them.
//
// Changes host network state (namespaces, veths): run it as root and, beside other host work, under
// `flock /run/lock/vethwatch-host.lock`. Runnable directly: node --import tsx bench/agent-scan.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PODS = 110;
const BROKEN = 10;
const RUNS = 15;
const CLK_TCK = 100; // USER_HZ on Linux; /proc/<pid>/stat reports child CPU in these ticks

interface WorkerResult {
  wallMs: number[];
  cpuMsPerScan: number;
  selfCpuMsPerScan: number;
  maxRssMb: number;
  veths: number;
  mismatches: number;
  findings: number;
}

function childCpuMs(): number {
  // Fields after the ")" of comm: state is field 3; cutime and cstime are fields 16 and 17.
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[13]) + Number(f[14])) * 1000) / CLK_TCK;
}

async function worker(runs: number): Promise<WorkerResult> {
  const { scan } = await import('../agent/scan');
  const warm = await scan({ root: '/', intervalSeconds: 60 });
  const wallMs: number[] = [];
  const cpu0 = process.cpuUsage();
  const child0 = childCpuMs();
  let last = warm;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await scan({ root: '/', intervalSeconds: 60 });
    wallMs.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  const selfMs = (cpu.user + cpu.system) / 1000;
  return {
    wallMs,
    selfCpuMsPerScan: selfMs / runs,
    cpuMsPerScan: (selfMs + childCpuMs() - child0) / runs,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    veths: last.veths.length,
    mismatches: last.veths.filter((v) => v.arpStatus === 'mismatch').length,
    findings: last.findings.length,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Runs the scan loop in a fresh process: under tsx (how package.json runs the agent) or as a plain JS bundle. */
function runWorker(runs: number, bundle: string | null, nodeFlags: string[] = []): Promise<WorkerResult> {
  const args = [...nodeFlags, ...(bundle ? [bundle] : ['--import', 'tsx', fileURLToPath(import.meta.url)]), '--worker', String(runs)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`scan worker exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as WorkerResult);
      } catch (e) {
        reject(new Error(`scan worker printed no result: ${(e as Error).message}`));
      }
    });
  });
}

/**
 * The agent bundled into one JS file, to show what it costs without the TypeScript loader. esbuild is already
 * in node_modules (tsx runs on it); when it is not, the bundled figures are left out.
 */
async function bundleAgent(dir: string): Promise<string | null> {
  try {
    const esbuild = (await import('esbuild')) as typeof import('esbuild');
    const outfile = path.join(dir, 'agent-scan.mjs');
    await esbuild.build({ entryPoints: [fileURLToPath(import.meta.url)], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'error', external: ['esbuild'] });
    return outfile;
  } catch {
    return null;
  }
}

export async function benchAgentScan(): Promise<Record<string, number | string>> {
  const { labDown, labUp, readLabState } = await import('../agent/lab/lab');
  if (process.getuid?.() !== 0) return { 'agent scan': 'skipped: needs root (namespaces, veths, udevadm)' };
  if (await readLabState()) return { 'agent scan': 'skipped: a lab is already up; run "npm run lab -- down" first' };
  const t0 = performance.now();
  await labUp({ pods: PODS, broken: BROKEN });
  const labUpMs = performance.now() - t0;
  const dir = mkdtempSync(path.join(tmpdir(), 'vethwatch-bench-'));
  try {
    const r = await runWorker(RUNS, null);
    const sorted = [...r.wallMs].sort((a, b) => a - b);
    const figures: Record<string, number | string> = {
      'agent scan pods': r.veths,
      'agent scan mismatches found (expect 10)': r.mismatches,
      'agent scan runs': RUNS,
      'agent scan wall median ms': +percentile(sorted, 50).toFixed(1),
      'agent scan wall p95 ms': +percentile(sorted, 95).toFixed(1),
      'agent scan wall min ms': +sorted[0].toFixed(1),
      'agent scan CPU ms per scan (agent + ip/sh)': +r.cpuMsPerScan.toFixed(1),
      'agent scan CPU ms per scan (agent process only)': +r.selfCpuMsPerScan.toFixed(1),
      'agent peak RSS MB (node --import tsx)': +r.maxRssMb.toFixed(1),
    };
    const bundle = await bundleAgent(dir);
    if (bundle) {
      const b = await runWorker(RUNS, bundle);
      const bs = [...b.wallMs].sort((x, y) => x - y);
      figures['agent scan wall median ms (bundled JS)'] = +percentile(bs, 50).toFixed(1);
      figures['agent peak RSS MB (bundled JS, plain node)'] = +b.maxRssMb.toFixed(1);
      // V8 keeps a large young generation by default; this flag trades a little GC time for a smaller heap.
      const o = await runWorker(RUNS, bundle, ['--optimize-for-size']);
      const os = [...o.wallMs].sort((x, y) => x - y);
      figures['agent scan wall median ms (bundled, --optimize-for-size)'] = +percentile(os, 50).toFixed(1);
      figures['agent peak RSS MB (bundled, --optimize-for-size)'] = +o.maxRssMb.toFixed(1);
    }
    figures['lab up ms (110 pods, 10 broken)'] = +labUpMs.toFixed(0);
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await labDown();
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
        for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(58)} ${v}`);
      },
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  }
}
