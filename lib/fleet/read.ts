import 'server-only';
// The store read behind the cross-node checks: each node's latest report, reduced to its cross-node facts and kept
// per store keyed by state hash, so a fleet refresh rereads only the reports that changed since the last one
// (reports are rewritten only when the state hash changes, lib/store/store.ts).
import type { ClusterView } from '../nodes/cluster';
import type { Store } from '../store';
import { findCrossNodeHazards } from './crossNode';
import { crossFactsOf } from './facts';
import type { CrossNodeFinding, NodeCrossFacts } from './types';

const cache = new WeakMap<Store, Map<string, { stateHash: string; facts: NodeCrossFacts }>>();

/** Every stored node's cross-node facts, current as of this call. */
export async function readCrossNodeFacts(store: Store): Promise<Map<string, NodeCrossFacts>> {
  const known = cache.get(store) ?? new Map<string, { stateHash: string; facts: NodeCrossFacts }>();
  const heads = await store.listStateHashes();
  const changed = heads.filter((h) => known.get(h.name)?.stateHash !== h.stateHash).map((h) => h.name);
  const fresh = new Map<string, { stateHash: string; facts: NodeCrossFacts }>();
  for (const r of changed.length > 0 ? await store.getLatestReports(changed) : []) {
    fresh.set(r.name, { stateHash: r.stateHash, facts: crossFactsOf(r.report) });
  }
  // Rebuilt from this read, so nodes gone from the store leave the cache too.
  const next = new Map<string, { stateHash: string; facts: NodeCrossFacts }>();
  for (const h of heads) {
    const entry = fresh.get(h.name) ?? known.get(h.name);
    if (entry) next.set(h.name, entry);
  }
  cache.set(store, next);
  return new Map([...next].map(([name, e]) => [name, e.facts]));
}

/**
 * The cross-node findings among the nodes `include` keeps (the fleet view's nodes), with the Node objects' flannel
 * annotations when the server watches a cluster; `stale` nodes' overlay tables are not trusted (crossNode.ts).
 */
export async function readCrossNodeHazards(
  store: Store,
  cluster: ClusterView | null,
  include: (name: string) => boolean = () => true,
  stale: ReadonlySet<string> = new Set(),
): Promise<CrossNodeFinding[]> {
  const all = await readCrossNodeFacts(store);
  const facts = new Map([...all].filter(([name]) => include(name)));
  return findCrossNodeHazards({ facts, flannel: cluster?.flannel ?? null, stale });
}
