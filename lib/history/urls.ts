// Paths of the history endpoints, for the UI and tests. Client-safe. Undefined parameters are left out.
import type { EventType } from '../events/types';
import type { HistoryQuery, SortOrder } from './types';

type Params = Record<string, string | number | undefined | null>;

function withQuery(path: string, params: Params): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

const enc = encodeURIComponent;

export const historyPaths = {
  events: (q: HistoryQuery & { node?: string; type?: readonly EventType[]; order?: SortOrder } = {}) =>
    withQuery('/api/v1/events', { ...q, type: q.type?.join(',') }),
  vethHistory: (node: string, ifname: string, q: HistoryQuery & { order?: SortOrder } = {}) =>
    withQuery(`/api/v1/nodes/${enc(node)}/veths/${enc(ifname)}/history`, { ...q }),
  arpTimeline: (node: string, q: HistoryQuery = {}) => withQuery(`/api/v1/nodes/${enc(node)}/arp-timeline`, { ...q }),
  linkFileHistory: (node: string, q: HistoryQuery & { path?: string } = {}) =>
    withQuery(`/api/v1/nodes/${enc(node)}/link-files/history`, { ...q }),
  stream: (q: { node?: string; lastEventId?: number } = {}) => withQuery('/api/v1/stream', { ...q }),
};
