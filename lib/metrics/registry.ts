import 'server-only';
// Every Prometheus metric the server exposes, in one registry. Counters move where things happen (ingest, the
// Kubernetes publisher, remediation); gauges about the fleet are computed at scrape time from the store, so they
// are never out of date and cost one cheap query per scrape. Kept on globalThis: the custom server and Next's
// bundled route handlers load separate copies of this module but must count into the same registry.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FleetView } from '../nodes/types';

/** What scrape-time gauges are computed from: the fleet as the UI sees it, plus the cluster's CNI when known. */
export interface ScrapeSnapshot {
  fleet: FleetView;
}

export type ScrapeSource = () => Promise<ScrapeSnapshot>;

export interface VethwatchMetrics {
  registry: Registry;
  reportsReceived: Counter<'outcome'>;
  reportsRejected: Counter<'reason'>;
  ingestDuration: Histogram<'result'>;
  vethMacChanges: Counter<'node'>;
  arpMismatchEvents: Counter<'node'>;
  linkFileDrift: Counter<'node' | 'type'>;
  remediations: Counter<'node' | 'result'>;
  tokenReviews: Counter<'result'>;
  kubeWrites: Counter<'kind' | 'result'>;
  scrapeErrors: Counter;
  /** Set by the server once the store is open; until then the fleet gauges are empty. */
  setScrapeSource(source: ScrapeSource | null): void;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): VethwatchMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'vethwatch_' });
  let source: ScrapeSource | null = null;
  // One store read per scrape feeds all fleet gauges; each gauge's collect() asks for it.
  let pending: Promise<ScrapeSnapshot | null> | null = null;
  const snapshot = (): Promise<ScrapeSnapshot | null> => {
    if (!source) return Promise.resolve(null);
    pending ??= source()
      .catch(() => {
        scrapeErrors.inc();
        return null;
      })
      .finally(() => setTimeout(() => (pending = null), 0));
    return pending;
  };

  const scrapeErrors = new Counter({
    name: 'vethwatch_scrape_errors_total',
    help: 'Scrapes whose fleet gauges could not be read from the store.',
    registers: [registry],
    async collect() {
      await snapshot(); // so this scrape's own failure is counted in this scrape
    },
  });

  new Gauge({
    name: 'vethwatch_nodes',
    help: 'Nodes by state, as the fleet view shows them (no-agent: a Kubernetes Node with no agent report).',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const snap = await snapshot();
      this.reset();
      if (!snap) return;
      for (const [state, n] of Object.entries(snap.fleet.counts)) this.set({ state }, n);
    },
  });

  // One series per node, value 1, for the state it is in now: alerts name the node (stale, at-risk) without
  // joining, and a state change is a new series, so `changes()`/`for:` behave as an operator expects.
  new Gauge({
    name: 'vethwatch_node_state',
    help: 'Each node\'s current state (broken, at-risk, fragile, stale, no-agent, unknown, healthy) as the fleet view shows it; always 1.',
    labelNames: ['node', 'state'],
    registers: [registry],
    async collect() {
      const snap = await snapshot();
      this.reset();
      if (!snap) return;
      for (const n of snap.fleet.nodes) this.set({ node: n.name, state: n.state }, 1);
    },
  });

  new Gauge({
    name: 'vethwatch_arp_mismatches',
    help: "Pods whose gateway ARP entry points at a MAC their host veth no longer has, by node (the node's last report).",
    labelNames: ['node'],
    registers: [registry],
    async collect() {
      const snap = await snapshot();
      this.reset();
      if (!snap) return;
      for (const n of snap.fleet.nodes) if (n.lastReportAt !== null) this.set({ node: n.name }, n.mismatchCount);
    },
  });

  new Gauge({
    name: 'vethwatch_agent_report_age_seconds',
    help: "Seconds since each node's agent last reported (server clock).",
    labelNames: ['node'],
    registers: [registry],
    async collect() {
      const snap = await snapshot();
      this.reset();
      if (!snap) return;
      for (const n of snap.fleet.nodes) if (n.reportAgeSeconds !== null) this.set({ node: n.name }, n.reportAgeSeconds);
    },
  });

  new Gauge({
    name: 'vethwatch_aws_node_info',
    help: "The Amazon VPC CNI (DaemonSet kube-system/aws-node) image; 1 when known. sets_host_veth_mac: v1.20.1 or later.",
    labelNames: ['image', 'version', 'sets_host_veth_mac', 'recommend_upgrade'],
    registers: [registry],
    async collect() {
      const snap = await snapshot();
      this.reset();
      const cni = snap?.fleet.awsNode;
      if (!cni) return;
      this.set(
        { image: cni.image, version: cni.version ?? '', sets_host_veth_mac: String(cni.setsHostVethMac), recommend_upgrade: String(cni.recommendUpgrade) },
        1,
      );
    },
  });

  return {
    registry,
    scrapeErrors,
    reportsReceived: new Counter({
      name: 'vethwatch_reports_received_total',
      help: 'Agent reports accepted, by outcome (changed, unchanged, duplicate, out-of-order).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    reportsRejected: new Counter({
      name: 'vethwatch_reports_rejected_total',
      help: 'Agent reports refused, by reason (unauthorized, forbidden, bad_json, invalid, too_large, method, error).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    ingestDuration: new Histogram({
      name: 'vethwatch_ingest_duration_seconds',
      help: 'Time to answer POST /api/v1/reports, from the request to the answer, by result (accepted, rejected).',
      labelNames: ['result'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    vethMacChanges: new Counter({
      name: 'vethwatch_veth_mac_changes_total',
      help: 'Host veth MAC changes seen in reports (veth.mac_changed events), by node.',
      labelNames: ['node'],
      registers: [registry],
    }),
    arpMismatchEvents: new Counter({
      name: 'vethwatch_arp_mismatch_events_total',
      help: 'Pods newly found with a gateway ARP mismatch, by node.',
      labelNames: ['node'],
      registers: [registry],
    }),
    linkFileDrift: new Counter({
      name: 'vethwatch_linkfile_drift_events_total',
      help: 'Link file changes seen after a node first reported (linkfile.appeared/changed/removed), by node and event type.',
      labelNames: ['node', 'type'],
      registers: [registry],
    }),
    remediations: new Counter({
      name: 'vethwatch_remediations_total',
      help: 'Remediation outcomes by node and result: succeeded or failed when the run ends, then verified or unverified when the node\'s next report judges a succeeded run.',
      labelNames: ['node', 'result'],
      registers: [registry],
    }),
    tokenReviews: new Counter({
      name: 'vethwatch_agent_token_authentications_total',
      help: 'Reports whose bearer was checked as a service-account token (TokenReview, mostly from its cache), by result (agent, rejected, not-agent, error).',
      labelNames: ['result'],
      registers: [registry],
    }),
    kubeWrites: new Counter({
      name: 'vethwatch_kube_writes_total',
      help: 'Node condition patches and Events written to the Kubernetes API, by kind and result.',
      labelNames: ['kind', 'result'],
      registers: [registry],
    }),
    setScrapeSource(next) {
      source = next;
    },
  };
}

const KEY = Symbol.for('vethwatch.metrics');
type WithMetrics = typeof globalThis & { [KEY]?: VethwatchMetrics };

export function getMetrics(): VethwatchMetrics {
  const g = globalThis as WithMetrics;
  return (g[KEY] ??= createMetrics());
}
