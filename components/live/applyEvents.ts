// Writes streamed events into the TanStack Query cache. Surgical: the rows an event describes are patched at
// once (a veth's MAC, its ARP status), then only the queries of the nodes that changed are refetched, and only
// if something on screen shows them. The fleet is patched row by row from each changed node's detail, unless so
// many nodes changed at once that one fleet request is cheaper. Every key and fetch comes from the queryOptions
// factories the pages use (lib/queries/options), so a live update lands exactly where the page reads.
import type { QueryClient } from '@tanstack/react-query';
import type { HistoryEvent } from '../../lib/history/types';
import type { FleetView, NodeDetail, NodeState, NodeSummary } from '../../lib/nodes/types';
import { NODE_STATES } from '../../lib/nodes/types';
import { historyKeys } from '../../lib/queries/keys';
import { fleetQuery, nodeQuery, type NodeLoader } from '../../lib/queries/options';

/** More changed nodes than this in one batch: refetch the fleet once instead of one detail per node. */
export const FLEET_PATCH_LIMIT = 20;

/** Applies what the events themselves say to a cached node detail (without waiting for the refetch). */
export function patchNodeDetail(node: NodeDetail, events: readonly HistoryEvent[]): NodeDetail {
  let veths = node.veths;
  for (const e of events) {
    if (e.type === 'veth.mac_changed') {
      veths = veths.map((v) =>
        v.ifname === e.data.ifname ? { ...v, mac: e.data.to, addrAssignType: e.data.addrAssignType } : v,
      );
    } else if (e.type === 'arp.changed') {
      veths = veths.map((v) =>
        v.ifname === e.data.ifname ? { ...v, arpStatus: e.data.to, gatewayLladdr: e.data.gatewayLladdr } : v,
      );
    }
  }
  if (veths === node.veths) return node;
  const mismatchCount = veths.filter((v) => v.arpStatus === 'mismatch').length;
  return { ...node, veths, mismatchCount };
}

const SUMMARY_KEYS = [
  'name',
  'os',
  'policy',
  'vethCount',
  'mismatchCount',
  'state',
  'stateReason',
  'lastKnownState',
  'lastReportAt',
  'reportAgeSeconds',
  'intervalSeconds',
] as const satisfies readonly (keyof NodeSummary)[];

export function summaryOf(node: NodeDetail): NodeSummary {
  const out = {} as Record<string, unknown>;
  for (const k of SUMMARY_KEYS) out[k] = node[k];
  return out as unknown as NodeSummary;
}

/** The fleet with one node's row replaced (or added), counts recomputed. */
export function patchFleet(fleet: FleetView, summary: NodeSummary): FleetView {
  const i = fleet.nodes.findIndex((n) => n.name === summary.name);
  const nodes = i === -1 ? [...fleet.nodes, summary] : fleet.nodes.map((n, j) => (j === i ? summary : n));
  const counts = Object.fromEntries(NODE_STATES.map((s) => [s, 0])) as Record<NodeState, number>;
  for (const n of nodes) counts[n.state] += 1;
  return { ...fleet, nodes, counts };
}

/** A whole-fleet refetch is big (thousands of rows): at most one per FLEET_REFETCH_MS, the last one trailing. */
export const FLEET_REFETCH_MS = 5_000;
const fleetRefetch = new WeakMap<QueryClient, { last: number; timer: ReturnType<typeof setTimeout> | null }>();

function refetchFleetThrottled(client: QueryClient): void {
  const s = fleetRefetch.get(client) ?? { last: 0, timer: null };
  fleetRefetch.set(client, s);
  if (s.timer !== null) return;
  const run = () => {
    s.timer = null;
    s.last = Date.now();
    void client.invalidateQueries({ queryKey: fleetQuery().queryKey, exact: true });
  };
  const wait = s.last + FLEET_REFETCH_MS - Date.now();
  if (wait <= 0) run();
  else s.timer = setTimeout(run, wait);
}

function isShown(client: QueryClient, queryKey: readonly unknown[]): boolean {
  return client.getQueryCache().find({ queryKey, exact: true })?.isActive() ?? false;
}

/**
 * `loadNode` is the node page's own loader (nodeQuery's default, the JSON API); a test may pass another one, as the
 * server does for its prefetch.
 */
export async function applyEvents(client: QueryClient, events: readonly HistoryEvent[], loadNode?: NodeLoader): Promise<void> {
  const byNode = new Map<string, HistoryEvent[]>();
  for (const e of events) {
    const list = byNode.get(e.node);
    if (list) list.push(e);
    else byNode.set(e.node, [e]);
  }

  const fleetKey = fleetQuery().queryKey;
  const fleetShown = isShown(client, fleetKey);
  const patchRows = fleetShown && byNode.size <= FLEET_PATCH_LIMIT;
  if (fleetShown && !patchRows) refetchFleetThrottled(client);
  // A fleet page that is not on screen only needs to know its data is old.
  if (!fleetShown) void client.invalidateQueries({ queryKey: fleetKey, exact: true, refetchType: 'none' });

  const work: Promise<unknown>[] = [];
  for (const [name, nodeEvents] of byNode) {
    const detail = nodeQuery(name, loadNode);
    client.setQueryData(detail.queryKey, (old) => (old ? patchNodeDetail(old, nodeEvents) : old));
    // Timelines, veth and link-file history of this node (every history query's key starts with this one):
    // refetched if shown, otherwise marked old.
    work.push(client.invalidateQueries({ queryKey: historyKeys.node(name) }));

    const detailShown = isShown(client, detail.queryKey);
    if (patchRows || detailShown) {
      // One request serves both the node page and the fleet row.
      work.push(
        client
          .fetchQuery({ ...detail, staleTime: 0 })
          .then((fresh) => {
            if (patchRows) client.setQueryData(fleetKey, (f) => (f ? patchFleet(f, summaryOf(fresh)) : f));
          })
          .catch(() => {
            // The regular refresh will try again; a failed patch must not break the stream.
          }),
      );
    } else {
      work.push(client.invalidateQueries({ queryKey: detail.queryKey, exact: true, refetchType: 'none' }));
    }
  }
  await Promise.all(work);
}
