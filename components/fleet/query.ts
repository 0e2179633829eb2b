// The fleet table's view state: text search, filters and sort, read from and written to the URL so a link
// reproduces the view. Pure, so the server's first paint and the browser compute the same rows.
import { NODE_STATES, type NodeState, type NodeSummary } from '../../lib/nodes/types';
import { worstFirst } from './order';

export const SORT_KEYS = ['severity', 'name', 'policy', 'mismatches', 'os', 'package', 'lastReport'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = 'asc' | 'desc';

export interface FleetFilter {
  /** Case-insensitive substring of the node name, OS, kernel, policy or winning link file. */
  q: string;
  /** Empty: every state. */
  states: NodeState[];
  /** The OS's pretty name exactly, or null for any. */
  os: string | null;
  /** A MACAddressPolicy value, 'unset', 'not-reported', or null for any. */
  policy: string | null;
  /** Package owning the winning link file as name@version (packageValue), 'none', or null for any. URL: pkg. */
  pkg: string | null;
  sort: SortKey;
  dir: SortDir;
}

export const DEFAULT_FILTER: FleetFilter = { q: '', states: [], os: null, policy: null, pkg: null, sort: 'severity', dir: 'asc' };

/** The states someone should look at: the "needs attention" choice of the state filter. */
export const ATTENTION_STATES: NodeState[] = ['broken', 'at-risk', 'fragile', 'stale', 'no-agent'];

type ParamSource = { get(name: string): string | null };

export function parseFleetFilter(params: ParamSource): FleetFilter {
  const states = (params.get('state') ?? '')
    .split(',')
    .filter((s): s is NodeState => (NODE_STATES as readonly string[]).includes(s));
  const sort = params.get('sort');
  const dir = params.get('dir');
  return {
    q: (params.get('q') ?? '').slice(0, 200),
    states: [...new Set(states)],
    os: params.get('os') || null,
    policy: params.get('policy') || null,
    pkg: params.get('pkg') || null,
    sort: (SORT_KEYS as readonly string[]).includes(sort ?? '') ? (sort as SortKey) : DEFAULT_FILTER.sort,
    dir: dir === 'desc' ? 'desc' : 'asc',
  };
}

/** URL changes for a filter: defaults are left out (null deletes the parameter), so the plain URL is the default view. */
export function filterParams(f: FleetFilter): Record<string, string | null> {
  return {
    q: f.q || null,
    state: f.states.length ? f.states.join(',') : null,
    os: f.os,
    policy: f.policy,
    pkg: f.pkg,
    sort: f.sort === DEFAULT_FILTER.sort ? null : f.sort,
    dir: f.dir === 'asc' ? null : f.dir,
  };
}

export function policyValue(n: NodeSummary): string {
  if (n.policy === null) return 'not-reported';
  return n.policy.macAddressPolicy ?? 'unset';
}

/** The package version filter's value: "udev@252.39-1~deb12u2", or 'none' when no package owns the file. */
export function packageValue(n: NodeSummary): string {
  const p = n.policyPackage;
  return p ? `${p.name}@${p.version ?? 'unknown'}` : 'none';
}

function osName(n: NodeSummary): string {
  return n.os.prettyName ?? 'unknown OS';
}

/** The values the OS and policy filters offer, from the nodes at hand. */
export function facets(nodes: readonly NodeSummary[]): { os: string[]; policy: string[]; pkg: string[] } {
  const os = new Set<string>();
  const policy = new Set<string>();
  const pkg = new Set<string>();
  for (const n of nodes) {
    os.add(osName(n));
    policy.add(policyValue(n));
    pkg.add(packageValue(n));
  }
  return { os: [...os].sort(), policy: [...policy].sort(), pkg: [...pkg].sort() };
}

function matchesText(n: NodeSummary, q: string): boolean {
  const hay = [n.name, n.os.prettyName, n.os.kernel, n.policy?.macAddressPolicy, n.policy?.linkFile, n.policyPackage ? packageValue(n) : null, n.stateReason]
    .filter(Boolean)
    .join('\n')
    .toLowerCase();
  return q
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => hay.includes(word));
}

const compare: Record<Exclude<SortKey, 'severity'>, (a: NodeSummary, b: NodeSummary) => number> = {
  name: (a, b) => a.name.localeCompare(b.name),
  policy: (a, b) => policyValue(a).localeCompare(policyValue(b)) || Number(b.policy?.udevRewritesMac) - Number(a.policy?.udevRewritesMac),
  mismatches: (a, b) => a.mismatchCount - b.mismatchCount || a.vethCount - b.vethCount,
  os: (a, b) => osName(a).localeCompare(osName(b)) || (a.os.systemdVersion ?? 0) - (b.os.systemdVersion ?? 0),
  package: (a, b) => packageValue(a).localeCompare(packageValue(b)),
  // Never-reported nodes sort as the oldest.
  lastReport: (a, b) => (a.lastReportAt ? Date.parse(a.lastReportAt) : 0) - (b.lastReportAt ? Date.parse(b.lastReportAt) : 0),
};

/** `alsoMatching`: nodes the server's search found for f.q (they hold a matching pod, IP, veth or MAC). */
export function applyFleetFilter(nodes: readonly NodeSummary[], f: FleetFilter, alsoMatching: ReadonlySet<string> = new Set()): NodeSummary[] {
  const states = new Set(f.states);
  const kept = nodes.filter(
    (n) =>
      (states.size === 0 || states.has(n.state)) &&
      (f.os === null || osName(n) === f.os) &&
      (f.policy === null || policyValue(n) === f.policy) &&
      (f.pkg === null || packageValue(n) === f.pkg) &&
      (f.q === '' || alsoMatching.has(n.name) || matchesText(n, f.q)),
  );
  // Worst first is the base order: ties in any other column stay worst first, then by name.
  const base = worstFirst(kept);
  if (f.sort === 'severity') return f.dir === 'asc' ? base : base.reverse();
  const cmp = compare[f.sort];
  const sign = f.dir === 'asc' ? 1 : -1;
  const rank = new Map(base.map((n, i) => [n.name, i]));
  return base.sort((a, b) => sign * cmp(a, b) || rank.get(a.name)! - rank.get(b.name)!);
}
