// Browser-side loaders for the read API. The server never calls these: it prefetches with lib/nodes/read
// directly instead of making an HTTP request to itself.
import type { ArpTimelineResponse, HostDeviceHistoryResponse, HostDevicesResponse, LinkFileHistoryResponse, VethHistoryResponse } from '../history/types';
import type { FleetSearch } from '../nodes/searchTypes';
import type { FleetView, NodeDetail } from '../nodes/types';
import { ApiError, NodeNotFoundError } from './errors';
import { getJson, withQuery } from './http';

export function fetchFleet(signal?: AbortSignal): Promise<FleetView> {
  return getJson<FleetView>('/api/v1/nodes', signal);
}

export function fetchFleetSearch(q: string, signal?: AbortSignal): Promise<FleetSearch> {
  return getJson<FleetSearch>(withQuery('/api/v1/nodes', { q }), signal);
}

export async function fetchNode(name: string, signal?: AbortSignal): Promise<NodeDetail> {
  try {
    return await getJson<NodeDetail>(nodeApiPath(name), signal);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) throw new NodeNotFoundError(name);
    throw err;
  }
}

/** The API path of one node; its history, veths and remediations live under it. */
export const nodeApiPath = (name: string) => `/api/v1/nodes/${encodeURIComponent(name)}`;

export function arpTimelineUrl(name: string, range: TimeRangeParams, format?: 'csv' | 'json'): string {
  return withQuery(`${nodeApiPath(name)}/arp-timeline`, { from: range.from, to: range.to, limit: '1000', format });
}

export function vethHistoryUrl(name: string, ifname: string, format?: 'csv' | 'json'): string {
  return withQuery(`${nodeApiPath(name)}/veths/${encodeURIComponent(ifname)}/history`, {
    // A veth's whole life, not the default 24 h: a MAC change last week still explains today's mismatch.
    from: new Date(0).toISOString(),
    order: 'desc',
    limit: '200',
    format,
  });
}

export function hostDevicesUrl(name: string): string {
  return `${nodeApiPath(name)}/host-devices`;
}

export function hostDeviceHistoryUrl(name: string, ifname: string, format?: 'csv' | 'json'): string {
  return withQuery(`${hostDevicesUrl(name)}/${encodeURIComponent(ifname)}/history`, {
    // The device's whole life, as for veths: a re-MAC last week still explains a broken overlay today.
    from: new Date(0).toISOString(),
    order: 'desc',
    limit: '200',
    format,
  });
}

export function linkFileHistoryUrl(name: string, format?: 'csv' | 'json'): string {
  return withQuery(`${nodeApiPath(name)}/link-files/history`, { from: new Date(0).toISOString(), limit: '1000', format });
}

export interface TimeRangeParams {
  from: string;
  to?: string;
}

export function fetchArpTimeline(name: string, range: TimeRangeParams, signal?: AbortSignal): Promise<ArpTimelineResponse> {
  return getJson<ArpTimelineResponse>(arpTimelineUrl(name, range), signal);
}

export function fetchVethHistory(name: string, ifname: string, signal?: AbortSignal): Promise<VethHistoryResponse> {
  return getJson<VethHistoryResponse>(vethHistoryUrl(name, ifname), signal);
}

export function fetchHostDevices(name: string, signal?: AbortSignal): Promise<HostDevicesResponse> {
  return getJson<HostDevicesResponse>(hostDevicesUrl(name), signal);
}

export function fetchHostDeviceHistory(name: string, ifname: string, signal?: AbortSignal): Promise<HostDeviceHistoryResponse> {
  return getJson<HostDeviceHistoryResponse>(hostDeviceHistoryUrl(name, ifname), signal);
}

export function fetchLinkFileHistory(name: string, signal?: AbortSignal): Promise<LinkFileHistoryResponse> {
  return getJson<LinkFileHistoryResponse>(linkFileHistoryUrl(name), signal);
}
