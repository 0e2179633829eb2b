import { describe, expect, it } from 'vitest';
import { diffReports } from '../ingest/transitions';
import { buildReport, nextReport } from '../report/fixtures';
import { describeEvent } from './describe';
import { toVethEntry } from './entries';
import { storedEvent } from './testing/events';

describe('the rewrite at creation', () => {
  it('a veth the agent saw created with one MAC and rewritten by udev reads so, with the ARP consequence', () => {
    const r1 = buildReport({ node: 'n', veths: 1 });
    const r2 = nextReport(r1, 30);
    const fresh = buildReport({ node: 'n', veths: 2, mismatched: 2 }).veths[1];
    const created = fresh.gatewayLladdr!;
    fresh.addrAssignType = 3;
    fresh.creation = { mac: created, at: '2026-12-03T03:00:00.000Z', rewrittenAfterMs: 12 };
    r2.veths = [...r2.veths, fresh];
    const drafts = diffReports(r1, r2).filter((d) => d.type === 'veth.appeared');
    expect(drafts).toHaveLength(1);
    const e = storedEvent(9, 'veth.appeared', r2.collectedAt, drafts[0].data as never, fresh.ifname);
    const text = describeEvent(e);
    expect(text).toContain(`was created with MAC ${created}, rewritten to ${fresh.mac} by udev 12 ms later`);
    expect(text).toContain(`still points at the creation MAC ${created}`);
    expect(toVethEntry(e)).toMatchObject({ kind: 'appeared', macTo: fresh.mac, creation: { mac: created, rewrittenAfterMs: 12 } });
  });

  it('a veth created with the MAC it still has reads as before', () => {
    const r1 = buildReport({ node: 'n', veths: 1 });
    const r2 = nextReport(r1, 30);
    const fresh = buildReport({ node: 'n', veths: 2 }).veths[1];
    fresh.creation = { mac: fresh.mac, at: '2026-12-03T03:00:00.000Z', rewrittenAfterMs: null };
    r2.veths = [...r2.veths, fresh];
    const [d] = diffReports(r1, r2).filter((x) => x.type === 'veth.appeared');
    expect(describeEvent(storedEvent(9, 'veth.appeared', r2.collectedAt, d.data as never, fresh.ifname))).toBe(
      `${fresh.ifname} (pod ${fresh.pod!.namespace}/${fresh.pod!.name}) appeared with MAC ${fresh.mac}, gateway ARP ok`,
    );
  });

  it('when a report came between creation and rewrite, the MAC change says it was the rewrite at creation', () => {
    const r1 = buildReport({ node: 'n', veths: 1 });
    const r2 = nextReport(r1, 1);
    const v = r2.veths[0];
    const created = v.mac;
    v.creation = { mac: created, at: r2.collectedAt, rewrittenAfterMs: null };
    const r3 = nextReport(r2, 1);
    r3.veths[0].mac = '4a:58:7e:b3:25:ae';
    r3.veths[0].addrAssignType = 3;
    r3.veths[0].creation = { mac: created, at: r2.collectedAt, rewrittenAfterMs: 340 };
    const [d] = diffReports(r2, r3).filter((x) => x.type === 'veth.mac_changed');
    expect(describeEvent(storedEvent(9, 'veth.mac_changed', r3.collectedAt, d.data as never, v.ifname))).toContain(
      `: it was created with MAC ${created}, rewritten to 4a:58:7e:b3:25:ae by udev 340 ms later`,
    );
  });
});

describe('CNI host devices', () => {
  const flannel = { ifname: 'flannel.1', kind: 'vxlan', role: 'overlay' as const, linkFile: '/usr/lib/systemd/network/99-default.link' };
  const at = '2026-12-03T03:00:00.000Z';

  it("udev's re-MAC of flannel.1 names the device, both MACs and the .link file", () => {
    const e = storedEvent(1, 'hostdevice.mac_changed', at, {
      ...flannel,
      from: 'aa:bb:cc:00:00:01',
      to: 'aa:bb:cc:00:00:02',
      fromAddrAssignType: 1,
      addrAssignType: 3,
      setByUserspace: true,
      fromUdevRewritesMac: true,
      udevRewritesMac: false,
    }, 'flannel.1');
    expect(describeEvent(e)).toBe('flannel.1 (overlay, vxlan) MAC changed aa:bb:cc:00:00:01 -> aa:bb:cc:00:00:02 (set by userspace: udev re-MACed it per 99-default.link)');
  });

  it('a change userspace made where udev had no say, and one the kernel made, say only what is known', () => {
    const data = { ...flannel, from: 'aa:bb:cc:00:00:01', to: null, fromAddrAssignType: 3, addrAssignType: 3, setByUserspace: true, fromUdevRewritesMac: false, udevRewritesMac: false };
    expect(describeEvent(storedEvent(1, 'hostdevice.mac_changed', at, data, 'flannel.1'))).toBe(
      'flannel.1 (overlay, vxlan) MAC changed aa:bb:cc:00:00:01 -> unknown (set by userspace)',
    );
    expect(describeEvent(storedEvent(1, 'hostdevice.mac_changed', at, { ...data, to: 'aa:bb:cc:00:00:03', addrAssignType: 1, setByUserspace: false }, 'flannel.1'))).toBe(
      'flannel.1 (overlay, vxlan) MAC changed aa:bb:cc:00:00:01 -> aa:bb:cc:00:00:03',
    );
  });

  it('appeared (initial or not, at risk from udev or not) and vanished', () => {
    const cni0 = { ifname: 'cni0', kind: 'bridge', role: 'cni-bridge' as const, mac: '0a:58:0a:f4:00:01', addrAssignType: 1, udevRewritesMac: true, linkFile: '/etc/systemd/network/99-default.link' };
    expect(describeEvent(storedEvent(1, 'hostdevice.appeared', at, { ...cni0, initial: true }, 'cni0'))).toBe(
      'cni0 (cni-bridge, bridge) was present at the first report listing host devices with MAC 0a:58:0a:f4:00:01; udev would rewrite its MAC (99-default.link)',
    );
    expect(describeEvent(storedEvent(2, 'hostdevice.appeared', at, { ...cni0, udevRewritesMac: false, initial: false }, 'cni0'))).toBe(
      'cni0 (cni-bridge, bridge) appeared with MAC 0a:58:0a:f4:00:01',
    );
    expect(describeEvent(storedEvent(3, 'hostdevice.vanished', at, cni0, 'cni0'))).toBe('cni0 (cni-bridge, bridge) vanished (MAC 0a:58:0a:f4:00:01)');
  });
});
