// scan() against the real kernel: a lab wired like the VPC CNI with pods broken by real udev (each pod namespace
// with a pause process, as on a node), plus pods the tests wire by hand (a CNI >= v1.20.1 veth, a pod without its
// gateway entry, a pod whose namespace only a process holds). The agent must call out exactly the broken ones,
// and say the same whether it reads a namespace with ip or through its pause process (run mode's fast path).
import { existsSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Report, reportSchema } from '../lib/report/schema';
import { run } from './collect/exec';
import { IPAM_JSON } from './collect/ipam';
import { forgetPodNamespaces, lastObserveStats } from './collect/veths';
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
  lab = await labUp({ pods: 6, broken: 2, pause: true });
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

describe('run mode: pod namespaces read through their pause processes', () => {
  const veths = (r: Report) => r.veths;
  const vethOf = (r: Report, ifname: string) => r.veths.find((v) => v.ifname === ifname)!;
  const inPod = (netns: string, ...args: string[]) => run('ip', ['-n', netns, ...args]);
  let reference: Report;

  beforeAll(async () => {
    // A new pod's IPv6 link-local address turns from tentative to final a second or two after its eth0 comes up,
    // which adds a route: a real change, read with ip once. Let that happen before counting reads.
    for (let i = 0; i < 100; i++) {
      const tentative = await Promise.all(lab.pods.map(async (p) => (await inPod(p.netns, '-j', 'addr', 'show', 'dev', 'eth0')).stdout.includes('"tentative"')));
      if (!tentative.includes(true)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    forgetPodNamespaces();
    reference = await scan({ root: '/', intervalSeconds: 60, procFastPath: false });
  });

  it('the first scan reads every namespace with ip, the next ones read the pods with a process through /proc', async () => {
    forgetPodNamespaces();
    const first = await scan({ root: '/', intervalSeconds: 60 });
    expect(lastObserveStats()).toEqual({ viaIp: lab.pods.length + 2, viaProc: 0 });
    const second = await scan({ root: '/', intervalSeconds: 60 });
    // The lab pods have pause processes; the two hand-wired named namespaces have none.
    expect(lastObserveStats()).toEqual({ viaIp: 2, viaProc: lab.pods.length });
    expect(veths(first)).toEqual(veths(reference));
    expect(veths(second)).toEqual(veths(reference));
  });

  it('reads the ARP table every scan: a changed gateway entry shows at once', async () => {
    const pod = lab.pods.find((p) => !p.broken)!;
    await scan({ root: '/', intervalSeconds: 60 });
    try {
      await inPod(pod.netns, 'neigh', 'replace', '169.254.1.1', 'lladdr', '02:00:00:00:00:01', 'dev', 'eth0', 'nud', 'permanent');
      const r = await scan({ root: '/', intervalSeconds: 60 });
      expect(lastObserveStats().viaProc).toBe(lab.pods.length);
      expect(vethOf(r, pod.hostIfname)).toMatchObject({ arpStatus: 'mismatch', gatewayLladdr: '02:00:00:00:00:01', gatewayState: ['PERMANENT'] });
    } finally {
      await inPod(pod.netns, 'neigh', 'replace', '169.254.1.1', 'lladdr', pod.gatewayLladdr, 'dev', 'eth0', 'nud', 'permanent');
    }
    expect(vethOf(await scan({ root: '/', intervalSeconds: 60 }), pod.hostIfname)).toEqual(vethOf(reference, pod.hostIfname));
  });

  it('a gateway entry that is not PERMANENT is read with ip, which names its state', async () => {
    const pod = lab.pods.find((p) => !p.broken)!;
    try {
      await inPod(pod.netns, 'neigh', 'replace', '169.254.1.1', 'lladdr', pod.gatewayLladdr, 'dev', 'eth0', 'nud', 'stale');
      const r = await scan({ root: '/', intervalSeconds: 60 });
      expect(lastObserveStats()).toEqual({ viaIp: 3, viaProc: lab.pods.length - 1 });
      expect(vethOf(r, pod.hostIfname)).toMatchObject({ arpStatus: 'ok', gatewayState: ['STALE'] });
      const viaIp = JSON.parse((await inPod(pod.netns, '-j', 'neigh', 'show', '169.254.1.1')).stdout) as Array<{ state: string[] }>;
      expect(viaIp[0].state).toEqual(['STALE']);
    } finally {
      await inPod(pod.netns, 'neigh', 'replace', '169.254.1.1', 'lladdr', pod.gatewayLladdr, 'dev', 'eth0', 'nud', 'permanent');
    }
  });

  it('a changed route or address in a pod is seen in the next scan (its namespace is read with ip again)', async () => {
    const pod = lab.pods[lab.pods.length - 1];
    await scan({ root: '/', intervalSeconds: 60 });
    try {
      await inPod(pod.netns, 'route', 'replace', 'default', 'via', '169.254.1.9', 'dev', 'eth0', 'onlink');
      // Added before the old one goes: an interface that loses its last IPv4 address loses its routes too.
      await inPod(pod.netns, 'addr', 'add', '10.245.9.9/32', 'dev', 'eth0');
      await inPod(pod.netns, 'addr', 'del', `${pod.podIP}/32`, 'dev', 'eth0');
      const r = await scan({ root: '/', intervalSeconds: 60 });
      // A pod udev broke still pins 169.254.1.1 to the old MAC: that static entry keeps it a mismatch.
      expect(lastObserveStats()).toEqual({ viaIp: 3, viaProc: lab.pods.length - 1 });
      expect(vethOf(r, pod.hostIfname)).toMatchObject({ gatewayIp: '169.254.1.9', gatewayLladdr: null, arpStatus: pod.broken ? 'mismatch' : 'missing', podIP: '10.245.9.9' });
      // Read once with ip, the namespace goes back to the fast path with its new links and routes.
      const again = await scan({ root: '/', intervalSeconds: 60 });
      expect(lastObserveStats()).toEqual({ viaIp: 2, viaProc: lab.pods.length });
      expect(vethOf(again, pod.hostIfname)).toEqual(vethOf(r, pod.hostIfname));
    } finally {
      await inPod(pod.netns, 'addr', 'replace', `${pod.podIP}/32`, 'dev', 'eth0');
      await inPod(pod.netns, 'addr', 'del', '10.245.9.9/32', 'dev', 'eth0');
      await inPod(pod.netns, 'route', 'replace', 'default', 'via', '169.254.1.1', 'dev', 'eth0');
    }
    expect(vethOf(await scan({ root: '/', intervalSeconds: 60 }), pod.hostIfname)).toEqual(vethOf(reference, pod.hostIfname));
  });

  it('a pod with IPv4 routes outside the main table (multi-NIC) is read with ip every scan: a new gateway there shows', async () => {
    const pod = lab.pods[1];
    try {
      await inPod(pod.netns, 'route', 'add', 'default', 'via', '169.254.1.1', 'dev', 'eth0', 'table', '7');
      await inPod(pod.netns, 'route', 'del', 'default', 'table', 'main');
      expect(vethOf(await scan({ root: '/', intervalSeconds: 60 }), pod.hostIfname)).toMatchObject({ gatewayIp: '169.254.1.1' });
      expect(lastObserveStats()).toEqual({ viaIp: 3, viaProc: lab.pods.length - 1 });
      await scan({ root: '/', intervalSeconds: 60 });
      expect(lastObserveStats()).toEqual({ viaIp: 3, viaProc: lab.pods.length - 1 });
      // The fingerprint does not see this (fib_trie has no gateways for other tables); reading with ip does.
      // A broken pod's static 169.254.1.1 entry still points at the old MAC, whatever its gateway now is.
      await inPod(pod.netns, 'route', 'replace', 'default', 'via', '169.254.1.3', 'dev', 'eth0', 'onlink', 'table', '7');
      expect(vethOf(await scan({ root: '/', intervalSeconds: 60 }), pod.hostIfname)).toMatchObject({ gatewayIp: '169.254.1.3', arpStatus: pod.broken ? 'mismatch' : 'missing' });
    } finally {
      await inPod(pod.netns, 'route', 'replace', 'default', 'via', '169.254.1.1', 'dev', 'eth0');
      await inPod(pod.netns, 'route', 'del', 'default', 'table', '7');
    }
    expect(vethOf(await scan({ root: '/', intervalSeconds: 60 }), pod.hostIfname)).toEqual(vethOf(reference, pod.hostIfname));
    await scan({ root: '/', intervalSeconds: 60 });
    expect(lastObserveStats()).toEqual({ viaIp: 2, viaProc: lab.pods.length });
  });

  it('a pod whose pause process is gone is read with ip', async () => {
    const pod = lab.pods[0];
    process.kill(pod.pause!.pid, 'SIGKILL');
    for (let i = 0; i < 100 && readlinkOrNull(`/proc/${pod.pause!.pid}/ns/net`) !== null; i++) await new Promise((r) => setTimeout(r, 20));
    const r = await scan({ root: '/', intervalSeconds: 60 });
    expect(lastObserveStats()).toEqual({ viaIp: 3, viaProc: lab.pods.length - 1 });
    expect(veths(r)).toEqual(veths(reference));
  });
});

function readlinkOrNull(p: string): string | null {
  try {
    return readlinkSync(p);
  } catch {
    return null;
  }
}

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
    expect(r.cni).toEqual({ vethPrefix: 'eni', configFile: '/etc/cni/net.d/10-aws.conflist', kind: 'aws-vpc-cni', version: null, pluginType: 'aws-cni' });
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
