// Remediation against the real lab and real udev: 5 pods wired like the pre-v1.20.1 VPC CNI, 2 broken by real
// `udevadm test-builtin net_setup_link` under the stock 99-default.link. One broken pod's old MAC is made "taken"
// by a spare veth in the host namespace, so both repair methods run for real. Steps run in order and share the lab.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, rmdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../collect/exec';
import { labDown, labUp, readLabState, type LabPod, type LabState } from '../lab/lab';
import { scan } from '../scan';
import { DROP_IN_CONTENT, dropInPath } from '../../lib/remediation/dropIn';
import { freshVethUnderUdev, podReachesHost, remediateJson, snapshotPod, snapshotTree, type PodSnapshot } from './hostTestSupport';
import { planSchema, resultSchema, planMismatchSchema } from '../../lib/report/remediation';

const DROP_IN = dropInPath('/');
const DROP_IN_DIR = path.dirname(DROP_IN);
const NETWORK_DIR = '/etc/systemd/network';
const REPO = fileURLToPath(new URL('../..', import.meta.url));

let lab: LabState;
let tmp: string;
let dropInDirExisted = false;
let spare: string | null = null;
/** Repaired by giving the host veth its old MAC back. */
let byMac: LabPod;
/** Repaired through its neighbour entry: a spare interface holds its old MAC. */
let byNeigh: LabPod;
let healthy: LabPod[];
let previewId: string;
const before = new Map<string, PodSnapshot>();
const afterApply = new Map<string, PodSnapshot>();

/** A test-only address per pod, put on its host veth just for the probe (RFC 2544 benchmarking range). */
const probeAddr = (pod: LabPod) => `198.18.0.${lab.pods.indexOf(pod) + 1}`;

async function snapshotAll(): Promise<Map<string, PodSnapshot>> {
  const m = new Map<string, PodSnapshot>();
  for (const p of lab.pods) m.set(p.hostIfname, await snapshotPod(p));
  return m;
}

beforeAll(async () => {
  if (await readLabState()) throw new Error('a lab is already up; run "npm run lab -- down" first');
  // Our drop-in left by a crashed run would make the lab unable to break pods; it is ours to remove.
  await rm(DROP_IN, { force: true });
  dropInDirExisted = await stat(DROP_IN_DIR).then(() => true, () => false);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vwt-remediate-'));

  lab = await labUp({ pods: 5, broken: 2 });
  const broken = lab.pods.filter((p) => p.broken);
  [byMac, byNeigh] = broken;
  healthy = lab.pods.filter((p) => !p.broken);

  spare = `vwt${randomBytes(4).toString('hex')}d`;
  // A veth pair with both ends here (this kernel has no dummy driver); scan ignores such pairs.
  await run('ip', ['link', 'add', spare, 'address', byNeigh.gatewayLladdr, 'type', 'veth', 'peer', 'name', `${spare.slice(0, -1)}p`]);
  for (const [k, v] of await snapshotAll()) before.set(k, v);
}, 120_000);

afterAll(async () => {
  const problems: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      problems.push(`${what}: ${(e as Error).message}`);
    }
  };
  // Other tests depend on the stock policy: never leave the drop-in behind.
  await attempt('remove drop-in', () => rm(DROP_IN, { force: true }));
  if (!dropInDirExisted) await attempt('remove drop-in dir', () => rmdir(DROP_IN_DIR).catch((e) => (e.code === 'ENOENT' ? undefined : Promise.reject(e))));
  if (spare) await attempt('remove spare', () => run('ip', ['link', 'del', spare!], { allowFailure: true }));
  await attempt('lab down', () => labDown());
  if (tmp) await attempt('remove tmp', () => rm(tmp, { recursive: true, force: true }));
  if (problems.length > 0) throw new Error(`cleanup failed: ${problems.join('; ')}`);
}, 120_000);

describe('remediate on the real lab', () => {
  it('starts from a broken node: real udev rewrites a fresh veth, and broken pods cannot reach the host', async () => {
    const fresh = await freshVethUnderUdev();
    expect(fresh.addrAssignType).toBe('1');
    expect(fresh.after).not.toBe(fresh.before);
    for (const p of healthy) expect(await podReachesHost(p, probeAddr(p)), `${p.hostIfname} (healthy)`).toBe(true);
    for (const p of [byMac, byNeigh]) expect(await podReachesHost(p, probeAddr(p)), `${p.hostIfname} (broken)`).toBe(false);
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const etcBefore = await snapshotTree(NETWORK_DIR);
    const tlog = path.join(tmp, 'dry-run-termination-log');
    const { code, doc } = await remediateJson(['--dry-run', '--termination-log', tlog]);
    expect(code).toBe(0);
    const plan = planSchema.parse(doc);
    previewId = plan.id;

    expect(plan.dropIn).toMatchObject({ path: DROP_IN, action: 'write', content: DROP_IN_CONTENT });
    expect(plan.reload).toEqual({ run: false, reason: expect.stringMatching(/^skipped: udevd not running/) });
    expect(plan.repairs).toHaveLength(2);
    expect(plan.repairs.find((r) => r.hostIfname === byMac.hostIfname)).toMatchObject({
      method: 'set-host-mac',
      netns: byMac.netns,
      from: byMac.hostMac,
      to: byMac.gatewayLladdr,
    });
    expect(plan.repairs.find((r) => r.hostIfname === byNeigh.hostIfname)).toMatchObject({
      method: 'neigh-replace',
      netns: byNeigh.netns,
      from: byNeigh.gatewayLladdr,
      to: byNeigh.hostMac,
      reason: expect.stringContaining(`already used by ${spare}`),
    });
    for (const p of healthy) {
      expect(plan.leaveAlone).toContainEqual(expect.objectContaining({ hostIfname: p.hostIfname, arpStatus: 'ok', reason: expect.stringMatching(/^healthy/) }));
    }
    expect(JSON.parse(await readFile(tlog, 'utf8')).id).toBe(plan.id);

    expect(await snapshotTree(NETWORK_DIR)).toEqual(etcBefore);
    expect(await snapshotAll()).toEqual(before);
  });

  it('refuses to apply a plan id that is not the current plan, changing nothing', async () => {
    const { code, doc } = await remediateJson(['--plan-id', 'ffffffffffffffff', '--termination-log', '']);
    expect(code).toBe(3);
    const m = planMismatchSchema.parse(doc);
    expect(m.plan.id).toBe(previewId);
    expect(await stat(DROP_IN).then(() => true, () => false)).toBe(false);
    expect(await snapshotAll()).toEqual(before);
  });

  it('applies the previewed plan: drop-in written, both broken pods repaired, verified', async () => {
    const tlog = path.join(tmp, 'apply-termination-log');
    const { code, doc, stderr } = await remediateJson(['--plan-id', previewId, '--termination-log', tlog]);
    expect(stderr).toBe('');
    const result = resultSchema.parse(doc);
    expect(result.errors).toEqual([]);
    expect(code).toBe(0);
    expect(result.verified).toBe(true);
    expect(result.planId).toBe(previewId);
    expect(result.unchanged).toBeUndefined();
    expect(result.changed).toContain(`wrote ${DROP_IN}`);
    expect(result.changed.filter((c) => c.includes(byMac.hostIfname) || c.includes(byNeigh.hostIfname))).toHaveLength(2);
    expect(result.changed.some((c) => c.includes('udevadm'))).toBe(false);
    expect(result.notes).toContainEqual(expect.stringContaining('skipped: udevd not running'));
    expect(result.repaired.map((r) => [r.hostIfname, r.method, r.arpStatusAfter]).sort()).toEqual(
      [
        [byMac.hostIfname, 'set-host-mac', 'ok'],
        [byNeigh.hostIfname, 'neigh-replace', 'ok'],
      ].sort(),
    );
    expect(result.newVeth?.udevRewritesMac).toBe(false);
    expect(JSON.parse(await readFile(tlog, 'utf8'))).toEqual(result);

    expect(await readFile(DROP_IN, 'utf8')).toBe(DROP_IN_CONTENT);
    expect((await stat(DROP_IN)).mode & 0o777).toBe(0o644);
    for (const [k, v] of await snapshotAll()) afterApply.set(k, v);
  });

  it('repaired the broken pods the planned way and did not touch the healthy ones', async () => {
    const mac = afterApply.get(byMac.hostIfname)!;
    expect(mac.hostMac).toBe(byMac.gatewayLladdr);
    expect(mac.neighbours).toEqual(before.get(byMac.hostIfname)!.neighbours);

    const neigh = afterApply.get(byNeigh.hostIfname)!;
    expect(neigh.hostMac).toBe(byNeigh.hostMac);
    expect(neigh.neighbours).toContainEqual({ dst: '169.254.1.1', lladdr: byNeigh.hostMac, state: ['PERMANENT'] });

    for (const p of healthy) expect(afterApply.get(p.hostIfname)).toEqual(before.get(p.hostIfname));

    const report = await scan({ root: '/', intervalSeconds: 60 });
    for (const p of lab.pods) {
      expect(report.veths.find((v) => v.ifname === p.hostIfname)?.arpStatus, p.hostIfname).toBe('ok');
    }
  });

  it('every pod reaches an address on its host veth again, with real packets', async () => {
    const role = (p: LabPod) => (p === byMac ? 'repaired by set-host-mac' : p === byNeigh ? 'repaired by neigh-replace' : 'healthy');
    for (const p of lab.pods) expect(await podReachesHost(p, probeAddr(p)), `${p.hostIfname} (${role(p)})`).toBe(true);
  });

  it('a new veth made the old-CNI way keeps its MAC under real udev', async () => {
    const fresh = await freshVethUnderUdev();
    expect(fresh.addrAssignType).toBe('1');
    expect(fresh.after).toBe(fresh.before);
    expect(fresh.udevOutput).toContain('Using static MAC address');
  });

  it('a second run, through the agent CLI, changes nothing and says so', async () => {
    const etc = await snapshotTree(NETWORK_DIR);
    const r = spawnSync('node', ['--import', 'tsx', 'agent/cli.ts', 'remediate', '--termination-log', ''], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const result = resultSchema.parse(JSON.parse(r.stdout));
    expect(result).toMatchObject({ unchanged: true, changed: [], repaired: [], verified: true, errors: [] });
    expect(result.summary).toMatch(/^changed nothing: new veths are safe and no pod needs repair/);
    expect(await snapshotTree(NETWORK_DIR)).toEqual(etc);
    expect(await snapshotAll()).toEqual(afterApply);
  });
});
