// The agent against the lab wired as each CNI wires it (lab up --cni), with real udev doing the re-MACing: the
// agent must name the CNI from the lab's config file, list every static neighbour, judge each pod as udev left it,
// and predict for each CNI host device (cni0, flannel.1) what real udev then really does to its MAC.
import { afterEach, describe, expect, it } from 'vitest';
import { planFromReport } from '../../lib/remediation/plan';
import type { Report } from '../../lib/report/schema';
import { forgetPodNamespaces } from '../collect/veths';
import { scan } from '../scan';
import { sysfs } from '../testutil/hostNet';
import { AZURE_HOST_MAC, AZURE_V6_GATEWAY, CALICO_HOST_MAC, FLANNEL_REMOTE } from './cnis';
import { LAB_CNI_CONF_DIR, type LabCni, type LabState, labDown, labUp, readLabState } from './lab';
import { runLinkSetup } from './udev';

/** `keep`: run mode's way, namespaces read through their pause processes once an earlier scan kept their structure. */
async function scanLab(keep = false): Promise<Report> {
  if (!keep) forgetPodNamespaces();
  return scan({ root: '/', cniConfDir: LAB_CNI_CONF_DIR, node: 'lab-node', intervalSeconds: 15, procFastPath: keep });
}

async function up(cni: LabCni, pods: number, broken: number, modern = 0, pause = false): Promise<LabState> {
  if (await readLabState()) throw new Error('a lab is already up on this host; run host tests under the lock');
  return labUp({ cni, pods, broken, modern, pause });
}

const vethOf = (r: Report, ifname: string) => {
  const v = r.veths.find((x) => x.ifname === ifname);
  if (!v) throw new Error(`${ifname} not in the report (${r.veths.map((x) => x.ifname).join(', ')})`);
  return v;
};

afterEach(async () => {
  if (await readLabState().catch(() => null)) await labDown();
});

describe('lab --cni and the agent', () => {
  it('aws: the re-MACed pod is a mismatch, its 169.254.1.1 entry listed', async () => {
    const lab = await up('aws', 3, 1);
    const r = await scanLab();
    expect(r.cni).toMatchObject({ kind: 'aws-vpc-cni', pluginType: 'aws-cni', configFile: `${LAB_CNI_CONF_DIR}/10-aws.conflist` });
    for (const p of lab.pods) {
      const v = vethOf(r, p.hostIfname);
      expect(v.arpStatus).toBe(p.broken ? 'mismatch' : 'ok');
      expect(v.neighbours).toEqual([{ ip: '169.254.1.1', lladdr: p.gatewayLladdr, state: ['PERMANENT'], matchesHost: !p.broken }]);
      // What real udev did, the agent predicted: it rewrote exactly the aat=1 veth it was applied to.
      expect(v.udevRewritesMac).toBe(!p.broken);
    }
  }, 120_000);

  it('azure: IPv4 and IPv6 static gateways both judged; the fixed release keeps aa:aa:aa:aa:aa:aa; the plan restores the agreed MAC', async () => {
    const lab = await up('azure', 3, 1, 1, true);
    forgetPodNamespaces();
    // The second scan may read namespaces through /proc/<pid>/net/arp, which has no IPv6: the IPv6 entry must still be there.
    for (const keep of [true, true]) {
      const r = await scanLab(keep);
      expect(r.cni.kind).toBe('azure-cni');
      for (const p of lab.pods) {
        const v = vethOf(r, p.hostIfname);
        expect(v.ifname).toMatch(/^azv/);
        expect(v.arpStatus).toBe(p.broken ? 'mismatch' : 'ok');
        expect(new Set(v.neighbours?.map((n) => n.ip))).toEqual(new Set(['169.254.1.1', AZURE_V6_GATEWAY]));
        expect(v.neighbours?.every((n) => n.lladdr === p.gatewayLladdr && n.matchesHost === !p.broken)).toBe(true);
        if (p.cniStyle === 'v1.20.1') expect(v).toMatchObject({ mac: AZURE_HOST_MAC, addrAssignType: 3, udevRewritesMac: false });
      }
    }
    const broken = lab.pods.find((p) => p.broken)!;
    const plan = planFromReport(await scanLab(), '/', new Date());
    expect(plan.repairs).toEqual([expect.objectContaining({ hostIfname: broken.hostIfname, method: 'set-host-mac', to: broken.gatewayLladdr })]);
  }, 120_000);

  it('azure: a pod whose static entries disagree is explained, not repaired', async () => {
    const lab = await up('azure', 2, 1);
    const broken = lab.pods.find((p) => p.broken)!;
    // Someone pointed the IPv4 gateway at the new MAC by hand; the IPv6 one still pins the old one.
    const { run } = await import('../collect/exec');
    await run('ip', ['-n', broken.netns, 'neigh', 'replace', '169.254.1.1', 'lladdr', broken.hostMac, 'dev', 'eth0', 'nud', 'permanent']);
    const r = await scanLab();
    expect(vethOf(r, broken.hostIfname).arpStatus).toBe('mismatch');
    const plan = planFromReport(r, '/', new Date());
    expect(plan.repairs).toEqual([]);
    expect(plan.leaveAlone.find((l) => l.hostIfname === broken.hostIfname)?.reason).toMatch(/disagree/);
  }, 120_000);

  it('calico: ee:ee:ee:ee:ee:ee where it stuck, a udev MAC where it did not; no static entries, so no mismatch', async () => {
    const lab = await up('calico', 3, 1);
    const r = await scanLab();
    expect(r.cni.kind).toBe('calico');
    const broken = lab.pods.find((p) => p.broken)!;
    expect(r.findings.filter((f) => f.code === 'calico-veth-mac')).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringMatching(new RegExp(`^1 Calico host veth\\(s\\) .*\\(${broken.hostIfname}\\)`)) })]);
    for (const p of lab.pods) {
      const v = vethOf(r, p.hostIfname);
      expect(v.ifname).toMatch(/^cali/);
      expect(v.neighbours).toEqual([]);
      expect(v.arpStatus).not.toBe('mismatch');
      expect(v.addrAssignType).toBe(3);
      expect(v.udevRewritesMac).toBe(false);
      if (p.broken) expect(v.mac).not.toBe(CALICO_HOST_MAC);
      else expect(v.mac).toBe(CALICO_HOST_MAC);
    }
  }, 120_000);

  it('flannel: cni0 and flannel.1 with the FDB and neighbour entries; the agent predicts what udev then does to each device', async () => {
    const lab = await up('flannel', 2, 0);
    const r = await scanLab();
    expect(r.cni.kind).toBe('flannel');
    expect(r.overlay?.fdb).toContainEqual({ mac: FLANNEL_REMOTE.vtepMac, dst: FLANNEL_REMOTE.nodeIp, dev: 'flannel.1' });
    expect(r.overlay?.neighbours).toContainEqual({ ip: FLANNEL_REMOTE.subnet, lladdr: FLANNEL_REMOTE.vtepMac, dev: 'flannel.1', state: ['PERMANENT'] });
    expect(r.machineIdHash).toMatch(/^[0-9a-f]{64}$/);
    for (const d of lab.devices) {
      const seen = r.hostDevices?.find((h) => h.ifname === d.ifname);
      expect(seen).toMatchObject({ kind: d.kind, role: d.ifname === 'cni0' ? 'cni-bridge' : 'overlay', mac: await sysfs(d.ifname, 'address') });
      // Real udev now: the MAC changes exactly when the agent said it would.
      const applied = await runLinkSetup(d.ifname);
      expect({ ifname: d.ifname, changed: applied.after !== applied.before }).toEqual({ ifname: d.ifname, changed: seen!.udevRewritesMac });
    }
    // flannel.1 (created without a MAC, as before v0.15.1) was re-MACed: its VtepMAC is now stale.
    const after = await scanLab();
    const vtep = after.hostDevices?.find((h) => h.ifname === 'flannel.1');
    expect(vtep?.mac).not.toBe(lab.devices.find((d) => d.ifname === 'flannel.1')!.macAtCreation);
    expect(vtep).toMatchObject({ addrAssignType: 3, udevRewritesMac: false });
    for (const p of lab.pods) expect(vethOf(after, p.hostIfname).arpStatus).toBe('ok');
  }, 120_000);

  it('bridge: pods hang off cni0; a re-MACed veth has no static entry to break, the gateway entry (cni0) is not held against it', async () => {
    const lab = await up('bridge', 3, 1);
    const r = await scanLab();
    expect(r.cni).toMatchObject({ kind: 'bridge', pluginType: 'bridge', vethPrefix: 'veth' });
    expect(r.hostDevices?.map((d) => d.ifname)).toEqual(['cni0']);
    for (const p of lab.pods) {
      const v = vethOf(r, p.hostIfname);
      expect(v.gatewayIp).toBe('10.244.0.1');
      expect(v.arpStatus).toBe('ok');
      expect(v.udevRewritesMac).toBe(!p.broken);
      expect(v.mac).toBe(await sysfs(p.hostIfname, 'address'));
    }
  }, 120_000);
});
