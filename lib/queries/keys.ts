// The one place query keys are spelled. The queryOptions factories (lib/queries/options.ts, remediation.ts) build
// their keys here, and server prefetch, client hooks and the live stream's cache updates (components/live) all go
// through those factories, so a key can never drift between them. Only invalidation by prefix (historyKeys.node)
// uses a key from here directly.
// Keys are hierarchical: invalidating nodeKeys.all refreshes the fleet and every node page.
export const nodeKeys = {
  all: ['nodes'] as const,
  fleet: () => [...nodeKeys.all, 'fleet'] as const,
  detail: (name: string) => [...nodeKeys.all, 'detail', name] as const,
  search: (q: string) => [...nodeKeys.all, 'search', q] as const,
};

// History of one node (timelines, veth and host device MAC history, link-file versions). Under their own root, keyed by node
// first, so a live event for node X invalidates exactly historyKeys.node(X) and nothing of other nodes.
export const historyKeys = {
  all: ['history'] as const,
  node: (name: string) => [...historyKeys.all, name] as const,
  arpTimeline: (name: string, range: string) => [...historyKeys.node(name), 'arp-timeline', range] as const,
  veth: (name: string, ifname: string) => [...historyKeys.node(name), 'veth', ifname] as const,
  linkFiles: (name: string) => [...historyKeys.node(name), 'link-files'] as const,
  hostDevices: (name: string) => [...historyKeys.node(name), 'host-devices'] as const,
  hostDevice: (name: string, ifname: string) => [...historyKeys.node(name), 'host-device', ifname] as const,
};

/** Remediation: runs per node, settings (pause switch), fleet runs and the audit log. */
export const remediationKeys = {
  all: ['remediation'] as const,
  node: (name: string) => [...remediationKeys.all, 'node', name] as const,
  one: (id: string) => [...remediationKeys.all, 'one', id] as const,
  settings: () => [...remediationKeys.all, 'settings'] as const,
  fleetRun: (id: string) => [...remediationKeys.all, 'fleet-run', id] as const,
  audit: (filters: { node?: string; from?: string; to?: string; cursor?: string; limit?: number }) =>
    [...remediationKeys.all, 'audit', filters] as const,
};

/** Who the browser is signed in as; invalidated on sign-in and sign-out. */
export const meKeys = {
  me: () => ['me'] as const,
};
