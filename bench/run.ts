// `npm run bench`: every benchmark of issue 7 in sequence, a table per bench with the targets beside the figures.
// Figures are printed, never asserted. Results go to bench/results/latest.json (kept out of git; a run of a subset
// replaces only those benches there), and `--write-docs` puts the markdown into docs/performance.md between the
// figure markers.
//
//   npm run bench [-- --only ingest,history,reads,page,detection,agent] [--write-docs] [--no-build] [--duration S]
//
// Needs root for detection and agent (network namespaces, veths, udevadm): those two run in a child process under
// the host lock (flock /run/lock/vethwatch-host.lock), so they never collide with other host tests; without root
// they are reported as skipped. reads and page need a production Next build: it is built here when .next/BUILD_ID
// is missing or older than the sources (--no-build uses whatever is there).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The server's modules (store, ingest) import 'server-only'; plain Node must map it to nothing, as the server does.
register('../server/serverOnlyHook.mjs', import.meta.url);

const { describeMachine, load, REPO, round, startServer, startThrowawayPg } = await import('./lib');
type BenchResult = import('./lib').BenchResult;
type Machine = import('./lib').Machine;

const ALL = ['ingest', 'history', 'reads', 'page', 'detection', 'agent'] as const;
type BenchName = (typeof ALL)[number];
const HOST_BENCHES: readonly BenchName[] = ['detection', 'agent'];
const HOST_LOCK = '/run/lock/vethwatch-host.lock';
const LOCKED_ENV = 'VETHWATCH_BENCH_HOST_LOCKED';
const RESULTS = join(REPO, 'bench/results/latest.json');
const DOCS = join(REPO, 'docs/performance.md');
export const DOCS_START = '<!-- bench:figures:start (written by `npm run bench -- --write-docs`) -->';
export const DOCS_END = '<!-- bench:figures:end -->';

class BenchUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchUsageError';
  }
}

interface Args {
  only: BenchName[];
  writeDocs: boolean;
  build: boolean;
  duration: number;
  jsonOut: string | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { only: [...ALL], writeDocs: false, build: true, duration: 30, jsonOut: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') {
      const list = (argv[++i] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const bad = list.filter((s) => !(ALL as readonly string[]).includes(s));
      if (list.length === 0 || bad.length > 0) throw new BenchUsageError(`--only takes a comma-separated list of ${ALL.join(', ')}; got "${argv[i] ?? ''}"`);
      args.only = ALL.filter((n) => list.includes(n));
    } else if (a === '--write-docs') args.writeDocs = true;
    else if (a === '--no-build') args.build = false;
    else if (a === '--duration') {
      args.duration = Number(argv[++i]);
      if (!Number.isInteger(args.duration) || args.duration < 5 || args.duration > 600) throw new BenchUsageError('--duration takes whole seconds from 5 to 600');
    } else if (a === '--json-out') args.jsonOut = argv[++i] ?? null;
    else throw new BenchUsageError(`unknown argument ${a}; usage: npm run bench [-- --only ${ALL.join(',')}] [--write-docs] [--no-build] [--duration S]`);
  }
  return args;
}

const log = (line: string) => console.log(line);

function failed(name: string, title: string, err: unknown, loadStart: string, t0: number): BenchResult {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`bench ${name} failed:`, err);
  return { name, title, figures: [], notes: [], loadStart, loadEnd: load(), seconds: round((performance.now() - t0) / 1000, 0), error: message.split('\n')[0] };
}

/** The newest modification time under the folders `next build` reads. */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.(tsx?|css|json|mjs)$/.test(entry.name) && !/\.(test|spec)\.tsx?$/.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of ['app', 'components', 'lib']) if (existsSync(join(REPO, d))) walk(join(REPO, d));
  for (const f of ['next.config.ts', 'package.json', 'tsconfig.json']) if (existsSync(join(REPO, f))) newest = Math.max(newest, statSync(join(REPO, f)).mtimeMs);
  return newest;
}

function ensureNextBuild(allowBuild: boolean): string {
  const id = join(REPO, '.next/BUILD_ID');
  const stale = !existsSync(id) || statSync(id).mtimeMs < newestSource();
  if (!stale) return 'the existing Next build was current';
  if (!allowBuild) {
    if (!existsSync(id)) throw new Error('no Next build (.next/BUILD_ID) and --no-build was given');
    return 'the Next build was older than the sources; --no-build used it anyway';
  }
  log('  building Next (npx next build): .next/BUILD_ID is missing or older than the sources...');
  const t0 = performance.now();
  const r = spawnSync('npx', ['next', 'build'], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (r.status !== 0) throw new Error(`next build failed:\n${(r.stdout + r.stderr).slice(-4000)}`);
  return `built Next first (${round((performance.now() - t0) / 1000, 0)} s)`;
}

async function runIngest(args: Args): Promise<BenchResult[]> {
  const { benchIngest } = await import('./ingest');
  const out: BenchResult[] = [];
  for (const engine of ['sqlite', 'postgres'] as const) {
    const t0 = performance.now();
    const loadStart = load();
    log(`ingest on ${engine}...`);
    let pg: { url: string; stop(): void } | null = null;
    const pgDir = engine === 'postgres' ? mkdtempSync(join(tmpdir(), 'vethwatch-bench-pg-')) : null;
    try {
      if (pgDir) {
        spawnSync('chmod', ['755', pgDir]);
        pg = await startThrowawayPg(join(pgDir, 'pg'));
      }
      out.push(await benchIngest({ ...(pg && pgDir ? { databaseUrl: pg.url, pgDataDir: join(pgDir, 'pg', 'data') } : {}), durationSeconds: args.duration, log }));
    } catch (err) {
      out.push(failed(`ingest-${engine}`, `Ingest on ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, err, loadStart, t0));
    } finally {
      pg?.stop();
      if (pgDir) rmSync(pgDir, { recursive: true, force: true });
    }
  }
  return out;
}

async function runHistory(): Promise<BenchResult> {
  const t0 = performance.now();
  const loadStart = load();
  log('history...');
  try {
    const { benchHistory } = await import('./history');
    return await benchHistory({ databaseUrl: process.env.DATABASE_URL?.trim() || undefined, log });
  } catch (err) {
    return failed('history', 'History of one flapping node', err, loadStart, t0);
  }
}

async function runFleet(args: Args, which: BenchName[]): Promise<BenchResult[]> {
  const t0 = performance.now();
  const loadStart = load();
  const dir = mkdtempSync(join(tmpdir(), 'vethwatch-bench-fleet-'));
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  try {
    const buildNote = ensureNextBuild(args.build);
    log(`  ${buildNote}; seeding 5,000 nodes with 30 days of history...`);
    const { seedFleet } = await import('./fleetSeed');
    const seed = await seedFleet({ file: join(dir, 'fleet.db') });
    log(`  seeded ${seed.events.toLocaleString('en')} events in ${round(seed.seconds, 0)} s; starting the server with Next...`);
    server = await startServer({ VETHWATCH_DB: join(dir, 'fleet.db'), VETHWATCH_EXECUTOR: 'none', VETHWATCH_AGENT_TOKEN: 'bench-fleet-token' });
    const out: BenchResult[] = [];
    if (which.includes('reads')) {
      log('reads...');
      const { benchReads } = await import('./reads');
      const t1 = performance.now();
      const l1 = load();
      try {
        const r = await benchReads(server.url, seed);
        r.notes.push(`Next: ${buildNote}.`);
        out.push(r);
      } catch (err) {
        out.push(failed('reads', 'Reads', err, l1, t1));
      }
    }
    if (which.includes('page')) {
      log('page...');
      const { benchPage } = await import('./page');
      const t1 = performance.now();
      const l1 = load();
      try {
        out.push(await benchPage(server.url, seed));
      } catch (err) {
        out.push(failed('page', 'Fleet page', err, l1, t1));
      }
    }
    return out;
  } catch (err) {
    return which.map((n) => failed(n, n === 'reads' ? 'Reads' : 'Fleet page', err, loadStart, t0));
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runHostBenches(which: BenchName[]): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  if (which.includes('detection')) {
    log('detection...');
    const t0 = performance.now();
    const l0 = load();
    try {
      const { benchDetection } = await import('./detection');
      out.push(await benchDetection());
    } catch (err) {
      out.push(failed('detection', 'Detection', err, l0, t0));
    }
  }
  if (which.includes('agent')) {
    log('agent scan (110 pods)...');
    const t0 = performance.now();
    const l0 = load();
    try {
      const { benchAgentScan } = await import('./agent-scan');
      const figures = await benchAgentScan();
      out.push({
        name: 'agent',
        title: 'Agent: full scan with 110 pods',
        figures: Object.entries(figures).map(([metric, value]) => ({ metric: metric.trim(), value })),
        notes: ['Targets (issue 3): a full scan under 250 ms wall and under 80 MB RSS. bench/agent-scan.ts (engineer G) measures; its own labels say which figure is which.'],
        loadStart: l0,
        loadEnd: load(),
        seconds: round((performance.now() - t0) / 1000, 0),
      });
    } catch (err) {
      out.push(failed('agent', 'Agent scan', err, l0, t0));
    }
  }
  return out;
}

/** Host benches in a child process holding the host lock (waits for other host work to finish first). */
function runHostBenchesLocked(which: BenchName[], args: Args): Promise<BenchResult[]> {
  if (process.getuid?.() !== 0) {
    return Promise.resolve(which.map((n) => ({ name: n, title: n, figures: [], notes: [], loadStart: load(), loadEnd: load(), seconds: 0, error: 'skipped: needs root (netns, veths, udevadm)' })));
  }
  const dir = mkdtempSync(join(tmpdir(), 'vethwatch-bench-host-'));
  const file = join(dir, 'host.json');
  log(`waiting for the host lock ${HOST_LOCK} (other host tests finish first)...`);
  return new Promise((resolve) => {
    const child = spawn('flock', [HOST_LOCK, process.execPath, '--import', 'tsx', 'bench/run.ts', '--only', which.join(','), '--json-out', file, ...(args.build ? [] : ['--no-build'])], {
      cwd: REPO,
      stdio: 'inherit',
      env: { ...process.env, [LOCKED_ENV]: '1' },
    });
    child.once('exit', (code) => {
      let results: BenchResult[];
      try {
        results = (JSON.parse(readFileSync(file, 'utf8')) as { results: BenchResult[] }).results;
      } catch {
        results = which.map((n) => ({ name: n, title: n, figures: [], notes: [], loadStart: load(), loadEnd: load(), seconds: 0, error: `the locked child exited with ${code} and wrote no results` }));
      }
      rmSync(dir, { recursive: true, force: true });
      resolve(results);
    });
  });
}

interface Saved {
  machine: Machine;
  results: Array<BenchResult & { at: string }>;
}

function fmtValue(v: number | string, unit?: string): string {
  const s = typeof v === 'number' ? (Number.isFinite(v) ? v.toLocaleString('en') : 'n/a') : v;
  return unit ? `${s} ${unit}` : s;
}

export function toMarkdown(saved: Saved): string {
  const m = saved.machine;
  const lines: string[] = [
    `Machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB RAM, ${m.os}, kernel ${m.kernel}, Node ${m.node}, ${m.chromium}, ${m.postgres}.`,
    'Load average (1, 5, 15 min) is given per bench: other engineers\' builds and tests shared these 2 cores.',
    '',
  ];
  for (const r of saved.results) {
    lines.push(`### ${r.title}`, '', `Recorded ${r.at} (bench took ${r.seconds} s), load average ${r.loadStart} at start, ${r.loadEnd} at the end.`, '');
    if (r.error) lines.push(`**Not measured: ${r.error}**`, '');
    if (r.figures.length > 0) {
      lines.push('| Figure | Result | Target | |', '|---|---|---|---|');
      for (const f of r.figures) {
        const mark = f.met === true ? 'met' : f.met === false ? '**missed**' : '';
        lines.push(`| ${f.metric.replaceAll('|', '\\|')} | ${fmtValue(f.value, f.unit).replaceAll('|', '\\|')} | ${f.target ?? ''} | ${mark} |`);
      }
      lines.push('');
    }
    for (const n of r.notes) lines.push(`- ${n}`);
    if (r.notes.length) lines.push('');
  }
  return lines.join('\n');
}

function printTables(results: BenchResult[]): void {
  for (const r of results) {
    console.log(`\n== ${r.title} (${r.seconds} s; load ${r.loadStart} -> ${r.loadEnd})`);
    if (r.error) console.log(`   NOT MEASURED: ${r.error}`);
    const width = Math.max(10, ...r.figures.map((f) => f.metric.length));
    for (const f of r.figures) {
      const tgt = f.target ? `  [target ${f.target}: ${f.met ? 'met' : 'MISSED'}]` : '';
      console.log(`   ${f.metric.padEnd(width)}  ${fmtValue(f.value, f.unit)}${tgt}`);
    }
  }
}

function writeDocs(markdown: string): void {
  if (!existsSync(DOCS)) throw new Error(`${DOCS} is missing`);
  const text = readFileSync(DOCS, 'utf8');
  const a = text.indexOf(DOCS_START);
  const b = text.indexOf(DOCS_END);
  if (a === -1 || b === -1 || b < a) throw new Error(`${DOCS} has no figure markers (${DOCS_START} ... ${DOCS_END})`);
  writeFileSync(DOCS, `${text.slice(0, a + DOCS_START.length)}\n\n${markdown.trim()}\n\n${text.slice(b)}`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const locked = process.env[LOCKED_ENV] === '1';
  const started = performance.now();
  const results: BenchResult[] = [];
  if (locked) {
    // The child under the host lock: only host benches, results to the parent through a file.
    results.push(...(await runHostBenches(args.only.filter((n) => HOST_BENCHES.includes(n)))));
    writeFileSync(args.jsonOut ?? join(REPO, 'bench/results/host.json'), JSON.stringify({ results }));
    return;
  }
  log(`vethwatch bench: ${args.only.join(', ')}; load average ${load()}`);
  if (args.only.includes('ingest')) results.push(...(await runIngest(args)));
  if (args.only.includes('history')) results.push(await runHistory());
  const fleet = args.only.filter((n) => n === 'reads' || n === 'page');
  if (fleet.length > 0) {
    log(fleet.join(' and ') + '...');
    results.push(...(await runFleet(args, fleet)));
  }
  const host = args.only.filter((n) => HOST_BENCHES.includes(n));
  if (host.length > 0) results.push(...(await runHostBenchesLocked(host, args)));

  const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  let previous: Saved | null = null;
  try {
    previous = JSON.parse(readFileSync(RESULTS, 'utf8')) as Saved;
  } catch {
    previous = null;
  }
  const order = (name: string) => ['ingest-sqlite', 'ingest-postgres', 'history', 'reads', 'page', 'detection', 'agent'].indexOf(name);
  const merged = new Map((previous?.results ?? []).map((r) => [r.name, r]));
  for (const r of results) merged.set(r.name, { ...r, at });
  const saved: Saved = { machine: describeMachine(), results: [...merged.values()].sort((x, y) => order(x.name) - order(y.name)) };
  mkdirSync(join(REPO, 'bench/results'), { recursive: true });
  writeFileSync(RESULTS, JSON.stringify(saved, null, 2) + '\n');

  printTables(results);
  const markdown = toMarkdown(saved);
  console.log(`\n---- markdown for docs/performance.md (this run merged with earlier results in ${RESULTS}) ----\n`);
  console.log(markdown);
  if (args.writeDocs) {
    writeDocs(markdown);
    console.log(`wrote the figures into ${DOCS}`);
  }
  console.log(`bench finished in ${round((performance.now() - started) / 1000, 0)} s`);
}

main().catch((err: unknown) => {
  console.error(err instanceof BenchUsageError ? err.message : err);
  process.exit(err instanceof BenchUsageError ? 2 : 1);
});
