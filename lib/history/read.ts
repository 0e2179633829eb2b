import 'server-only';
// The history read models: stored events, filtered to a time range and paged by id, reshaped by the pure
// derivations next to this file. Each takes the store and the clock so tests can drive them.
import type { EventType, NodeEvent } from '../events/types';
import { NotFoundError } from '../http/errors';
import { deriveNodeState } from '../nodes/state';
import type { NodeRecord, Store } from '../store';
import type { Report } from '../report/schema';
import { ATTRIBUTION_WINDOW_MS, DRIFT_EVENT_TYPES, deriveDrift, driftRemediation } from './drift';
import {
  groupByFile,
  HOST_DEVICE_HISTORY_EVENT_TYPES,
  LINK_FILE_EVENT_TYPES,
  toHistoryEvent,
  toHostDeviceEntry,
  toLinkFileEntry,
  toVethEntry,
  VETH_HISTORY_EVENT_TYPES,
} from './entries';
import { ARP_TIMELINE_EVENT_TYPES, deriveArpIntervals, lanesOf, opensInterval, overlaps } from './intervals';
import { encodeCursor, type EventsQuery, type HistoryQuery, type LinkFileQuery, type PageQuery } from './query';
import type {
  ArpTimelineResponse,
  EventsResponse,
  HostDeviceHistoryEntry,
  HostDeviceHistoryResponse,
  HostDevicesResponse,
  LinkFileHistoryResponse,
  LinkFileVersionEntry,
  VethHistoryEntry,
  VethHistoryResponse,
} from './types';

/** Rows read per query while scanning a range for interval openers. */
const SCAN_CHUNK = 1000;
/** Closing events looked up at once. */
const CLOSER_BATCH = 20;

async function requireNode(store: Store, name: string): Promise<{ node: NodeRecord; report: Report }> {
  const found = await store.getNode(name);
  if (!found) throw new NotFoundError(`no node named "${name}" has reported`);
  return found;
}

/** One more row than the page holds tells whether another page follows. */
function paged<T extends { id: number }>(rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(items[items.length - 1].id) };
}

function idBounds(after: number | null, order: 'asc' | 'desc'): { afterId?: number; beforeId?: number } {
  if (after === null) return {};
  return order === 'asc' ? { afterId: after } : { beforeId: after };
}

export async function readEvents(store: Store, q: EventsQuery): Promise<EventsResponse> {
  const rows = await store.history.listEventsPage({
    ...(q.node !== null ? { node: q.node } : {}),
    ...(q.types !== null ? { types: q.types } : {}),
    fromAt: q.range.from,
    toAt: q.range.to,
    ...idBounds(q.after, q.order),
    order: q.order,
    limit: q.limit + 1,
  });
  const { items, nextCursor } = paged(rows, q.limit);
  return { range: q.range, limit: q.limit, order: q.order, nextCursor, items: items.map(toHistoryEvent) };
}

/** One device's page of events (a veth's or a host device's), flattened by `toEntry` (null: not its kind). */
async function readSubjectHistory<T>(
  store: Store,
  node: string,
  ifname: string,
  q: HistoryQuery,
  types: readonly EventType[],
  toEntry: (e: NodeEvent) => T | null,
) {
  await requireNode(store, node);
  const rows = await store.history.listEventsPage({
    node,
    subject: ifname,
    types,
    fromAt: q.range.from,
    toAt: q.range.to,
    ...idBounds(q.after, q.order),
    order: q.order,
    limit: q.limit + 1,
  });
  const { items, nextCursor } = paged(rows, q.limit);
  return { node, ifname, range: q.range, limit: q.limit, order: q.order, nextCursor, items: items.map(toEntry).filter((e): e is T => e !== null) };
}

export function readVethHistory(store: Store, node: string, ifname: string, q: HistoryQuery): Promise<VethHistoryResponse> {
  return readSubjectHistory(store, node, ifname, q, VETH_HISTORY_EVENT_TYPES, toVethEntry);
}

export function readHostDeviceHistory(store: Store, node: string, ifname: string, q: HistoryQuery): Promise<HostDeviceHistoryResponse> {
  return readSubjectHistory(store, node, ifname, q, HOST_DEVICE_HISTORY_EVENT_TYPES, toHostDeviceEntry);
}

/** Devices looked up at once for their last MAC change. */
const DEVICE_BATCH = 16;

/** The host devices of the node's last report, each with its newest MAC change (one indexed probe per device). */
export async function readHostDevices(store: Store, name: string, now: Date = new Date()): Promise<HostDevicesResponse> {
  const { report } = await requireNode(store, name);
  const devices = report.hostDevices ?? [];
  const out: HostDevicesResponse['devices'] = [];
  for (let i = 0; i < devices.length; i += DEVICE_BATCH) {
    const batch = devices.slice(i, i + DEVICE_BATCH);
    const last = await Promise.all(
      batch.map((d) =>
        store.history.listEventsPage({ node: name, subject: d.ifname, types: ['hostdevice.mac_changed'], order: 'desc', limit: 1 }),
      ),
    );
    batch.forEach((d, j) => {
      const change = last[j][0] ? toHostDeviceEntry(last[j][0]) : null;
      const ageSeconds = change ? Math.max(0, Math.floor((now.getTime() - Date.parse(change.receivedAt)) / 1000)) : null;
      out.push({ ...d, lastMacChange: change, lastMacChangeAgeSeconds: ageSeconds });
    });
  }
  return { node: name, reported: report.hostDevices !== undefined, devices: out };
}

/**
 * Intervals overlapping the range, ordered by the event that opened them (per node, event ids follow report
 * time), paged by that event's id. Only the events that matter are read: for each veth its last event before
 * the range (an interval open when the range starts), the openers inside the range, and each interval's first
 * closing event, wherever it is.
 */
export async function readArpTimeline(store: Store, name: string, q: PageQuery, now: Date): Promise<ArpTimelineResponse> {
  const { node } = await requireNode(store, name);
  const stale =
    deriveNodeState({
      now,
      lastReportAt: node.lastReportAt,
      intervalSeconds: node.intervalSeconds,
      mismatchCount: node.mismatchCount,
      unknownArpCount: node.unknownArpCount,
      newVeth: null,
    }).state === 'stale';
  const after = q.after ?? 0;
  const want = q.limit + 1;

  const seeds = (await store.history.latestPerSubject({ node: name, types: ARP_TIMELINE_EVENT_TYPES, beforeAt: q.range.from })).filter(
    (e) => e.id > after && opensInterval(e),
  );
  const inRange: NodeEvent[] = [];
  let scanFrom = after;
  while (inRange.length < want) {
    const chunk = await store.history.listEventsPage({
      node: name,
      types: ['arp.changed', 'veth.appeared'],
      fromAt: q.range.from,
      toAt: q.range.to,
      afterId: scanFrom,
      order: 'asc',
      limit: SCAN_CHUNK,
    });
    inRange.push(...chunk.filter(opensInterval));
    if (chunk.length < SCAN_CHUNK) break;
    scanFrom = chunk[chunk.length - 1].id;
  }

  // Every in-range opener overlaps the range, so `want` of them decide whether another page follows.
  const openers = [...seeds, ...inRange.slice(0, want)];
  const openerIds = new Set(openers.map((o) => o.id));
  const closers: NodeEvent[] = [];
  for (let i = 0; i < openers.length; i += CLOSER_BATCH) {
    const batch = await Promise.all(
      openers.slice(i, i + CLOSER_BATCH).map((o) =>
        store.history.firstAfter({ node: name, subject: o.subject ?? '', types: ARP_TIMELINE_EVENT_TYPES, afterId: o.id }),
      ),
    );
    for (const c of batch) if (c) closers.push(c);
  }
  const intervals = deriveArpIntervals([...openers, ...closers], { stale, lastReportAt: node.lastReportAt })
    // A closer can open the next interval too; that one belongs to a later page.
    .filter((i) => openerIds.has(i.openedByEventId))
    .filter((i) => overlaps(i, q.range.from, q.range.to));
  const { items, nextCursor } = paged(
    intervals.map((i) => ({ ...i, id: i.openedByEventId })),
    q.limit,
  );
  const page = items.map(({ id: _id, ...i }) => i);
  return {
    node: name,
    range: q.range,
    limit: q.limit,
    nextCursor,
    now: now.toISOString(),
    lastReportAt: node.lastReportAt,
    stale,
    lanes: lanesOf(page),
    intervals: page,
  };
}

export async function readLinkFileHistory(store: Store, name: string, q: LinkFileQuery): Promise<LinkFileHistoryResponse> {
  const { report } = await requireNode(store, name);
  const rows = await store.history.listEventsPage({
    node: name,
    ...(q.path !== null ? { subject: q.path, types: LINK_FILE_EVENT_TYPES } : { types: DRIFT_EVENT_TYPES }),
    fromAt: q.range.from,
    toAt: q.range.to,
    ...(q.after !== null ? { afterId: q.after } : {}),
    order: 'asc',
    limit: q.limit + 1,
  });
  const { items, nextCursor } = paged(rows, q.limit);

  let packageEvents: NodeEvent[] = [];
  if (items.length > 0) {
    const first = Date.parse(items[0].at);
    const last = Date.parse(items[items.length - 1].at);
    // A package action is blamed on drift up to a window after it, and may be revealed by a later report.
    packageEvents = await store.history.listEventsPage({
      node: name,
      types: ['package.event'],
      fromAt: new Date(first - ATTRIBUTION_WINDOW_MS).toISOString(),
      toAt: new Date(last + ATTRIBUTION_WINDOW_MS).toISOString(),
      order: 'asc',
      limit: 5000,
    });
  }
  const owners = new Map(report.linkPolicy.files.map((f) => [f.path, f.package?.name ?? null] as const));
  // A change a vethwatch remediation made (its drop-in) is that remediation's, not drift.
  const remediations = items.length > 0 ? (await store.remediations.list({ node: name, limit: 500 })).map(driftRemediation) : [];
  const versions = items.map(toLinkFileEntry).filter((e): e is LinkFileVersionEntry => e !== null);
  return {
    node: name,
    range: q.range,
    limit: q.limit,
    nextCursor,
    files: groupByFile(versions),
    drift: deriveDrift(items, { packageEvents, owners, remediations }),
  };
}
