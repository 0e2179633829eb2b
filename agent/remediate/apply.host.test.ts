// Every process a real remediation run starts, recorded: the preview and the apply of a plan that writes the
// drop-in and repairs two broken lab pods (one by each method) go through the agent's CLI entry point, with
// node:child_process wrapped so each call is recorded and then really made. No argv may contain "trigger", none may
// start a shell or pass "-c", and nothing may ask for `shell` or use exec/execSync (which always start one).
//
// One shell is known and named below rather than hidden: the scan's network-state reader (agent/collect/podNetns.ts)
// forks one `sh -c <fixed script>` for all namespaces, targets as positional arguments. It only reads, and is
// checked to run nothing but `ip`/`nsenter` reads; every command of the remediation itself goes through spawn.ts.
import { randomBytes } from 'node:crypto';
import { rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

interface Call {
  fn: string;
  argv: string[];
  options: Record<string, unknown> | undefined;
}

const rec = vi.hoisted(() => ({ on: false, calls: [] as Call[] }));

vi.mock('node:child_process', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:child_process')>();
  const wrapped: Record<string, unknown> = {};
  for (const fn of ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync', 'fork'] as const) {
    const original = real[fn] as (...a: unknown[]) => unknown;
    wrapped[fn] = (...a: unknown[]) => {
      if (rec.on) {
        const [file, second, third] = a;
        const args = Array.isArray(second) ? (second as string[]) : [];
        const options = (Array.isArray(second) ? third : second) as Record<string, unknown> | undefined;
        rec.calls.push({ fn, argv: [String(file), ...args.map(String)], options: typeof options === 'object' ? options : undefined });
      }
      return original(...a);
    };
  }
  return { ...real, ...wrapped, default: { ...real, ...wrapped } };
});

const { run } = await import('../collect/exec');
const { labDown, labUp, readLabState } = await import('../lab/lab');
const { dropInPath } = await import('./dropIn');
const { remediateJson } = await import('./hostTestSupport');

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'busybox', 'fish', 'csh', 'tcsh']);
const DROP_IN = dropInPath('/');
const DROP_IN_DIR = path.dirname(DROP_IN);

/** The scan's reader: `sh -c <script> vethwatch-reader <workers> <worker>:<index>:<target>...`. */
const isScanReader = (c: Call) => c.fn === 'spawn' && c.argv[0] === 'sh' && c.argv[1] === '-c' && c.argv[3] === 'vethwatch-reader';

let spare: string | null = null;
let dropInDirExisted = false;
let labIsOurs = false;

beforeAll(async () => {
  if (await readLabState()) throw new Error('a lab is already up; run "npm run lab -- down" first');
  await rm(DROP_IN, { force: true });
  dropInDirExisted = await stat(DROP_IN_DIR).then(() => true, () => false);
  const lab = await labUp({ pods: 3, broken: 2 });
  labIsOurs = true;
  const byNeigh = lab.pods.filter((p) => p.broken)[1];
  // A spare interface holding one broken pod's old MAC makes its repair a neighbour replace (as in remediate.host.test).
  spare = `vwt${randomBytes(4).toString('hex')}d`;
  await run('ip', ['link', 'add', spare, 'address', byNeigh.gatewayLladdr, 'type', 'veth', 'peer', 'name', `${spare.slice(0, -1)}p`]);
}, 120_000);

afterAll(async () => {
  rec.on = false;
  await rm(DROP_IN, { force: true });
  if (!dropInDirExisted) await rmdir(DROP_IN_DIR).catch(() => undefined);
  if (spare) await run('ip', ['link', 'del', spare], { allowFailure: true });
  if (labIsOurs) await labDown();
}, 120_000);

describe('the processes a remediation run starts', () => {
  it('preview and apply: no shell, no "-c", no "trigger", argv arrays only', async () => {
    rec.on = true;
    const preview = await remediateJson(['--dry-run', '--termination-log', '']);
    expect(preview.code).toBe(0);
    const applied = await remediateJson(['--plan-id', preview.doc.id, '--termination-log', '']);
    rec.on = false;
    // The run really repaired both pods, each its own way, so the recording covers the commands that change things.
    expect(applied.doc.errors).toEqual([]);
    expect(applied.doc.verified).toBe(true);
    expect(applied.doc.repaired.map((r: { method: string }) => r.method).sort()).toEqual(['neigh-replace', 'set-host-mac']);

    const calls = rec.calls;
    const said = (c: Call) => `${c.fn} ${JSON.stringify(c.argv)}`;

    for (const c of calls) {
      expect(['spawn', 'spawnSync', 'execFile', 'execFileSync'], said(c)).toContain(c.fn);
      expect(c.options?.shell ?? false, said(c)).toBe(false);
      expect(c.argv.some((a) => a.includes('trigger')), said(c)).toBe(false);
    }
    const readers = calls.filter(isScanReader);
    for (const c of calls.filter((x) => !isScanReader(x))) {
      expect(SHELLS.has(path.basename(c.argv[0])), said(c)).toBe(false);
      expect(c.argv.includes('-c'), said(c)).toBe(false);
      expect(c.argv.some((a) => SHELLS.has(path.basename(a))), said(c)).toBe(false);
    }
    // The known reader: its fixed script mentions no udevadm, and its arguments are a worker count and targets.
    expect(readers.length).toBeGreaterThan(0);
    for (const c of readers) {
      expect(c.argv[2]).not.toMatch(/udevadm|trigger/);
      expect(c.argv[4], said(c)).toMatch(/^\d+$/);
      for (const t of c.argv.slice(5)) expect(t, said(c)).toMatch(/^\d+:\d+:(h|n[^\s;&|`$]+|p\d+)$/);
    }
    // Not vacuous: both repairs were among the recorded calls, as plain ip argv.
    expect(calls.some((c) => c.argv[0] === 'ip' && c.argv.includes('set') && c.argv.includes('address')), 'the set-host-mac repair was recorded').toBe(true);
    expect(calls.some((c) => c.argv[0] === 'ip' && c.argv.includes('replace') && c.argv.includes('permanent')), 'the neigh-replace repair was recorded').toBe(true);
  });
});
