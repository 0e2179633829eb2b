// The diff between two reports, pure: which events each kind of change produces, and that nothing else does.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EventDraft } from '@/lib/events/types';
import {
  buildLinkFiles,
  buildNewVethVerdict,
  buildReport,
  buildVeth,
  DEFAULT_LINK_PATH,
  MAC_NONE_DROPIN_PATH,
  nextReport,
  UDEV_INSTALL_EVENT,
} from '@/lib/report/fixtures';
import type { HostDevice, PackageEvent, Report } from '@/lib/report/schema';
import { diffReports, packageEventKey } from './transitions';

const of = <T extends EventDraft['type']>(drafts: EventDraft[], type: T) =>
  drafts.filter((d): d is Extract<EventDraft, { type: T }> => d.type === type);

describe('diffReports', () => {
  const base = buildReport({ node: 'n1', veths: 3, policy: 'persistent' });

  it('a first report yields the node baseline: first_report, policy, every file, veth and package event', () => {
    const drafts = diffReports(null, base);
    expect(drafts[0]).toMatchObject({
      type: 'node.first_report',
      data: { vethCount: 3, mismatchCount: 0, intervalSeconds: 30, newVeth: base.linkPolicy.newVeth },
    });
    expect(of(drafts, 'policy.changed')).toEqual([
      { type: 'policy.changed', subject: null, data: { from: null, to: base.linkPolicy.newVeth } },
    ]);
    expect(of(drafts, 'linkfile.appeared').map((d) => [d.subject, d.data.initial])).toEqual([[DEFAULT_LINK_PATH, true]]);
    expect(of(drafts, 'veth.appeared').map((d) => d.subject)).toEqual(base.veths.map((v) => v.ifname));
    expect(of(drafts, 'veth.appeared').every((d) => d.data.initial)).toBe(true);
    expect(of(drafts, 'package.event')).toEqual([
      { type: 'package.event', subject: 'udev', data: UDEV_INSTALL_EVENT, dedupKey: packageEventKey(UDEV_INSTALL_EVENT) },
    ]);
  });

  it('the same state again yields nothing, whatever the order of veths and files', () => {
    const again = nextReport(base);
    again.veths.reverse();
    again.linkPolicy.files.reverse();
    expect(diffReports(base, again)).toEqual([]);
  });

  it('a MAC rewrite by udev: mac_changed (with addr_assign_type 3) and arp ok -> mismatch', () => {
    const next = nextReport(base);
    next.veths[1] = buildVeth({ node: 'n1', index: 1, mismatch: true });
    const drafts = diffReports(base, next);
    const old = base.veths[1];
    const now = next.veths[1];
    expect(drafts).toEqual([
      {
        type: 'veth.mac_changed',
        subject: old.ifname,
        data: {
          ifname: old.ifname,
          ifindex: old.ifindex,
          from: old.mac,
          to: now.mac,
          fromAddrAssignType: 1,
          addrAssignType: 3,
          setByUserspace: true,
          pod: old.pod,
          podIP: old.podIP,
        },
      },
      {
        type: 'arp.changed',
        subject: old.ifname,
        data: {
          ifname: old.ifname,
          from: 'ok',
          to: 'mismatch',
          pod: old.pod,
          podIP: old.podIP,
          hostMac: now.mac,
          gatewayLladdr: old.mac,
          fromGatewayLladdr: old.mac,
        },
      },
    ]);
  });

  it('a MAC change the kernel does not attribute to userspace says so', () => {
    const next = nextReport(base);
    next.veths[0] = { ...next.veths[0], mac: '02:00:00:00:00:01', addrAssignType: 1 };
    const [changed] = of(diffReports(base, next), 'veth.mac_changed');
    expect(changed.data.setByUserspace).toBe(false);
  });

  it('veths that vanish and appear; a recreated veth (same name, new ifindex) is both', () => {
    const next = nextReport(base);
    const gone = next.veths.splice(0, 1)[0];
    const added = buildVeth({ node: 'n1', index: 7 });
    next.veths.push(added);
    next.veths[0] = { ...next.veths[0], ifindex: 500 };
    const drafts = diffReports(base, next);
    expect(drafts.map((d) => [d.type, d.subject])).toEqual([
      ['veth.vanished', gone.ifname],
      ['veth.vanished', base.veths[1].ifname],
      ['veth.appeared', base.veths[1].ifname],
      ['veth.appeared', added.ifname],
    ]);
    expect(of(drafts, 'veth.appeared').every((d) => d.data.initial === false)).toBe(true);
    expect(of(drafts, 'veth.vanished')[0].data).toEqual({
      ifname: gone.ifname,
      ifindex: gone.ifindex,
      mac: gone.mac,
      pod: gone.pod,
      podIP: gone.podIP,
      arpStatus: 'ok',
    });
  });

  it('arp mismatch -> ok after remediation, with both gateway MACs', () => {
    const broken = buildReport({ node: 'n1', veths: 2, mismatched: 1 });
    const fixed = nextReport(broken);
    fixed.veths[0] = { ...fixed.veths[0], gatewayLladdr: fixed.veths[0].mac, arpStatus: 'ok' };
    expect(diffReports(broken, fixed)).toEqual([
      {
        type: 'arp.changed',
        subject: broken.veths[0].ifname,
        data: {
          ifname: broken.veths[0].ifname,
          from: 'mismatch',
          to: 'ok',
          pod: broken.veths[0].pod,
          podIP: broken.veths[0].podIP,
          hostMac: broken.veths[0].mac,
          gatewayLladdr: broken.veths[0].mac,
          fromGatewayLladdr: broken.veths[0].gatewayLladdr,
        },
      },
    ]);
  });

  it('a drop-in appearing changes the policy for new veths', () => {
    const next = nextReport(base);
    next.linkPolicy.files = buildLinkFiles('none');
    next.linkPolicy.newVeth = buildNewVethVerdict('none');
    const drafts = diffReports(base, next);
    expect(drafts.map((d) => [d.type, d.subject])).toEqual([
      ['policy.changed', null],
      ['linkfile.appeared', MAC_NONE_DROPIN_PATH],
    ]);
    expect(of(drafts, 'policy.changed')[0].data).toEqual({ from: base.linkPolicy.newVeth, to: next.linkPolicy.newVeth });
    expect(of(drafts, 'linkfile.appeared')[0].data).toMatchObject({ kind: 'dropin', initial: false, macAddressPolicy: 'none' });

    const removed = nextReport(next);
    removed.linkPolicy.files = buildLinkFiles('persistent');
    removed.linkPolicy.newVeth = buildNewVethVerdict('persistent');
    const back = diffReports(next, removed);
    expect(back.map((d) => [d.type, d.subject])).toEqual([
      ['policy.changed', null],
      ['linkfile.removed', MAC_NONE_DROPIN_PATH],
    ]);
    expect(of(back, 'linkfile.removed')[0].data.content).toBe(next.linkPolicy.files[1].content);
  });

  it('a link file rewritten by a package upgrade: hash, size, mtime and both contents', () => {
    const edited = buildReport({ node: 'n1', veths: 1 });
    const file = edited.linkPolicy.files[0];
    const content = file.content!.replace('MACAddressPolicy=persistent', 'MACAddressPolicy=none');
    edited.linkPolicy.files[0] = {
      ...file,
      content,
      size: Buffer.byteLength(content),
      sha256: createHash('sha256').update(content).digest('hex'),
      mtime: '2026-02-01T10:00:00.000Z',
      macAddressPolicy: 'none',
      differsFromPackage: true,
    };
    const upgraded = nextReport(edited);
    upgraded.linkPolicy.files[0] = { ...file };
    const [changed] = diffReports(edited, upgraded);
    expect(changed).toEqual({
      type: 'linkfile.changed',
      subject: DEFAULT_LINK_PATH,
      data: {
        path: DEFAULT_LINK_PATH,
        from: {
          sha256: edited.linkPolicy.files[0].sha256,
          size: edited.linkPolicy.files[0].size,
          mtime: '2026-02-01T10:00:00.000Z',
          content,
          macAddressPolicy: 'none',
          masked: false,
          package: file.package,
          differsFromPackage: true,
        },
        to: {
          sha256: file.sha256,
          size: file.size,
          mtime: file.mtime,
          content: file.content,
          macAddressPolicy: 'persistent',
          masked: false,
          package: file.package,
          differsFromPackage: false,
        },
      },
    });
  });

  it('an mtime alone changing is a change; the same instant written with an offset is not', () => {
    const touched = nextReport(base);
    touched.linkPolicy.files[0] = { ...touched.linkPolicy.files[0], mtime: '2026-03-01T00:00:00.000Z' };
    expect(diffReports(base, touched).map((d) => d.type)).toEqual(['linkfile.changed']);
    const sameInstant = nextReport(base);
    sameInstant.linkPolicy.files[0] = { ...sameInstant.linkPolicy.files[0], mtime: '2025-06-26T19:01:45.000+02:00' };
    expect(diffReports(base, sameInstant)).toEqual([]);
  });

  it('only package events not seen in the previous report, each once', () => {
    const upgrade: PackageEvent = {
      at: '2026-11-26T13:34:56.000Z',
      action: 'upgrade',
      package: 'udev',
      arch: 'amd64',
      fromVersion: '252.39-1~deb12u2',
      toVersion: '252.40-1~deb12u1',
      source: 'dpkg.log',
    };
    const next: Report = nextReport(base);
    next.linkPolicy.packageEvents = [UDEV_INSTALL_EVENT, upgrade, { ...upgrade }];
    expect(diffReports(base, next)).toEqual([
      { type: 'package.event', subject: 'udev', data: upgrade, dedupKey: '2026-11-26T13:34:56.000Z|udev|252.40-1~deb12u1' },
    ]);
  });
});

describe('diffReports: CNI host devices', () => {
  const cni0: HostDevice = { ifname: 'cni0', kind: 'bridge', role: 'cni-bridge', mac: '0a:58:0a:f4:00:01', addrAssignType: 1, udevRewritesMac: true, linkFile: DEFAULT_LINK_PATH };
  const flannel: HostDevice = { ifname: 'flannel.1', kind: 'vxlan', role: 'overlay', mac: 'aa:bb:cc:00:00:01', addrAssignType: 1, udevRewritesMac: true, linkFile: DEFAULT_LINK_PATH };
  const base = buildReport({ node: 'n1', veths: 1, hostDevices: [cni0, flannel] });
  const hostEvents = (drafts: EventDraft[]) => drafts.filter((d) => d.type.startsWith('hostdevice.'));
  const withDevices = (r: Report, hostDevices: HostDevice[] | undefined): Report => {
    const next = nextReport(r);
    if (hostDevices === undefined) delete next.hostDevices;
    else next.hostDevices = hostDevices;
    return next;
  };

  it("a node's first report has every device appear, initial", () => {
    expect(of(diffReports(null, base), 'hostdevice.appeared')).toEqual([
      { type: 'hostdevice.appeared', subject: 'cni0', data: { ...cni0, initial: true } },
      { type: 'hostdevice.appeared', subject: 'flannel.1', data: { ...flannel, initial: true } },
    ]);
  });

  it('the same devices again, in another order, yield nothing', () => {
    expect(diffReports(base, withDevices(base, [flannel, cni0]))).toEqual([]);
  });

  it('a report without hostDevices (an agent older than them) yields no host device events, before or after', () => {
    const old = withDevices(base, undefined);
    expect(hostEvents(diffReports(base, old))).toEqual([]);
    expect(hostEvents(diffReports(null, old))).toEqual([]);
    // Nor does an old agent's report before a new one read as every device vanishing: they appear, start unknown.
    expect(hostEvents(diffReports(old, base)).map((d) => [d.type, d.subject, (d.data as { initial: boolean }).initial])).toEqual([
      ['hostdevice.appeared', 'cni0', true],
      ['hostdevice.appeared', 'flannel.1', true],
    ]);
  });

  it('an empty list is a real answer: every device vanished', () => {
    expect(diffReports(base, withDevices(base, []))).toEqual([
      { type: 'hostdevice.vanished', subject: 'cni0', data: cni0 },
      { type: 'hostdevice.vanished', subject: 'flannel.1', data: flannel },
    ]);
  });

  it('a device that appears later is not initial; one of another kind under the same name is a new device', () => {
    const health: HostDevice = { ifname: 'lxc_health', kind: 'veth', role: 'health', mac: '02:00:00:00:00:09', addrAssignType: 3, udevRewritesMac: false, linkFile: null };
    expect(diffReports(base, withDevices(base, [cni0, flannel, health]))).toEqual([
      { type: 'hostdevice.appeared', subject: 'lxc_health', data: { ...health, initial: false } },
    ]);
    const geneve = { ...flannel, kind: 'geneve' };
    expect(diffReports(base, withDevices(base, [cni0, geneve]))).toEqual([
      { type: 'hostdevice.vanished', subject: 'flannel.1', data: flannel },
      { type: 'hostdevice.appeared', subject: 'flannel.1', data: { ...geneve, initial: false } },
    ]);
  });

  it("udev re-MACing flannel.1: mac_changed with both MACs, addr_assign_type and udev's part", () => {
    const rewritten: HostDevice = { ...flannel, mac: 'aa:bb:cc:00:00:02', addrAssignType: 3, udevRewritesMac: false };
    expect(diffReports(base, withDevices(base, [cni0, rewritten]))).toEqual([
      {
        type: 'hostdevice.mac_changed',
        subject: 'flannel.1',
        data: {
          ifname: 'flannel.1',
          kind: 'vxlan',
          role: 'overlay',
          from: 'aa:bb:cc:00:00:01',
          to: 'aa:bb:cc:00:00:02',
          fromAddrAssignType: 1,
          addrAssignType: 3,
          setByUserspace: true,
          fromUdevRewritesMac: true,
          udevRewritesMac: false,
          linkFile: DEFAULT_LINK_PATH,
        },
      },
    ]);
  });

  it('a change of udev verdict or link file alone, MAC unchanged, is no MAC history', () => {
    expect(hostEvents(diffReports(base, withDevices(base, [{ ...cni0, udevRewritesMac: false, linkFile: null }, flannel])))).toEqual([]);
  });
});
