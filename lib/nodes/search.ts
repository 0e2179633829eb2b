import 'server-only';
// Fleet search: which node is a pod on, which veth carries it. An operator paged about pod X or IP Y needs the node
// and the veth, not a node-name filter. The store narrows the reports by text (one indexed-free scan, bounded by
// SEARCH_MAX_REPORTS); this module then looks only at the fields that mean something: pod namespace and name, pod
// IP, veth name and MAC. Node names match too, including Kubernetes Nodes no agent reports for.
import { z } from 'zod';
import { ValidationError } from '../http/errors';
import type { Store } from '../store';
import { currentClusterView, type ClusterView } from './cluster';
import { getFleetFrom } from './read';
import { SEARCH_MAX_CHARS, SEARCH_MAX_HITS, SEARCH_MIN_CHARS, SEARCH_TERM, type FleetSearch, type VethHit, type VethMatchField } from './searchTypes';

/** Reports read per search: a term that is in every report ("eni") reads this many, not the whole fleet. */
export const SEARCH_MAX_REPORTS = 500;

const termSchema = z
  .string()
  .trim()
  .min(SEARCH_MIN_CHARS, `at least ${SEARCH_MIN_CHARS} characters`)
  .max(SEARCH_MAX_CHARS, `at most ${SEARCH_MAX_CHARS} characters`)
  .regex(SEARCH_TERM, 'letters, digits and . _ : / - only');

/** The `q` parameter, validated; throws ValidationError (422) for a term the search does not take. */
export function parseSearchTerm(raw: string): string {
  const parsed = z.object({ q: termSchema }).safeParse({ q: raw });
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, 'query parameters failed validation');
  return parsed.data.q;
}

function vethMatches(v: { ifname: string; mac: string; podIP: string | null; pod: { namespace: string; name: string } | null }, t: string): VethMatchField[] {
  const has = (s: string | null | undefined) => !!s && s.toLowerCase().includes(t);
  const out: VethMatchField[] = [];
  if (v.pod && (has(v.pod.name) || (t.includes('/') && has(`${v.pod.namespace}/${v.pod.name}`)))) out.push('pod');
  if (v.pod && has(v.pod.namespace)) out.push('namespace');
  if (has(v.podIP)) out.push('podIP');
  if (has(v.ifname)) out.push('veth');
  if (has(v.mac)) out.push('mac');
  return out;
}

/** Nodes and veths matching a validated term (parseSearchTerm). */
export async function searchFleetFrom(
  store: Store,
  term: string,
  now: Date = new Date(),
  cluster: ClusterView | null = currentClusterView(),
): Promise<FleetSearch> {
  const t = term.toLowerCase();
  // The report holds namespace and name apart: "payments/checkout" is looked for as "checkout" in the text.
  const coarse = term.includes('/') ? term.split('/').reduce((a, b) => (b.length > a.length ? b : a), '') : term;
  const [fleet, reports] = await Promise.all([getFleetFrom(store, now, cluster), store.searchReports(coarse, SEARCH_MAX_REPORTS + 1)]);
  let truncated = reports.length > SEARCH_MAX_REPORTS;
  const hits: VethHit[] = [];
  for (const { node, report } of reports.slice(0, SEARCH_MAX_REPORTS)) {
    for (const v of report.veths) {
      const matched = vethMatches(v, t);
      if (matched.length === 0) continue;
      if (hits.length === SEARCH_MAX_HITS) {
        truncated = true;
        break;
      }
      hits.push({ node, ifname: v.ifname, mac: v.mac, podIP: v.podIP, pod: v.pod, netns: v.netns, matched });
    }
  }
  const withHits = new Set(hits.map((h) => h.node));
  const nodes = fleet.nodes.filter((n) => withHits.has(n.name) || n.name.toLowerCase().includes(t));
  return { generatedAt: fleet.generatedAt, q: term, nodes, hits, truncated };
}
