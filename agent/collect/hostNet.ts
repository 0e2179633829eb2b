// Everything the agent needs from the host's own namespace, in one `ip -j -d -batch` run (made by the reader in
// podNetns.ts): every link (veths with their peers' nsid/ifindex, and the CNI's own bridges, overlay and gateway
// devices), the nsid -> name map, the /32 routes to pod veths, and the neighbour table (overlay entries).
import { type IpLink, type IpNeigh, type IpRoute, IpOutputError, parseJsonStream, parseLinks, parseNeighbours, parseNetnsIds, parseRoutes } from './ipJson';

export interface HostNetwork {
  veths: IpLink[];
  /** Every link in the host namespace, veths included. */
  links: IpLink[];
  /** nsid (as seen from the host) -> name under /var/run/netns, null when no mounted name matches. */
  nsids: Map<number, string | null>;
  routes: IpRoute[];
  neighbours: IpNeigh[];
}

export const HOST_BATCH = ['link show', 'netns list-id', 'route show table main scope link', 'neigh show'];

/** Pure: the documents `ip -j -d -batch` printed for HOST_BATCH. */
export function parseHostBatch(stdout: string): HostNetwork {
  const docs = parseJsonStream(stdout);
  if (docs.length !== HOST_BATCH.length) {
    throw new IpOutputError('host batch', `expected ${HOST_BATCH.length} JSON documents, got ${docs.length}`);
  }
  const nsids = new Map<number, string | null>();
  for (const n of parseNetnsIds(docs[1])) nsids.set(n.nsid, n.name);
  const links = parseLinks(docs[0]);
  // With -d every link carries its kind; a veth says "veth".
  return { veths: links.filter((l) => l.kind === 'veth'), links, nsids, routes: parseRoutes(docs[2]), neighbours: parseNeighbours(docs[3]) };
}
