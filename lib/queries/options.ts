// queryOptions factories shared by server prefetch and client hooks. Both sides use the same key and options;
// only the loader differs: the browser fetches the JSON API, a server component passes a loader that reads the
// store directly (lib/nodes/read) so the server never makes an HTTP request to itself.
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { ArpTimelineResponse, HostDeviceHistoryResponse, HostDevicesResponse, LinkFileHistoryResponse } from '../history/types';
import type { FleetSearch } from '../nodes/searchTypes';
import type { FleetView, NodeDetail } from '../nodes/types';
import {
  fetchArpTimeline,
  fetchFleet,
  fetchFleetSearch,
  fetchHostDeviceHistory,
  fetchHostDevices,
  fetchLinkFileHistory,
  fetchNode,
  fetchVethHistory,
} from './fetchers';
import { historyKeys, nodeKeys } from './keys';

/** How often an open page asks again. A report arrives every agent interval; stale marking needs a fresh look. */
export const REFRESH_MS = 10_000;

export type FleetLoader = (signal: AbortSignal) => Promise<FleetView>;
export type NodeLoader = (name: string, signal: AbortSignal) => Promise<NodeDetail>;

export function fleetQuery(load: FleetLoader = fetchFleet) {
  return queryOptions({
    queryKey: nodeKeys.fleet(),
    queryFn: ({ signal }) => load(signal),
    refetchInterval: REFRESH_MS,
  });
}

export type FleetSearchLoader = (q: string, signal: AbortSignal) => Promise<FleetSearch>;

/** Fleet search (pods, IPs, veths, MACs, node names); q must pass isSearchTerm (lib/nodes/searchTypes). */
export function fleetSearchQuery(q: string, load: FleetSearchLoader = fetchFleetSearch) {
  return queryOptions({
    queryKey: nodeKeys.search(q),
    queryFn: ({ signal }) => load(q, signal),
    refetchInterval: REFRESH_MS,
    // Typing keeps the last answer on screen until the next one arrives.
    placeholderData: keepPreviousData,
  });
}

/** The loader must throw NodeNotFoundError (lib/queries/errors) for a node that never reported. */
export function nodeQuery(name: string, load: NodeLoader = fetchNode) {
  return queryOptions({
    queryKey: nodeKeys.detail(name),
    queryFn: ({ signal }) => load(name, signal),
    refetchInterval: REFRESH_MS,
  });
}

/** The zoom levels of a timeline, as they appear in the URL (?range=24h). */
export const TIMELINE_RANGES = { '1h': 3600, '24h': 86400, '7d': 7 * 86400, '30d': 30 * 86400 } as const;
export type TimelineRange = keyof typeof TIMELINE_RANGES;
export const DEFAULT_TIMELINE_RANGE: TimelineRange = '24h';

export function isTimelineRange(s: unknown): s is TimelineRange {
  return typeof s === 'string' && Object.hasOwn(TIMELINE_RANGES, s);
}

/** The window a range names, ending now (each fetch recomputes it, so a refetch moves the window along). */
export function timelineWindow(range: TimelineRange, now = Date.now()): { from: string; to: string } {
  return { from: new Date(now - TIMELINE_RANGES[range] * 1000).toISOString(), to: new Date(now + 1000).toISOString() };
}

export type ArpTimelineLoader = (name: string, window: { from: string; to: string }, signal: AbortSignal) => Promise<ArpTimelineResponse>;
export type LinkFileHistoryLoader = (name: string, signal: AbortSignal) => Promise<LinkFileHistoryResponse>;

/** The browser fetches the API; the node page's server component passes a loader that reads the store. */
export function arpTimelineQuery(name: string, range: TimelineRange, load: ArpTimelineLoader = fetchArpTimeline) {
  return queryOptions({
    queryKey: historyKeys.arpTimeline(name, range),
    queryFn: ({ signal }) => load(name, timelineWindow(range), signal),
    refetchInterval: REFRESH_MS,
    // Zooming keeps the old intervals on screen until the new window arrives, instead of flashing empty.
    placeholderData: keepPreviousData,
  });
}

export function vethHistoryQuery(name: string, ifname: string) {
  return queryOptions({
    queryKey: historyKeys.veth(name, ifname),
    queryFn: ({ signal }) => fetchVethHistory(name, ifname, signal),
  });
}

export function linkFileHistoryQuery(name: string, load: LinkFileHistoryLoader = fetchLinkFileHistory) {
  return queryOptions({
    queryKey: historyKeys.linkFiles(name),
    queryFn: ({ signal }) => load(name, signal),
    refetchInterval: REFRESH_MS,
  });
}

export type HostDevicesLoader = (name: string, signal: AbortSignal) => Promise<HostDevicesResponse>;
export type HostDeviceHistoryLoader = (name: string, ifname: string, signal: AbortSignal) => Promise<HostDeviceHistoryResponse>;

/** The node's CNI host devices with their last MAC change; the node page's server component prefetches it. */
export function hostDevicesQuery(name: string, load: HostDevicesLoader = fetchHostDevices) {
  return queryOptions({
    queryKey: historyKeys.hostDevices(name),
    queryFn: ({ signal }) => load(name, signal),
    refetchInterval: REFRESH_MS,
  });
}

/** One host device's history, as vethHistoryQuery; the server prefetches the devices the URL opens (?hostdev=). */
export function hostDeviceHistoryQuery(name: string, ifname: string, load: HostDeviceHistoryLoader = fetchHostDeviceHistory) {
  return queryOptions({
    queryKey: historyKeys.hostDevice(name, ifname),
    queryFn: ({ signal }) => load(name, ifname, signal),
  });
}
