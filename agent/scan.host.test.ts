// scan() against the real kernel: a lab wired like the VPC CNI with pods broken by real udev, plus pods the tests
// wire by hand (a CNI >= v1.20.1 veth, a pod without its gateway entry, a pod whose namespace only a process
// holds). The agent must call out exactly the broken ones.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Report, reportSchema } from '../lib/report/schema';
import { run } from './collect/exec';
import { IPAM_JSON } from './collect/ipam';
import { randomLocalMac } from './lab/names';
import { type LabState, labDown, labUp, readLabState } from './lab/lab';
import { scan } from './scan';
import { HostScratch, rand, sysfs } from './testutil/hostNet';

const scratch = new HostScratch();
let lab: LabState;
let ipamOurs: boolean;
const made = { modern: '', missing: '', procOnly: '', procMac: '' };

/** A pod wired by hand in `netns` (name) or in a process's namespace (pid). */
async function handPod(opts: { netns?: string; pid?: number; ip: string; presetMac?: string; neighbour: boolean }): Promise<string> {
  const host = scratch.track(`eni${rand(6).slice(0, 11)}`);
  const inNs = (...args: string[]) => (opts.netns ? scratch.ip('-n', opts.netns, ...args) : run('nsenter', [`--net=/proc/${opts.pid}/ns/net`, '--', 'ip', ...args]).then((r) => r.stdout));
  const target = opts.netns ?? String(opts.pid);
  if (opts.presetMac) {
    // The v1.20.1+ way: the host end is created with its MAC (aat=3) and its peer goes straight to the pod.
    await scratch.ip('link', 'add', host, 'address', opts.presetMac, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', target);
  } else {
    await inNs('link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', host);
    await inNs('link', 'set', host, 'netns', String(process.pid));
  }
  const mac = await sysfs(host, 'address');
  await inNs('link', 'set', 'eth0', 'up');
  await inNs('addr', 'add', `${opts.ip}/32`, 'dev', 'eth0');
  await inNs('route', 'add', '169.254.1.1', 'dev', 'eth0', 'scope', 'link');
  await inNs('route', 'add', 'default', 'via', '169.254.1.1', 'dev', 'eth0');
  if (opts.neighbour) await inNs('neigh', 'add', '169.254.1.1', 'lladdr', mac, 'dev', 'eth0', 'nud', 'permanent');
  await scratch.ip('link', 'set', host, 'up');
  return host;
}

beforeAll(async () => {
  ipamOurs = !existsSync(IPAM_JSON);
  lab = await labUp({ pods: 6, broken: 2 });
  made.modern = await handPod({ netns: await scratch.addNetns(), ip: '10.245.0.2', presetMac: randomLocalMac(), neighbour: true });
  made.missing = await handPod({ netns: await scratch.addNetns(), ip: '10.245.0.3', neighbour: false });
  made.procOnly = await handPod({ pid: await scratch.processNetns(), ip: '10.245.0.4', neighbour: true });
  made.procMac = await sysfs(made.procOnly, 'address');
});

afterAll(async () => {
  if (await readLabState().catch(() => null)) await labDown();
  await scratch.cleanup();
});

describe('scan() on a lab of 6 pods, 2 broken by udev', () => {
  let report: Report;
  beforeAll(async () => {
    report = await scan({ root: '/', intervalSeconds: 60, node: 'lab-node-1' });
  });

  it('passes the shared schema and fills the header', () => {
    expect(reportSchema.safeParse(report).success).toBe(true);
    expect(report).toMatchObject({ version: 1, node: 'lab-node-1', agent: { intervalSeconds: 60, droppedReports: 0 }, cni: { vethPrefix: 'eni' } });
    expect(report.agent.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.os.systemdVersion).toBe(252);
  });

  it('reports exactly the broken pods as mismatch and the rest as ok', () => {
    const byName = new Map(report.veths.map((v) => [v.ifname, v]));
    for (const p of lab.pods) {
      const v = byName.get(p.hostIfname);
      expect(v, p.hostIfname).toBeDefined();
      expect(v).toMatchObject({
        arpStatus: p.broken ? 'mismatch' : 'ok',
        mac: p.hostMac,
        gatewayLladdr: p.gatewayLladdr,
        gatewayIp: '169.254.1.1',
        gatewayState: ['PERMANENT'],
        netns: p.netns,
        peerIfname: 'eth0',
        podIP: p.podIP,
        addrAssignType: p.broken ? 3 : 1,
      });
      if (ipamOurs) expect(v!.pod).toEqual({ namespace: p.namespace, name: p.name });
    }
    expect(report.veths.filter((v) => v.arpStatus === 'mismatch').map((v) => v.ifname).sort()).toEqual(lab.pods.filter((p) => p.broken).map((p) => p.hostIfname).sort());
  });

  it('says udev would rewrite the healthy old-style veths (aat=1) and not the rewritten ones (aat=3)', () => {
    for (const p of lab.pods) {
      const v = report.veths.find((x) => x.ifname === p.hostIfname)!;
      expect(v.udevRewritesMac).toBe(!p.broken);
      expect(v.macAddressPolicy).toBe('persistent');
      expect(v.linkFile).toMatch(/\/99-default\.link$/);
    }
    expect(report.linkPolicy.newVeth.udevRewritesMac).toBe(true);
  });

  it('a CNI >= v1.20.1 veth (MAC set at creation, aat=3) is ok and safe from udev', () => {
    expect(report.veths.find((v) => v.ifname === made.modern)).toMatchObject({ arpStatus: 'ok', addrAssignType: 3, udevRewritesMac: false, podIP: '10.245.0.2' });
  });

  it('a pod without a gateway entry is missing', () => {
    expect(report.veths.find((v) => v.ifname === made.missing)).toMatchObject({ arpStatus: 'missing', gatewayIp: '169.254.1.1', gatewayLladdr: null, gatewayState: null });
  });

  it('finds a pod namespace that only a process holds, through /proc/*/ns/net', () => {
    expect(report.veths.find((v) => v.ifname === made.procOnly)).toMatchObject({ arpStatus: 'ok', netns: expect.stringMatching(/^net:\[\d+\]$/), gatewayLladdr: made.procMac, podIP: '10.245.0.4' });
  });

  it('never wrote to the host: every MAC and neighbour is as it was', async () => {
    for (const p of lab.pods) {
      expect(await sysfs(p.hostIfname, 'address')).toBe(p.hostMac);
      const neigh = JSON.parse((await run('ip', ['-n', p.netns, '-j', 'neigh'])).stdout);
      expect(neigh).toEqual([{ dst: '169.254.1.1', dev: 'eth0', lladdr: p.gatewayLladdr, state: ['PERMANENT'] }]);
    }
    const again = await scan({ root: '/', intervalSeconds: 60 });
    expect(again.reportId).not.toBe(report.reportId);
    expect(again.veths.map((v) => [v.ifname, v.arpStatus, v.mac])).toEqual(report.veths.map((v) => [v.ifname, v.arpStatus, v.mac]));
  });
});

describe('scan() without the privileges to enter namespaces', () => {
  it('reports the pods as unknown with a finding per namespace, and still a valid report', async () => {
    const r = await run('runuser', ['-u', 'nobody', '--', process.execPath, '--import', 'tsx', 'agent/testutil/scanJson.ts'], { timeoutMs: 60_000, env: { PATH: process.env.PATH, HOME: '/tmp' } });
    const report = reportSchema.parse(JSON.parse(r.stdout));
    for (const p of lab.pods) {
      expect(report.veths.find((v) => v.ifname === p.hostIfname)).toMatchObject({ arpStatus: 'unknown', netns: p.netns, podIP: p.podIP, gatewayIp: null });
      expect(report.findings).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'netns-unreadable', path: `/var/run/netns/${p.netns}` })]));
    }
  }, 60_000);
});

describe('scan() with --root: host files from the directory, kernel state from the live host', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'vwt-root-'));
    await mkdir(path.join(root, 'etc/cni/net.d'), { recursive: true });
    await writeFile(path.join(root, 'etc/cni/net.d/10-aws.conflist'), JSON.stringify({ plugins: [{ type: 'aws-cni', vethPrefix: 'eni' }] }));
    await writeFile(path.join(root, 'etc/os-release'), 'PRETTY_NAME="Test Root OS"\n');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('names pods from the ipam.json under root', async () => {
    await mkdir(path.join(root, 'var/run/aws-node'), { recursive: true });
    const p = lab.pods[0];
    await writeFile(path.join(root, 'var/run/aws-node/ipam.json'), JSON.stringify({ version: 'vpc-cni-ipam/1', allocations: [{ ipv4: p.podIP, metadata: { k8sPodNamespace: 'rooted', k8sPodName: 'pod-a' } }] }));
    const r = await scan({ root, intervalSeconds: 30 });
    expect(r.os.prettyName).toBe('Test Root OS');
    expect(r.cni).toEqual({ vethPrefix: 'eni', configFile: '/etc/cni/net.d/10-aws.conflist' });
    expect(r.veths.find((v) => v.ifname === p.hostIfname)).toMatchObject({ pod: { namespace: 'rooted', name: 'pod-a' }, arpStatus: p.broken ? 'mismatch' : 'ok' });
    expect(r.veths.filter((v) => lab.pods.some((x) => x.hostIfname === v.ifname))).toHaveLength(lab.pods.length);
  });

  it('reports a malformed ipam.json as a finding and carries on', async () => {
    await writeFile(path.join(root, 'var/run/aws-node/ipam.json'), '{"allocations": [');
    const r = await scan({ root, intervalSeconds: 30 });
    expect(r.findings).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'ipam-json-malformed', path: '/var/run/aws-node/ipam.json' })]));
    expect(r.veths.filter((v) => lab.pods.some((x) => x.hostIfname === v.ifname)).map((v) => v.pod)).toEqual(lab.pods.map(() => null));
    expect(r.veths.filter((v) => v.arpStatus === 'mismatch')).toHaveLength(2);
  });
});
