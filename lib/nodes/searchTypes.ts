// Fleet search's answer (GET /api/v1/nodes?q=...), client-safe: the fleet page imports these types and the limits.
import type { NodeSummary } from './types';

/** Shortest and longest search term: one character matches nearly every report; longer than a pod ref is no name. */
export const SEARCH_MIN_CHARS = 2;
export const SEARCH_MAX_CHARS = 253;
/** Names, IPs, MACs and veth names: letters, digits and . _ : / - only (also keeps the term out of JSON escapes). */
export const SEARCH_TERM = /^[A-Za-z0-9._:/-]+$/;
/** At most this many pod/veth hits are returned; `truncated` says when more matched. */
export const SEARCH_MAX_HITS = 100;

/** Which of a veth's facts matched the term. */
export type VethMatchField = 'pod' | 'namespace' | 'podIP' | 'veth' | 'mac';

/** A veth (and the pod behind it) whose facts contain the term: which node, which veth. */
export interface VethHit {
  node: string;
  ifname: string;
  mac: string;
  podIP: string | null;
  pod: { namespace: string; name: string } | null;
  netns: string | null;
  matched: VethMatchField[];
}

export interface FleetSearch {
  generatedAt: string;
  /** The term as searched (trimmed). */
  q: string;
  /** Nodes whose name contains the term or that hold a hit, by name (the page orders them as its table does). */
  nodes: NodeSummary[];
  hits: VethHit[];
  /** More veths matched than were returned (or more reports than were read): narrow the term. */
  truncated: boolean;
}

/** Whether a term is one the API accepts (the page asks only then). */
export function isSearchTerm(q: string): boolean {
  const t = q.trim();
  return t.length >= SEARCH_MIN_CHARS && t.length <= SEARCH_MAX_CHARS && SEARCH_TERM.test(t);
}
