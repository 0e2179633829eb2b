import 'server-only';
// Reads the evidence provenance.ts judges: each node's first-report event and the later appearance of the drop-in,
// paged through the store's event list (5000 per read) so a large fleet is read in bounded pieces.
import type { NodeEvent } from '../events/types';
import type { ListEventsOptions, Store } from '../store';
import { provenanceOf, type NodePrevention, type NodeProvenance, type ProvenanceEvidence } from './provenance';
import { PREVENTION_PATH } from './snippets';

const PAGE = 5000;

async function* allEvents(store: Store, options: Omit<ListEventsOptions, 'afterId' | 'limit' | 'order'>): AsyncGenerator<NodeEvent> {
  let afterId: number | undefined;
  for (;;) {
    const page = await store.listEvents({ ...options, order: 'asc', limit: PAGE, ...(afterId === undefined ? {} : { afterId }) });
    yield* page;
    if (page.length < PAGE) return;
    afterId = page[page.length - 1].id;
  }
}

async function evidence(store: Store, node?: string): Promise<Map<string, ProvenanceEvidence>> {
  const byNode = new Map<string, ProvenanceEvidence>();
  const entry = (n: string) => byNode.get(n) ?? byNode.set(n, { firstReport: null, laterAppearance: null }).get(n)!;
  const scope = node === undefined ? {} : { node };
  for await (const e of allEvents(store, { ...scope, types: ['node.first_report'] })) {
    if (e.type === 'node.first_report' && !entry(e.node).firstReport) entry(e.node).firstReport = { at: e.at, data: e.data };
  }
  for await (const e of allEvents(store, { ...scope, types: ['linkfile.appeared'], subject: PREVENTION_PATH })) {
    if (e.type === 'linkfile.appeared' && !e.data.initial && !entry(e.node).laterAppearance) entry(e.node).laterAppearance = { at: e.at };
  }
  return byNode;
}

/** Every node's provenance that history knows of. */
export async function readFleetProvenance(store: Store): Promise<Map<string, NodeProvenance>> {
  const out = new Map<string, NodeProvenance>();
  for (const [n, e] of await evidence(store)) out.set(n, provenanceOf(e));
  return out;
}

export async function readNodePrevention(store: Store, node: string): Promise<NodePrevention> {
  const e = (await evidence(store, node)).get(node) ?? { firstReport: null, laterAppearance: null };
  return { ...provenanceOf(e), lastVerification: await store.prevention.latestVerification(node) };
}

export interface PreventionFleetRow {
  name: string;
  osPrettyName: string | null;
  provenance: NodeProvenance['provenance'];
  since: string | null;
}

/** Every reported node with its provenance, sorted by name: the prevent page's table. */
export async function readPreventionFleet(store: Store): Promise<PreventionFleetRow[]> {
  const [nodes, provenance] = await Promise.all([store.listNodeSummaries(), readFleetProvenance(store)]);
  return nodes
    .map((n) => ({ name: n.name, osPrettyName: n.osPrettyName, ...(provenance.get(n.name) ?? { provenance: 'unknown' as const, since: null }) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
