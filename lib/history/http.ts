import 'server-only';
// The history endpoints as request -> Response functions over a given store and clock: the Next route handlers
// are one-line wrappers around these, and tests call them with a test store. JSON by default; `?format=csv`
// answers the same page as CSV (the next page's cursor in X-Next-Cursor).
import { errorResponse } from '../http/errors';
import { podLabel } from './describe';
import { toCsv, type CsvValue } from './csv';
import { parseEventsQuery, parseHistoryQuery, parseLinkFileQuery, parseTimelineQuery } from './query';
import { readArpTimeline, readEvents, readHostDeviceHistory, readHostDevices, readLinkFileHistory, readVethHistory } from './read';
import type { ArpInterval, HistoryEvent, HostDeviceHistoryEntry, LinkFileVersionEntry, Paged, VethHistoryEntry } from './types';
import type { Store } from '../store';

type Column<Row> = { header: string; value: (row: Row) => CsvValue };

const EVENT_COLUMNS: Column<HistoryEvent>[] = [
  { header: 'id', value: (e) => e.id },
  { header: 'at', value: (e) => e.at },
  { header: 'receivedAt', value: (e) => e.receivedAt },
  { header: 'node', value: (e) => e.node },
  { header: 'type', value: (e) => e.type },
  { header: 'subject', value: (e) => e.subject },
  { header: 'summary', value: (e) => e.summary },
  { header: 'data', value: (e) => JSON.stringify(e.data) },
];

const VETH_COLUMNS: Column<VethHistoryEntry>[] = [
  { header: 'id', value: (e) => e.id },
  { header: 'at', value: (e) => e.at },
  { header: 'receivedAt', value: (e) => e.receivedAt },
  { header: 'kind', value: (e) => e.kind },
  { header: 'ifname', value: (e) => e.ifname },
  { header: 'ifindex', value: (e) => e.ifindex },
  { header: 'macFrom', value: (e) => e.macFrom },
  { header: 'macTo', value: (e) => e.macTo },
  { header: 'addrAssignType', value: (e) => e.addrAssignType },
  { header: 'setByUserspace', value: (e) => e.setByUserspace },
  { header: 'pod', value: (e) => podLabel(e.pod) },
  { header: 'podIP', value: (e) => e.podIP },
  { header: 'arpFrom', value: (e) => e.arpFrom },
  { header: 'arpTo', value: (e) => e.arpTo },
  { header: 'gatewayLladdr', value: (e) => e.gatewayLladdr },
  { header: 'initial', value: (e) => e.initial },
  { header: 'summary', value: (e) => e.summary },
];

const HOST_DEVICE_COLUMNS: Column<HostDeviceHistoryEntry>[] = [
  { header: 'id', value: (e) => e.id },
  { header: 'at', value: (e) => e.at },
  { header: 'receivedAt', value: (e) => e.receivedAt },
  { header: 'kind', value: (e) => e.kind },
  { header: 'ifname', value: (e) => e.ifname },
  { header: 'deviceKind', value: (e) => e.deviceKind },
  { header: 'role', value: (e) => e.role },
  { header: 'macFrom', value: (e) => e.macFrom },
  { header: 'macTo', value: (e) => e.macTo },
  { header: 'addrAssignType', value: (e) => e.addrAssignType },
  { header: 'setByUserspace', value: (e) => e.setByUserspace },
  { header: 'udevRewritesMac', value: (e) => e.udevRewritesMac },
  { header: 'linkFile', value: (e) => e.linkFile },
  { header: 'initial', value: (e) => e.initial },
  { header: 'summary', value: (e) => e.summary },
];

const INTERVAL_COLUMNS: Column<ArpInterval>[] = [
  { header: 'lane', value: (i) => i.lane },
  { header: 'pod', value: (i) => podLabel(i.pod) },
  { header: 'ifname', value: (i) => i.ifname },
  { header: 'from', value: (i) => i.from },
  { header: 'to', value: (i) => i.to },
  { header: 'status', value: (i) => i.status },
  { header: 'unconfirmedSince', value: (i) => i.unconfirmedSince },
  { header: 'hostMac', value: (i) => i.hostMac },
  { header: 'gatewayLladdr', value: (i) => i.gatewayLladdr },
  { header: 'closeReason', value: (i) => i.closeReason },
];

const LINK_FILE_COLUMNS: Column<LinkFileVersionEntry>[] = [
  { header: 'id', value: (v) => v.id },
  { header: 'at', value: (v) => v.at },
  { header: 'receivedAt', value: (v) => v.receivedAt },
  { header: 'path', value: (v) => v.path },
  { header: 'change', value: (v) => v.change },
  { header: 'initial', value: (v) => v.initial },
  { header: 'sha256', value: (v) => v.version.sha256 },
  { header: 'size', value: (v) => v.version.size },
  { header: 'mtime', value: (v) => v.version.mtime },
  { header: 'macAddressPolicy', value: (v) => v.version.macAddressPolicy },
  { header: 'masked', value: (v) => v.version.masked },
  { header: 'package', value: (v) => (v.version.package ? `${v.version.package.name} ${v.version.package.version ?? ''}`.trim() : null) },
  { header: 'differsFromPackage', value: (v) => v.version.differsFromPackage ?? null },
  { header: 'previousSha256', value: (v) => v.previous?.sha256 ?? null },
  { header: 'previousMtime', value: (v) => v.previous?.mtime ?? null },
  { header: 'diff', value: (v) => v.diff },
];

const NO_STORE = { 'cache-control': 'no-store' };

/** A filename safe in a Content-Disposition header: letters, digits, dot, dash, underscore. */
function fileName(parts: string[]): string {
  return `${parts.join('-').replace(/[^A-Za-z0-9._-]+/g, '_')}.csv`;
}

function csvResponse<Row>(columns: Column<Row>[], rows: Row[], page: Paged, name: string[]): Response {
  const headers: Record<string, string> = {
    ...NO_STORE,
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${fileName([...name, page.range.from, page.range.to])}"`,
  };
  if (page.nextCursor) headers['x-next-cursor'] = page.nextCursor;
  return new Response(toCsv(columns, rows), { status: 200, headers });
}

async function eventsResponseUnsafe(store: Store, url: URL, now: Date = new Date()): Promise<Response> {
  const q = parseEventsQuery(url, now);
  const body = await readEvents(store, q);
  if (q.format === 'csv') return csvResponse(EVENT_COLUMNS, body.items, body, ['vethwatch-events', ...(q.node ? [q.node] : [])]);
  return Response.json(body, { headers: NO_STORE });
}

async function vethHistoryResponseUnsafe(store: Store, node: string, ifname: string, url: URL, now: Date = new Date()): Promise<Response> {
  const q = parseHistoryQuery(url, now);
  const body = await readVethHistory(store, node, ifname, q);
  if (q.format === 'csv') return csvResponse(VETH_COLUMNS, body.items, body, ['vethwatch-veth', node, ifname]);
  return Response.json(body, { headers: NO_STORE });
}

async function hostDeviceHistoryResponseUnsafe(store: Store, node: string, ifname: string, url: URL, now: Date = new Date()): Promise<Response> {
  const q = parseHistoryQuery(url, now);
  const body = await readHostDeviceHistory(store, node, ifname, q);
  if (q.format === 'csv') return csvResponse(HOST_DEVICE_COLUMNS, body.items, body, ['vethwatch-host-device', node, ifname]);
  return Response.json(body, { headers: NO_STORE });
}

async function hostDevicesResponseUnsafe(store: Store, node: string, now: Date = new Date()): Promise<Response> {
  return Response.json(await readHostDevices(store, node, now), { headers: NO_STORE });
}

async function arpTimelineResponseUnsafe(store: Store, node: string, url: URL, now: Date = new Date()): Promise<Response> {
  const q = parseTimelineQuery(url, now);
  const body = await readArpTimeline(store, node, q, now);
  if (q.format === 'csv') return csvResponse(INTERVAL_COLUMNS, body.intervals, body, ['vethwatch-arp-timeline', node]);
  return Response.json(body, { headers: NO_STORE });
}

async function linkFileHistoryResponseUnsafe(store: Store, node: string, url: URL, now: Date = new Date()): Promise<Response> {
  const q = parseLinkFileQuery(url, now);
  const body = await readLinkFileHistory(store, node, q);
  if (q.format === 'csv') {
    const versions = body.files.flatMap((f) => f.versions).sort((a, b) => a.id - b.id);
    return csvResponse(LINK_FILE_COLUMNS, versions, body, ['vethwatch-link-files', node]);
  }
  return Response.json(body, { headers: NO_STORE });
}

/** Any failure (bad parameters 422, unknown node 404, else 500) becomes its response through lib/http/errors. */
function answering<A extends unknown[]>(fn: (...args: A) => Promise<Response>): (...args: A) => Promise<Response> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

export const eventsResponse = answering(eventsResponseUnsafe);
export const vethHistoryResponse = answering(vethHistoryResponseUnsafe);
export const hostDeviceHistoryResponse = answering(hostDeviceHistoryResponseUnsafe);
export const hostDevicesResponse = answering(hostDevicesResponseUnsafe);
export const arpTimelineResponse = answering(arpTimelineResponseUnsafe);
export const linkFileHistoryResponse = answering(linkFileHistoryResponseUnsafe);
