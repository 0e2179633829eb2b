// Transitions, not copies: what changed between a node's stored report and the new one, as history event drafts.
// Pure: two reports in, drafts out. A node's first report is diffed against nothing, so history replayed from
// the start rebuilds the state (those drafts carry `initial: true` where their real start time is unknown).
import type { EventDraft, LinkFileVersion } from '../events/types';
import type { HostDevice, LinkFileInfo, LinkVerdict, PackageEvent, Report, Veth } from '../report/schema';

function linkFileVersion(f: LinkFileInfo): LinkFileVersion {
  return {
    sha256: f.sha256,
    size: f.size,
    mtime: f.mtime,
    content: f.content,
    macAddressPolicy: f.macAddressPolicy,
    masked: f.masked,
    package: f.package,
    differsFromPackage: f.differsFromPackage,
  };
}

function sameVerdict(a: LinkVerdict, b: LinkVerdict): boolean {
  return (
    a.linkFile === b.linkFile &&
    a.macAddressPolicy === b.macAddressPolicy &&
    a.macAddress === b.macAddress &&
    a.udevRewritesMac === b.udevRewritesMac &&
    a.dropIns.length === b.dropIns.length &&
    a.dropIns.every((d, i) => d === b.dropIns[i])
  );
}

function sameFileVersion(a: LinkFileInfo, b: LinkFileInfo): boolean {
  return (
    a.sha256 === b.sha256 &&
    a.size === b.size &&
    Date.parse(a.mtime) === Date.parse(b.mtime) &&
    a.masked === b.masked &&
    // A package upgrade can make an untouched file start or stop matching the package's copy: drift to report.
    a.differsFromPackage === b.differsFromPackage
  );
}

/** dpkg events are deduplicated per node on (time, package, new version). */
export function packageEventKey(e: PackageEvent): string {
  return `${new Date(e.at).toISOString()}|${e.package}|${e.toVersion ?? ''}`;
}

function vethAppeared(v: Veth, initial: boolean): EventDraft {
  return {
    type: 'veth.appeared',
    subject: v.ifname,
    data: {
      ifname: v.ifname,
      ifindex: v.ifindex,
      mac: v.mac,
      addrAssignType: v.addrAssignType,
      pod: v.pod,
      podIP: v.podIP,
      netns: v.netns,
      arpStatus: v.arpStatus,
      gatewayLladdr: v.gatewayLladdr,
      initial,
      ...(v.creation ? { creation: v.creation } : {}),
    },
  };
}

function vethVanished(v: Veth): EventDraft {
  return {
    type: 'veth.vanished',
    subject: v.ifname,
    data: { ifname: v.ifname, ifindex: v.ifindex, mac: v.mac, pod: v.pod, podIP: v.podIP, arpStatus: v.arpStatus },
  };
}

/**
 * Devices keyed by interface name, between two reports: a name gone is a vanished device, a new name an appeared
 * one (initial when there was no earlier report), the same name that is not the same device (`same`) both, and the
 * same device whatever `changed` says.
 */
function diffByName<T extends { ifname: string }>(
  prev: readonly T[] | null,
  next: readonly T[],
  on: { appeared(d: T, initial: boolean): EventDraft; vanished(d: T): EventDraft; same(old: T, d: T): boolean; changed(old: T, d: T): EventDraft[] },
): EventDraft[] {
  const drafts: EventDraft[] = [];
  const before = new Map((prev ?? []).map((d) => [d.ifname, d]));
  const nextNames = new Set(next.map((d) => d.ifname));
  for (const old of before.values()) {
    if (!nextNames.has(old.ifname)) drafts.push(on.vanished(old));
  }
  for (const d of next) {
    const old = before.get(d.ifname);
    if (!old) drafts.push(on.appeared(d, prev === null));
    else if (!on.same(old, d)) drafts.push(on.vanished(old), on.appeared(d, false));
    else drafts.push(...on.changed(old, d));
  }
  return drafts;
}

function diffVeths(prev: readonly Veth[] | null, next: readonly Veth[]): EventDraft[] {
  return diffByName(prev, next, {
    appeared: vethAppeared,
    vanished: vethVanished,
    // Same name, new interface: the pod was recreated.
    same: (old, v) => old.ifindex === v.ifindex,
    changed: (old, v) => {
      const drafts: EventDraft[] = [];
      if (old.mac !== v.mac) {
        drafts.push({
          type: 'veth.mac_changed',
          subject: v.ifname,
          data: {
            ifname: v.ifname,
            ifindex: v.ifindex,
            from: old.mac,
            to: v.mac,
            fromAddrAssignType: old.addrAssignType,
            addrAssignType: v.addrAssignType,
            setByUserspace: v.addrAssignType === 3,
            pod: v.pod,
            podIP: v.podIP,
            ...(v.creation && v.creation.mac === old.mac ? { creation: v.creation } : {}),
          },
        });
      }
      if (old.arpStatus !== v.arpStatus) {
        drafts.push({
          type: 'arp.changed',
          subject: v.ifname,
          data: {
            ifname: v.ifname,
            from: old.arpStatus,
            to: v.arpStatus,
            pod: v.pod,
            podIP: v.podIP,
            hostMac: v.mac,
            gatewayLladdr: v.gatewayLladdr,
            fromGatewayLladdr: old.gatewayLladdr,
          },
        });
      }
      return drafts;
    },
  });
}

/** The device's fields as a report holds them (nothing else the object may carry). */
function hostDevice(d: HostDevice): HostDevice {
  return {
    ifname: d.ifname,
    kind: d.kind,
    role: d.role,
    mac: d.mac,
    addrAssignType: d.addrAssignType,
    udevRewritesMac: d.udevRewritesMac,
    linkFile: d.linkFile,
  };
}

/**
 * Host devices are diffed only between reports that both list them: an agent older than `hostDevices` sends none,
 * and that says nothing about the devices (absent is not empty). The first report that lists them (the node's
 * first, or the first after an agent upgrade) has them appear with `initial: true`.
 */
function diffHostDevices(prev: readonly HostDevice[] | null, next: readonly HostDevice[] | undefined): EventDraft[] {
  if (next === undefined) return [];
  return diffByName(prev, next, {
    appeared: (d, initial) => ({ type: 'hostdevice.appeared', subject: d.ifname, data: { ...hostDevice(d), initial } }),
    vanished: (d) => ({ type: 'hostdevice.vanished', subject: d.ifname, data: hostDevice(d) }),
    // Same name, another kind of device (no ifindex to tell): a new device.
    same: (old, d) => old.kind === d.kind && old.role === d.role,
    changed: (old, d) => {
      if (old.mac === d.mac) return [];
      return [
        {
          type: 'hostdevice.mac_changed',
          subject: d.ifname,
          data: {
            ifname: d.ifname,
            kind: d.kind,
            role: d.role,
            from: old.mac,
            to: d.mac,
            fromAddrAssignType: old.addrAssignType,
            addrAssignType: d.addrAssignType,
            setByUserspace: d.addrAssignType === 3,
            fromUdevRewritesMac: old.udevRewritesMac,
            udevRewritesMac: d.udevRewritesMac,
            linkFile: d.linkFile,
          },
        },
      ];
    },
  });
}

function diffLinkFiles(prev: readonly LinkFileInfo[] | null, next: readonly LinkFileInfo[]): EventDraft[] {
  const drafts: EventDraft[] = [];
  const before = new Map((prev ?? []).map((f) => [f.path, f]));
  const after = new Map(next.map((f) => [f.path, f]));
  for (const [path, old] of [...before].sort(([a], [b]) => a.localeCompare(b))) {
    if (!after.has(path)) drafts.push({ type: 'linkfile.removed', subject: path, data: { path, ...linkFileVersion(old) } });
  }
  for (const [path, f] of [...after].sort(([a], [b]) => a.localeCompare(b))) {
    const old = before.get(path);
    if (!old) {
      drafts.push({
        type: 'linkfile.appeared',
        subject: path,
        data: { path, kind: f.kind, ...linkFileVersion(f), initial: prev === null },
      });
    } else if (!sameFileVersion(old, f)) {
      drafts.push({
        type: 'linkfile.changed',
        subject: path,
        data: { path, from: linkFileVersion(old), to: linkFileVersion(f) },
      });
    }
  }
  return drafts;
}

function diffPackageEvents(prev: readonly PackageEvent[] | null, next: readonly PackageEvent[]): EventDraft[] {
  const known = new Set((prev ?? []).map(packageEventKey));
  const drafts: EventDraft[] = [];
  for (const e of next) {
    const key = packageEventKey(e);
    if (known.has(key)) continue;
    known.add(key);
    drafts.push({ type: 'package.event', subject: e.package, data: e, dedupKey: key });
  }
  return drafts;
}

export function diffReports(prev: Report | null, next: Report): EventDraft[] {
  const drafts: EventDraft[] = [];
  if (prev === null) {
    drafts.push({
      type: 'node.first_report',
      subject: null,
      data: {
        agentVersion: next.agent.version,
        intervalSeconds: next.agent.intervalSeconds,
        vethCount: next.veths.length,
        mismatchCount: next.veths.filter((v) => v.arpStatus === 'mismatch').length,
        newVeth: next.linkPolicy.newVeth,
      },
    });
  }
  const oldVerdict = prev?.linkPolicy.newVeth ?? null;
  if (!oldVerdict || !sameVerdict(oldVerdict, next.linkPolicy.newVeth)) {
    drafts.push({ type: 'policy.changed', subject: null, data: { from: oldVerdict, to: next.linkPolicy.newVeth } });
  }
  drafts.push(...diffLinkFiles(prev?.linkPolicy.files ?? null, next.linkPolicy.files));
  drafts.push(...diffVeths(prev?.veths ?? null, next.veths));
  drafts.push(...diffHostDevices(prev?.hostDevices ?? null, next.hostDevices));
  drafts.push(...diffPackageEvents(prev?.linkPolicy.packageEvents ?? null, next.linkPolicy.packageEvents));
  return drafts;
}
