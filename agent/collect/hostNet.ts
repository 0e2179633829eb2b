// Everything the agent needs from the host's own namespace, in one `ip -j -d -batch` run (made by the reader in
// podNetns.ts): veths with their peers' nsid/ifindex, the nsid -> name map, and the /32 routes to pod veths.
import { type IpLink, type IpRoute, IpOutputError, parseJsonStream, parseLinks, parseNetnsIds, parseRoutes } from './ipJson';

export interface HostNetwork {
  veths: IpLink[];
  /** nsid (as seen from the host) -> name under /var/run/netns, null when no mounted name matches. */
  nsids: Map<number, string | null>;
  routes: IpRoute[];
}

export const HOST_BATCH = ['link show type veth', 'netns list-id', 'route show table main scope link'];

/** Pure: the three documents `ip -j -d -batch` printed for HOST_BATCH. */
export function parseHostBatch(stdout: string): HostNetwork {
  const docs = parseJsonStream(stdout);
  if (docs.length !== HOST_BATCH.length) {
    throw new IpOutputError('host batch', `expected ${HOST_BATCH.length} JSON documents, got ${docs.length}`);
  }
  const nsids = new Map<number, string | null>();
  for (const n of parseNetnsIds(docs[1])) nsids.set(n.nsid, n.name);
  return { veths: parseLinks(docs[0]).filter((l) => l.kind === null || l.kind === 'veth'), nsids, routes: parseRoutes(docs[2]) };
}

