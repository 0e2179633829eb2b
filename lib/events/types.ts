// History events: what changed on a node between two reports. Stored append-only (lib/store), published on the
// in-process bus after commit (lib/events/bus.ts), streamed to browsers. Client-safe: no server imports.
import type { ArpStatus, HostDevice, LinkVerdict, PackageEvent } from '../report/schema';

export const EVENT_TYPES = [
  'node.first_report',
  'veth.appeared',
  'veth.vanished',
  'veth.mac_changed',
  'arp.changed',
  'hostdevice.appeared',
  'hostdevice.vanished',
  'hostdevice.mac_changed',
  'linkfile.appeared',
  'linkfile.changed',
  'linkfile.removed',
  'policy.changed',
  'package.event',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface PodRef {
  namespace: string;
  name: string;
}

/** One version of a link file as a report saw it; content is null when the agent did not send it. */
export interface LinkFileVersion {
  sha256: string;
  size: number;
  mtime: string;
  content: string | null;
  macAddressPolicy: string | null;
  masked: boolean;
  /** The dpkg package owning the file, null when none does. Absent in events stored before it was recorded. */
  package?: { name: string; version: string | null } | null;
  /** The file differs from its package's copy (null: unowned or no md5sum). Absent in older events. */
  differsFromPackage?: boolean | null;
}

export interface EventDataMap {
  'node.first_report': {
    agentVersion: string;
    intervalSeconds: number;
    vethCount: number;
    mismatchCount: number;
    newVeth: LinkVerdict;
  };
  /** `initial` is true for the veths already present in a node's first report (their real start is unknown). */
  'veth.appeared': {
    ifname: string;
    ifindex: number;
    mac: string;
    addrAssignType: number | null;
    pod: PodRef | null;
    podIP: string | null;
    netns: string | null;
    arpStatus: ArpStatus;
    gatewayLladdr: string | null;
    initial: boolean;
    /** What the agent's link watch saw at creation (report field veths[].creation); absent when it saw nothing. */
    creation?: { mac: string; at: string; rewrittenAfterMs: number | null };
  };
  'veth.vanished': {
    ifname: string;
    ifindex: number;
    mac: string;
    pod: PodRef | null;
    podIP: string | null;
    arpStatus: ArpStatus;
  };
  /** setByUserspace: the kernel's addr_assign_type after the change is 3 (NET_ADDR_SET), as after udev's rewrite. */
  'veth.mac_changed': {
    ifname: string;
    ifindex: number;
    from: string;
    to: string;
    fromAddrAssignType: number | null;
    addrAssignType: number | null;
    setByUserspace: boolean;
    pod: PodRef | null;
    podIP: string | null;
    /** When the agent saw the veth created with `from` (a report came between creation and rewrite). */
    creation?: { mac: string; at: string; rewrittenAfterMs: number | null };
  };
  'arp.changed': {
    ifname: string;
    from: ArpStatus;
    to: ArpStatus;
    pod: PodRef | null;
    podIP: string | null;
    hostMac: string;
    gatewayLladdr: string | null;
    fromGatewayLladdr: string | null;
  };
  /**
   * A CNI host device (cni0, flannel.1, cilium_host, ...; report field hostDevices[]) as a report saw it. `initial`
   * is true for the devices in the first report that listed host devices (the node's first, or the first after its
   * agent learned to send them): their real start is unknown.
   */
  'hostdevice.appeared': HostDevice & { initial: boolean };
  /** The device as the last report that had it saw it. */
  'hostdevice.vanished': HostDevice;
  /**
   * setByUserspace: addr_assign_type is 3 (NET_ADDR_SET) after the change. fromUdevRewritesMac: udev would have
   * rewritten the MAC it had before (its `.link` file sets a MACAddressPolicy for it), so a userspace change reads
   * as udev's re-MAC.
   */
  'hostdevice.mac_changed': {
    ifname: string;
    kind: string;
    role: HostDevice['role'];
    from: string | null;
    to: string | null;
    fromAddrAssignType: number | null;
    addrAssignType: number | null;
    setByUserspace: boolean;
    fromUdevRewritesMac: boolean;
    udevRewritesMac: boolean;
    linkFile: string | null;
  };
  'linkfile.appeared': LinkFileVersion & { path: string; kind: 'link' | 'dropin'; initial: boolean };
  'linkfile.changed': { path: string; from: LinkFileVersion; to: LinkFileVersion };
  'linkfile.removed': LinkFileVersion & { path: string };
  /** The verdict for a veth the CNI would create next; `from` is null on the node's first report. */
  'policy.changed': { from: LinkVerdict | null; to: LinkVerdict };
  'package.event': PackageEvent;
}

/** An event as stored: `id` increases monotonically (SSE resumes from Last-Event-ID). */
export type NodeEvent = {
  [K in EventType]: {
    id: number;
    node: string;
    type: K;
    /** The collectedAt of the report that revealed the change (node clock). */
    at: string;
    /** When the server stored it (server clock). */
    receivedAt: string;
    reportId: string;
    /** What changed: a veth or host device ifname, a link file path, a package name; null for node-wide events. */
    subject: string | null;
    data: EventDataMap[K];
  };
}[EventType];

/** An event before it is stored: no id, node, report or receive time yet. */
export type EventDraft = {
  [K in EventType]: {
    type: K;
    subject: string | null;
    data: EventDataMap[K];
    /** Events with the same non-null key on the same node are stored once (package events). */
    dedupKey?: string;
  };
}[EventType];
