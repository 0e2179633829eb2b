// Shared by the benchmarks: the figure model every bench returns, the server as a child process, /proc readings,
// percentiles and the machine description printed beside the figures.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, get as httpGet } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gunzipSync, inflateSync } from 'node:zlib';
import { join } from 'node:path';
import { parseDockerfile } from '../deploy/tools/dockerfile';
import { buildImageRoot } from '../deploy/tools/imageRoot';
import { spawnServer } from '../test/support/serverProcess';

export const REPO = fileURLToPath(new URL('..', import.meta.url));

/** One printed figure. `met` is null when the figure has no target. */
export interface Figure {
  metric: string;
  value: number | string;
  unit?: string;
  target?: string;
  met?: boolean | null;
}

export interface BenchResult {
  name: string;
  title: string;
  figures: Figure[];
  notes: string[];
  /** Load average when the bench started and ended: the machine is shared, so figures need it beside them. */
  loadStart: string;
  loadEnd: string;
  seconds: number;
  error?: string;
}

export const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const round = (n: number, digits = 1): number => +n.toFixed(digits);

/** VmRSS or VmHWM (peak) of a process, in MB. */
export function procMemMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU time a process has used so far, in ms (utime + stime; USER_HZ is 100 on Linux). */
export function procCpuMs(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(f[11]) * 10, system: Number(f[12]) * 10 };
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  os: string;
  node: string;
  chromium: string;
  postgres: string;
}

function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return (r.stdout || r.stderr || '').split('\n')[0].trim() || 'unknown';
}

export function describeMachine(): Machine {
  const osRelease = readFileSync('/etc/os-release', 'utf8');
  const pgBin = spawnSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | head -1'], { encoding: 'utf8' }).stdout.trim();
  return {
    cpus: Number(firstLine('nproc', [])) || cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 1024 ** 3, 1),
    kernel: firstLine('uname', ['-r']),
    os: /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1] ?? 'unknown',
    node: process.version,
    chromium: firstLine('/usr/bin/chromium', ['--version']),
    postgres: pgBin ? firstLine(`${pgBin}/postgres`, ['--version']) : 'not installed',
  };
}

export interface ServerChild {
  url: string;
  pid: number;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** `node --import tsx server/main.ts` with exactly this environment (plus PATH/HOME), on a free loopback port. */
export async function startServer(env: Record<string, string>, timeoutMs = 120_000, nodeArgs: string[] = []): Promise<ServerChild> {
  const server = await spawnServer({
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', ...env },
    startTimeoutMs: timeoutMs,
    nodeArgs,
    // A bench run logs for minutes; the tail is what explains a failure.
    maxOutputChars: 200_000,
  });
  return { url: server.url, pid: server.child.pid!, child: server.child, output: server.output, stop: server.stop };
}

/**
 * The server as its image runs it: deploy/docker/server.Dockerfile laid out under `dir` (deploy/tools/imageRoot.ts
 * runs its esbuild lines as written) and its ENTRYPOINT, V8 flags included, run by this machine's node from the
 * image's WORKDIR. API only (VETHWATCH_NEXT=0): `next build`'s output is not laid out. What ships is what is
 * measured; under tsx (`npm start`) the same server holds ~120 MB more for the loader's transforms.
 */
export async function startImageServer(env: Record<string, string>, dir: string, nodeArgs: string[] = []): Promise<ServerChild> {
  const image = buildImageRoot(join(REPO, 'deploy/docker/server.Dockerfile'), REPO, dir);
  const [cmd, ...args] = image.entrypoint;
  if (cmd !== 'node') throw new Error(`the server image's ENTRYPOINT starts ${cmd}, not node`);
  const server = await spawnServer({
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', ...env, VETHWATCH_NEXT: '0' },
    startTimeoutMs: 120_000,
    nodeArgs,
    program: { args, cwd: image.at(image.workdir) },
    maxOutputChars: 200_000,
  });
  return { url: server.url, pid: server.child.pid!, child: server.child, output: server.output, stop: server.stop };
}

/** The server image's ENTRYPOINT node flags (the V8 tuning that ships), for the figures' labels. */
export function imageNodeFlags(): string[] {
  const ep = parseDockerfile(join(REPO, 'deploy/docker/server.Dockerfile')).stages.at(-1)!.instructions.filter((i) => i.keyword === 'ENTRYPOINT').at(-1)!;
  return (JSON.parse(ep.args) as string[]).slice(1).filter((a) => a.startsWith('--'));
}

/** A throwaway PostgreSQL cluster (scripts/pg-throwaway.sh); stop() removes it. */
export async function startThrowawayPg(dir: string): Promise<{ url: string; stop(): void }> {
  const r = spawnSync('bash', ['scripts/pg-throwaway.sh', 'start', dir], { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pg-throwaway.sh start failed: ${r.stderr || r.stdout}`);
  return {
    url: r.stdout.trim(),
    stop: () => void spawnSync('bash', ['scripts/pg-throwaway.sh', 'stop', dir], { cwd: REPO }),
  };
}

/** One GET as a browser over plain HTTP makes it (gzip or deflate accepted), decoded as the browser would. */
function getDecoded(url: string): Promise<{ status: number; body: Buffer; wireBytes: number; encoding: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { agent: keepAlive, headers: { 'accept-encoding': 'gzip, deflate' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const encoding = res.headers['content-encoding'] ?? 'identity';
        const body = encoding === 'gzip' ? gunzipSync(raw) : encoding === 'deflate' ? inflateSync(raw) : raw;
        resolve({ status: res.statusCode ?? 0, body, wireBytes: raw.length, encoding });
      });
    });
    req.on('error', reject);
  });
}
const keepAlive = new HttpAgent({ keepAlive: true, maxSockets: 1 });

/**
 * Times n sequential GETs (after a few warm-ups) on one kept-alive connection, as a browser would make them:
 * sorted latencies in ms including decompression, the last body's decoded size, and its size on the wire.
 */
export async function timeGets(url: string, n: number, warmups = 3): Promise<{ sorted: number[]; bytes: number; wireBytes: number; encoding: string; status: number }> {
  let last = { status: 0, bytes: 0, wireBytes: 0, encoding: 'identity' };
  for (let i = 0; i < warmups; i++) await getDecoded(url);
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await getDecoded(url);
    ms.push(performance.now() - t0);
    last = { status: r.status, bytes: r.body.length, wireBytes: r.wireBytes, encoding: r.encoding };
  }
  return { sorted: ms.sort((a, b) => a - b), ...last };
}

export function target(value: number, max: number, label: string): Pick<Figure, 'target' | 'met'> {
  return { target: label, met: Number.isFinite(value) ? value <= max : false };
}
