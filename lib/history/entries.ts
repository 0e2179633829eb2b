// Stored events reshaped for the history endpoints: one flat row per veth change, one version per link file
// change (with its diff). Pure.
import type { NodeEvent } from '../events/types';
import { describeEvent } from './describe';
import { unifiedDiff } from './diff';
import type { HistoryEvent, HostDeviceHistoryEntry, LinkFileTrack, LinkFileVersionEntry, VethHistoryEntry } from './types';

export const VETH_HISTORY_EVENT_TYPES = ['veth.appeared', 'veth.vanished', 'veth.mac_changed', 'arp.changed'] as const;
export const HOST_DEVICE_HISTORY_EVENT_TYPES = ['hostdevice.appeared', 'hostdevice.vanished', 'hostdevice.mac_changed'] as const;
export const LINK_FILE_EVENT_TYPES = ['linkfile.appeared', 'linkfile.changed', 'linkfile.removed'] as const;

export function toHistoryEvent(e: NodeEvent): HistoryEvent {
  return { ...e, summary: describeEvent(e) };
}

/** Null for events that are not about a veth. */
export function toVethEntry(e: NodeEvent): VethHistoryEntry | null {
  const base = { id: e.id, at: e.at, receivedAt: e.receivedAt, summary: describeEvent(e) };
  switch (e.type) {
    case 'veth.appeared':
      return {
        ...base,
        kind: 'appeared',
        ifname: e.data.ifname,
        ifindex: e.data.ifindex,
        macFrom: null,
        macTo: e.data.mac,
        addrAssignType: e.data.addrAssignType,
        setByUserspace: false,
        pod: e.data.pod,
        podIP: e.data.podIP,
        arpFrom: null,
        arpTo: e.data.arpStatus,
        gatewayLladdr: e.data.gatewayLladdr,
        initial: e.data.initial,
        ...(e.data.creation ? { creation: e.data.creation } : {}),
      };
    case 'veth.vanished':
      return {
        ...base,
        kind: 'vanished',
        ifname: e.data.ifname,
        ifindex: e.data.ifindex,
        macFrom: e.data.mac,
        macTo: null,
        addrAssignType: null,
        setByUserspace: false,
        pod: e.data.pod,
        podIP: e.data.podIP,
        arpFrom: e.data.arpStatus,
        arpTo: null,
        gatewayLladdr: null,
        initial: false,
      };
    case 'veth.mac_changed':
      return {
        ...base,
        kind: 'mac_changed',
        ifname: e.data.ifname,
        ifindex: e.data.ifindex,
        macFrom: e.data.from,
        macTo: e.data.to,
        addrAssignType: e.data.addrAssignType,
        setByUserspace: e.data.setByUserspace,
        pod: e.data.pod,
        podIP: e.data.podIP,
        arpFrom: null,
        arpTo: null,
        gatewayLladdr: null,
        initial: false,
      };
    case 'arp.changed':
      return {
        ...base,
        kind: 'arp_changed',
        ifname: e.data.ifname,
        ifindex: null,
        macFrom: e.data.hostMac,
        macTo: e.data.hostMac,
        addrAssignType: null,
        setByUserspace: false,
        pod: e.data.pod,
        podIP: e.data.podIP,
        arpFrom: e.data.from,
        arpTo: e.data.to,
        gatewayLladdr: e.data.gatewayLladdr,
        initial: false,
      };
    default:
      return null;
  }
}

/** Null for events that are not about a host device. */
export function toHostDeviceEntry(e: NodeEvent): HostDeviceHistoryEntry | null {
  const base = { id: e.id, at: e.at, receivedAt: e.receivedAt, summary: describeEvent(e) };
  switch (e.type) {
    case 'hostdevice.appeared':
    case 'hostdevice.vanished': {
      const d = e.data;
      const appeared = e.type === 'hostdevice.appeared';
      return {
        ...base,
        kind: appeared ? 'appeared' : 'vanished',
        ifname: d.ifname,
        deviceKind: d.kind,
        role: d.role,
        macFrom: appeared ? null : d.mac,
        macTo: appeared ? d.mac : null,
        addrAssignType: d.addrAssignType,
        setByUserspace: false,
        udevRewritesMac: d.udevRewritesMac,
        linkFile: d.linkFile,
        initial: e.type === 'hostdevice.appeared' && e.data.initial,
      };
    }
    case 'hostdevice.mac_changed':
      return {
        ...base,
        kind: 'mac_changed',
        ifname: e.data.ifname,
        deviceKind: e.data.kind,
        role: e.data.role,
        macFrom: e.data.from,
        macTo: e.data.to,
        addrAssignType: e.data.addrAssignType,
        setByUserspace: e.data.setByUserspace,
        udevRewritesMac: e.data.fromUdevRewritesMac,
        linkFile: e.data.linkFile,
        initial: false,
      };
    default:
      return null;
  }
}

/** Null for events that are not about a link file. */
export function toLinkFileEntry(e: NodeEvent): LinkFileVersionEntry | null {
  const base = { id: e.id, at: e.at, receivedAt: e.receivedAt };
  switch (e.type) {
    case 'linkfile.appeared': {
      const { path, kind: _kind, initial, ...version } = e.data;
      return { ...base, path, change: 'appeared', initial, version, previous: null, diff: null };
    }
    case 'linkfile.removed': {
      const { path, ...version } = e.data;
      return { ...base, path, change: 'removed', initial: false, version, previous: null, diff: null };
    }
    case 'linkfile.changed': {
      const { path, from, to } = e.data;
      const diff =
        from.content !== null && to.content !== null && from.content !== to.content
          ? unifiedDiff(from.content, to.content, { fromLabel: `a${path}`, toLabel: `b${path}` })
          : null;
      return { ...base, path, change: 'changed', initial: false, version: to, previous: from, diff };
    }
    default:
      return null;
  }
}

/** Entries grouped per file (sorted by path), each file's versions oldest first. */
export function groupByFile(entries: readonly LinkFileVersionEntry[]): LinkFileTrack[] {
  const byPath = new Map<string, LinkFileVersionEntry[]>();
  for (const entry of entries) {
    const list = byPath.get(entry.path) ?? [];
    list.push(entry);
    byPath.set(entry.path, list);
  }
  return [...byPath]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, versions]) => ({ path, versions: versions.sort((a, b) => a.id - b.id) }));
}
