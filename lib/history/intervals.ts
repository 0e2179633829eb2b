// Mismatch intervals, derived from history rather than stored a second time. An interval opens at the first
// report that shows a pod's gateway ARP entry as `mismatch` and closes at the first report that does not (or
// when the veth vanishes). One still open is ongoing; if its node has gone stale, nobody has confirmed it since
// the node's last report. Pure: events in, intervals out.
import type { NodeEvent, PodRef } from '../events/types';
import { podLabel } from './describe';
import type { ArpInterval, ArpIntervalCloseReason, ArpLane } from './types';

/** The event types the derivation reads; the store fetches only these. */
export const ARP_TIMELINE_EVENT_TYPES = ['veth.appeared', 'veth.vanished', 'arp.changed'] as const;

export interface DeriveIntervalsOptions {
  /** The node is stale now (lib/nodes/state.ts), so ongoing intervals are unconfirmed since lastReportAt. */
  stale: boolean;
  lastReportAt: string | null;
}

export function laneKey(pod: PodRef | null, ifname: string): string {
  return podLabel(pod) ?? ifname;
}

/** Does this event open a mismatch interval? */
export function opensInterval(e: NodeEvent): boolean {
  return (e.type === 'arp.changed' && e.data.to === 'mismatch') || (e.type === 'veth.appeared' && e.data.arpStatus === 'mismatch');
}

/** Does this event end an open interval of its veth? (arp.changed can only leave `mismatch` while one is open.) */
export function closesInterval(e: NodeEvent): boolean {
  return (e.type === 'arp.changed' && e.data.to !== 'mismatch') || e.type === 'veth.vanished' || e.type === 'veth.appeared';
}

function openFrom(e: NodeEvent): ArpInterval | null {
  if (e.type === 'arp.changed' && e.data.to === 'mismatch') {
    return {
      lane: laneKey(e.data.pod, e.data.ifname),
      pod: e.data.pod,
      ifname: e.data.ifname,
      from: e.at,
      to: null,
      status: 'ongoing',
      unconfirmedSince: null,
      hostMac: e.data.hostMac,
      gatewayLladdr: e.data.gatewayLladdr,
      openedByEventId: e.id,
      closedByEventId: null,
      closeReason: null,
    };
  }
  if (e.type === 'veth.appeared' && e.data.arpStatus === 'mismatch') {
    return {
      lane: laneKey(e.data.pod, e.data.ifname),
      pod: e.data.pod,
      ifname: e.data.ifname,
      from: e.at,
      to: null,
      status: 'ongoing',
      unconfirmedSince: null,
      hostMac: e.data.mac,
      gatewayLladdr: e.data.gatewayLladdr,
      openedByEventId: e.id,
      closedByEventId: null,
      closeReason: null,
    };
  }
  return null;
}

function closeReason(e: NodeEvent): ArpIntervalCloseReason {
  if (e.type === 'arp.changed') {
    if (e.data.to === 'ok') return 'arp-ok';
    if (e.data.to === 'missing') return 'arp-missing';
    return 'arp-unknown';
  }
  // veth.appeared while one is open means the old interface went away unseen (same name, new ifindex).
  return 'veth-vanished';
}

/**
 * Intervals from one node's events (any order; any other event types are ignored), sorted by the event that
 * opened them. Each veth (ifname) has at most one open interval at a time.
 */
export function deriveArpIntervals(events: readonly NodeEvent[], options: DeriveIntervalsOptions): ArpInterval[] {
  const sorted = [...events].sort((a, b) => a.id - b.id);
  const open = new Map<string, ArpInterval>();
  const done: ArpInterval[] = [];
  for (const e of sorted) {
    if (e.type !== 'arp.changed' && e.type !== 'veth.appeared' && e.type !== 'veth.vanished') continue;
    const ifname = e.data.ifname;
    const current = open.get(ifname);
    if (current && closesInterval(e)) {
      current.to = e.at;
      current.status = 'closed';
      current.closedByEventId = e.id;
      current.closeReason = closeReason(e);
      done.push(current);
      open.delete(ifname);
    }
    if (!open.has(ifname)) {
      const opened = openFrom(e);
      if (opened) open.set(ifname, opened);
    }
  }
  for (const interval of open.values()) {
    interval.unconfirmedSince = options.stale ? options.lastReportAt : null;
    done.push(interval);
  }
  return done.sort((a, b) => a.openedByEventId - b.openedByEventId);
}

/** Does [interval.from, interval.to) overlap [from, to)? Ongoing intervals extend to now. */
export function overlaps(interval: Pick<ArpInterval, 'from' | 'to'>, from: string, to: string): boolean {
  const start = Date.parse(interval.from);
  const end = interval.to === null ? Number.POSITIVE_INFINITY : Date.parse(interval.to);
  return start < Date.parse(to) && end > Date.parse(from);
}

/** The lanes some intervals use, sorted by key; each names the most recent ifname seen in it. */
export function lanesOf(intervals: readonly ArpInterval[]): ArpLane[] {
  const lanes = new Map<string, ArpLane & { last: number }>();
  for (const i of intervals) {
    const seen = lanes.get(i.lane);
    if (!seen || i.openedByEventId > seen.last) lanes.set(i.lane, { lane: i.lane, pod: i.pod, ifname: i.ifname, last: i.openedByEventId });
  }
  return [...lanes.values()].sort((a, b) => a.lane.localeCompare(b.lane)).map(({ last: _last, ...lane }) => lane);
}
