// The failure this project started from, with the real package manager: MACAddressPolicy=none edited into udev's
// own /usr/lib/systemd/network/99-default.link, then a reinstall of the udev .deb (dpkg -i) puts persistent back.
// The agent must call the edited node "fragile" before that happens, see the reinstall as at-risk drift blamed on
// that dpkg action, and after remediation (the /etc drop-in) the same reinstall must be harmless.
// The machine's own file (content and mtime) and the drop-in are restored in every outcome, signals included.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveDrift } from '../lib/history/drift';
import { ingestReport } from '../lib/ingest/ingestReport';
import { getNodeFrom } from '../lib/nodes/read';
import { DROP_IN_CONTENT, dropInPath } from '../lib/remediation/dropIn';
import { buildPlan } from '../lib/remediation/plan';
import type { Plan } from '../lib/report/remediation';
import type { Report } from '../lib/report/schema';
import { testEngines, type TestStore } from '../lib/store/testing';
import { freshVethUnderUdev } from './remediate/hostTestSupport';
import { remediate } from './remediate/remediate';
import { scan } from './scan';
import { nodeVerdict } from './verdict';

const LINK = '/usr/lib/systemd/network/99-default.link';
const PKG = 'udev';
const DROP_IN = dropInPath('/');
const DROP_IN_DIR = path.dirname(DROP_IN);
const NODE = 'fragile-host-test';

interface Saved {
  content: Buffer;
  atime: Date;
  mtime: Date;
  dropInDirExisted: boolean;
}
let saved: Saved | null = null;
let tmp: string | null = null;
let t: TestStore | null = null;

/** Puts the machine back as it was. Synchronous, so the signal handlers can run it too. */
function restoreMachine(): string[] {
  const problems: string[] = [];
  const attempt = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      problems.push(`${what}: ${(e as Error).message}`);
    }
  };
  if (saved) {
    const s = saved;
    attempt('restore 99-default.link', () => {
      if (!existsSync(LINK) || !readFileSync(LINK).equals(s.content)) writeFileSync(LINK, s.content);
      utimesSync(LINK, s.atime, s.mtime);
    });
    attempt('remove drop-in', () => rmSync(DROP_IN, { force: true }));
    if (!s.dropInDirExisted) attempt('remove drop-in dir', () => existsSync(DROP_IN_DIR) && readdirSync(DROP_IN_DIR).length === 0 && rmdirSync(DROP_IN_DIR));
  }
  if (tmp) attempt('remove tmp', () => rmSync(tmp!, { recursive: true, force: true }));
  return problems;
}

// A signal that arrives while dpkg runs waits for it (spawnSync blocks the event loop), so dpkg is never cut short.
const onSignal = (signal: NodeJS.Signals) => {
  restoreMachine();
  // Vitest replaces process.exit in its workers with a throw, and the run would go on: end the worker for real.
  const code = signal === 'SIGINT' ? 130 : 143;
  const reallyExit = (process as unknown as { reallyExit?: (code: number) => never }).reallyExit;
  if (reallyExit) reallyExit.call(process, code);
  process.kill(process.pid, 'SIGKILL');
};

function sh(cmd: string, args: string[], opts: { cwd?: string } = {}): string {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** The installed udev .deb: from apt's cache, else downloaded into our temp dir. */
function udevDeb(): string {
  const version = sh('dpkg-query', ['-W', '-f', '${Version}', PKG]).trim();
  const arch = sh('dpkg-query', ['-W', '-f', '${Architecture}', PKG]).trim();
  const file = `${PKG}_${version.replace(/:/g, '%3a')}_${arch}.deb`;
  const cached = path.join('/var/cache/apt/archives', file);
  if (existsSync(cached)) return cached;
  sh('apt-get', ['download', `${PKG}=${version}`], { cwd: tmp! });
  const got = readdirSync(tmp!).find((f) => f.startsWith(`${PKG}_`) && f.endsWith('.deb'));
  if (!got) throw new Error(`apt-get download ${PKG}=${version} left no .deb in ${tmp}`);
  return path.join(tmp!, got);
}

/** dpkg -i, waiting out another dpkg/apt run (other people use this machine's package manager too). */
function dpkgInstall(deb: string): void {
  for (let attempt = 1; ; attempt++) {
    const r = spawnSync('dpkg', ['-i', deb], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status === 0) return;
    const out = `${r.stderr}${r.stdout}`;
    if (/lock/i.test(out) && attempt < 60) {
      spawnSync('sleep', ['2']);
      continue;
    }
    throw new Error(`dpkg -i ${deb} exited ${r.status}: ${out}`);
  }
}

function editToNone(): void {
  const text = readFileSync(LINK, 'utf8');
  expect(text).toMatch(/^MACAddressPolicy=persistent$/m);
  writeFileSync(LINK, text.replace(/^MACAddressPolicy=persistent$/m, 'MACAddressPolicy=none'));
}

const scanNode = () => scan({ root: '/', node: NODE, intervalSeconds: 60 });

async function send(report: Report): Promise<void> {
  await ingestReport(t!.store, report);
}

async function serverState(): Promise<{ state: string; stateReason: string }> {
  const n = await getNodeFrom(t!.store, NODE, new Date(), null);
  return { state: n!.state, stateReason: n!.stateReason };
}

let deb: string;

beforeAll(async () => {
  // What the machine had before: kept before anything else happens, so every later failure can put it back.
  const st = statSync(LINK);
  saved = { content: readFileSync(LINK), atime: st.atime, mtime: st.mtime, dropInDirExisted: existsSync(DROP_IN_DIR) };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'vwt-fragile-'));
  if (existsSync(DROP_IN)) throw new Error(`${DROP_IN} exists: a crashed run left it; remove it and run again`);
  if (!sh('dpkg', ['-S', path.basename(LINK)]).split('\n').some((l) => l.startsWith(`${PKG}:`) && l.endsWith('/systemd/network/99-default.link'))) {
    throw new Error(`${LINK} is not owned by ${PKG} on this machine`);
  }
  deb = udevDeb();
  t = await testEngines[0].open();
}, 300_000);

afterAll(async () => {
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  const problems = restoreMachine();
  if (t) await t.cleanup();
  if (saved) {
    // The machine is exactly as before: same bytes, same mtime, no drop-in.
    expect(readFileSync(LINK).equals(saved.content)).toBe(true);
    expect(statSync(LINK).mtimeMs).toBe(saved.mtime.getTime());
    expect(existsSync(DROP_IN)).toBe(false);
  }
  if (problems.length > 0) throw new Error(`cleanup failed: ${problems.join('; ')}`);
}, 120_000);

describe('a fix edited into the package-owned 99-default.link, and the real udev package', () => {
  let fragile: Report;

  it('the stock file leaves new veths at risk (the starting point)', async () => {
    const r = await scanNode();
    expect(r.linkPolicy.newVeth).toMatchObject({ linkFile: LINK, macAddressPolicy: 'persistent', udevRewritesMac: true });
    expect(r.linkPolicy.fragile).toEqual([]);
  });

  it('edited in place to none: the node is fragile, naming the file, package, version and what undoes it', async () => {
    editToNone();
    fragile = await scanNode();
    const version = sh('dpkg-query', ['-W', '-f', '${Version}', PKG]).trim();
    expect(fragile.linkPolicy.newVeth).toMatchObject({ linkFile: LINK, udevRewritesMac: false });
    const file = fragile.linkPolicy.files.find((f) => f.path === LINK)!;
    expect(file).toMatchObject({ differsFromPackage: true, package: { name: PKG, version } });
    expect(fragile.linkPolicy.fragile).toHaveLength(1);
    const [fix] = fragile.linkPolicy.fragile;
    expect(fix).toMatchObject({ kind: 'package-edited', path: LINK, package: { name: PKG, version } });
    expect(fix.undoneBy).toBe('the next upgrade or reinstall of udev restores MACAddressPolicy=persistent');
    expect(fix.message).toContain(`${LINK} (owned by ${PKG} ${version})`);
    expect(fragile.findings.map((f) => f.code)).toContain('fragile-package-edited');
    // Real udev agrees the node is safe today.
    const fresh = await freshVethUnderUdev();
    expect(fresh.after).toBe(fresh.before);

    expect(nodeVerdict(fragile.veths, fragile.linkPolicy.newVeth, {}, fragile.linkPolicy.fragile).state).toBe('fragile');
    await send(fragile);
    const s = await serverState();
    expect(s.state).toBe('fragile');
    expect(s.stateReason).toContain('the next upgrade or reinstall of udev restores MACAddressPolicy=persistent');
  });

  it('dpkg -i of the udev .deb puts persistent back: at risk, drift blamed on that dpkg action, content changed with an older mtime', async () => {
    const editedMtime = statSync(LINK).mtimeMs;
    const since = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
    dpkgInstall(deb);
    expect(readFileSync(LINK, 'utf8')).toMatch(/^MACAddressPolicy=persistent$/m);
    expect(statSync(LINK).mtimeMs).toBeLessThan(editedMtime);

    const after = await scanNode();
    expect(after.linkPolicy.newVeth).toMatchObject({ linkFile: LINK, macAddressPolicy: 'persistent', udevRewritesMac: true });
    expect(after.linkPolicy.fragile).toEqual([]);
    expect(after.linkPolicy.files.find((f) => f.path === LINK)?.differsFromPackage).toBe(false);
    // The agent read /var/log/dpkg.log: the reinstall is there, as dpkg logs it (an "upgrade" to the same version).
    const version = sh('dpkg-query', ['-W', '-f', '${Version}', PKG]).trim();
    const reinstall = after.linkPolicy.packageEvents.filter((e) => e.package === PKG && e.source === 'dpkg.log' && Date.parse(e.at) >= since.getTime());
    expect(reinstall.length).toBeGreaterThan(0);
    expect(reinstall.at(-1)).toMatchObject({ toVersion: version });

    await send(after);
    expect((await serverState()).state).toBe('at-risk');
    const events = await t!.store.history.listEventsPage({ node: NODE, limit: 5000 });
    const drift = deriveDrift(events, { packageEvents: events });
    const older = drift.find((d) => d.kind === 'content-changed-mtime-older' && d.path === LINK);
    expect(older, JSON.stringify(drift)).toBeDefined();
    expect(older!.attributedTo).toMatchObject({ package: PKG, version });
    expect(Date.parse(older!.attributedTo!.at)).toBeGreaterThanOrEqual(since.getTime());
    const policy = drift.find((d) => d.kind === 'policy-changed');
    expect(policy?.attributedTo?.package).toBe(PKG);
  });

  it('the planner, given the fragile report, writes the drop-in, says a reinstall is then harmless and offers the exact restore command', async () => {
    const plan = buildPlan({ report: fragile, dropInPath: DROP_IN, existingDropIn: null, hostLinks: [], udevd: { running: false, detail: 'test' }, now: new Date().toISOString() });
    expect(plan.dropIn.action).toBe('write');
    const advice = plan.advice.join('\n');
    expect(advice).toContain(`with ${DROP_IN} in place an upgrade or reinstall of udev is now harmless`);
    expect(advice).toContain(`apt-get install --reinstall udev=${fragile.linkPolicy.fragile[0].package!.version}`);
  });

  it('remediating the fragile node (agent remediate, real host root) writes the /etc drop-in, leaves the edited file alone, and the node is healthy', async () => {
    editToNone();
    const edited = readFileSync(LINK);
    const preview = await remediate({ help: false, dryRun: true, planId: null, root: '/', node: NODE, terminationLog: null });
    const plan = preview.doc as Plan;
    expect(plan.dropIn.action).toBe('write');
    expect(plan.advice.join('\n')).toContain('an upgrade or reinstall of udev is now harmless');
    const out = await remediate({ help: false, dryRun: false, planId: null, root: '/', node: NODE, terminationLog: null });
    expect(out.kind).toBe('result');
    expect(out.exitCode, JSON.stringify(out.doc)).toBe(0);
    expect(readFileSync(DROP_IN, 'utf8')).toBe(DROP_IN_CONTENT);
    expect(readFileSync(LINK).equals(edited)).toBe(true);

    const healthy = await scanNode();
    expect(healthy.linkPolicy.fragile).toEqual([]);
    expect(healthy.linkPolicy.newVeth.udevRewritesMac).toBe(false);
    await send(healthy);
    expect((await serverState()).state).toBe('healthy');
  });

  it('another dpkg -i of udev restores persistent in /usr/lib, and the node stays healthy', async () => {
    dpkgInstall(deb);
    expect(readFileSync(LINK, 'utf8')).toMatch(/^MACAddressPolicy=persistent$/m);
    const r = await scanNode();
    expect(r.linkPolicy.newVeth).toMatchObject({ linkFile: LINK, dropIns: [DROP_IN], macAddressPolicy: 'none', udevRewritesMac: false });
    expect(r.linkPolicy.fragile).toEqual([]);
    await send(r);
    expect((await serverState()).state).toBe('healthy');
    // Real udev leaves a new veth's MAC alone.
    const fresh = await freshVethUnderUdev();
    expect(fresh.after).toBe(fresh.before);
  });
});
