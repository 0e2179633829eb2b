import 'server-only';
// Publishes each node's verdict where Kubernetes users look: the VethMACAddressMismatch Node condition (True while
// any pod is cut off, False when cleared, Unknown when the agent stops reporting; re-sent every heartbeat so it
// never goes stale) and one Event per newly cut-off pod. Works from the store, not only from this process's bus:
// with several replicas on one PostgreSQL only the leader publishes, and it must see reports others took. The bus
// just makes it react at once; a poll catches the rest.
import type { Logger } from 'pino';
import type { EventBus } from '../events/bus';
import { createMismatchEvent, setVethCondition } from '../kube/conditions';
import type { KubeClients } from '../kube/config';
import { KubeConflictError, KubeNotFoundError } from '../kube/errors';
import type { VethwatchMetrics } from '../metrics/registry';
import type { ClusterView } from '../nodes/cluster';
import { getFleetFrom } from '../nodes/read';
import type { Store } from '../store';
import { desiredCondition, mismatchEventMessage, type DesiredCondition } from './messages';

export interface PublisherOptions {
  kube: KubeClients;
  store: () => Promise<Store>;
  bus: EventBus;
  log: Logger;
  metrics: VethwatchMetrics;
  view: () => ClusterView;
  /** The Node's uid for Events; undefined when unknown. */
  nodeUid: (name: string) => string | undefined;
  heartbeatMs: number;
  pollMs: number;
  now?: () => Date;
}

interface Sent {
  condition: DesiredCondition;
  at: number;
}

export interface ConditionPublisher {
  /** Runs one publishing pass now (after any pass in progress) and resolves when it is done. */
  flush(): Promise<void>;
  /** Whether this replica holds the publisher lock. */
  readonly isLeader: boolean;
  stop(): Promise<void>;
}

const EVENT_TYPES = ['arp.changed', 'veth.appeared'] as const;
export const PUBLISHER_LOCK = 'kube-node-publisher';

export function startPublisher(opts: PublisherOptions): ConditionPublisher {
  const now = opts.now ?? (() => new Date());
  const sent = new Map<string, Sent>();
  let cursor: number | null = null;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let queued: Promise<void> | null = null;

  const write = async (kind: 'condition' | 'event', fn: () => Promise<unknown>): Promise<'ok' | 'absent' | 'failed'> => {
    try {
      await fn();
      opts.metrics.kubeWrites.inc({ kind, result: 'ok' });
      return 'ok';
    } catch (err) {
      if (kind === 'event' && err instanceof KubeConflictError && err.reason === 'AlreadyExists') return 'ok'; // another leader wrote it
      if (err instanceof KubeNotFoundError) return 'absent';
      opts.metrics.kubeWrites.inc({ kind, result: 'error' });
      opts.log.warn({ err: (err as Error).message }, `cannot write the ${kind} to Kubernetes`);
      return 'failed';
    }
  };

  async function publishEvents(store: Store, view: ClusterView): Promise<void> {
    if (cursor === null) {
      // History from before this publisher started is not news.
      const [last] = await store.listEvents({ order: 'desc', limit: 1 });
      cursor = last?.id ?? 0;
      return;
    }
    for (;;) {
      const batch = await store.listEvents({ afterId: cursor, types: EVENT_TYPES, limit: 500 });
      for (const e of batch) {
        const message = mismatchEventMessage(e);
        if (message && (view.nodes === null || view.nodes.has(e.node))) {
          const result = await write('event', () =>
            createMismatchEvent(opts.kube, { node: e.node, nodeUid: opts.nodeUid(e.node), message, now: new Date(e.receivedAt) }),
          );
          if (result === 'failed') return; // try again from here next pass
        }
        cursor = e.id;
      }
      if (batch.length < 500) return;
    }
  }

  async function publishConditions(store: Store, view: ClusterView): Promise<void> {
    const at = now();
    const fleet = await getFleetFrom(store, at, view);
    for (const node of fleet.nodes) {
      if (node.state === 'no-agent') continue;
      if (view.nodes !== null && !view.nodes.has(node.name)) continue; // not a Node of this cluster
      const veths = node.mismatchCount > 0 && node.state !== 'stale' ? ((await store.getNode(node.name))?.report.veths ?? null) : null;
      const want = desiredCondition(node, veths);
      const last = sent.get(node.name);
      // An Unknown message counts the silent seconds; only a change of words that matter is a change.
      const same =
        last &&
        last.condition.status === want.status &&
        last.condition.reason === want.reason &&
        (want.status === 'Unknown' || last.condition.message === want.message);
      if (same && at.getTime() - last.at < opts.heartbeatMs) continue;
      const result = await write('condition', () => setVethCondition(opts.kube, node.name, want, { now }));
      // An absent Node is remembered too, so it is asked about once per heartbeat rather than every pass.
      if (result !== 'failed') sent.set(node.name, { condition: want, at: at.getTime() });
    }
  }

  // Leadership: the replica holding the PostgreSQL session advisory lock publishes; it holds it until it stops (or
  // its process dies and the session with it). The others try again every poll. With SQLite there is one process.
  let leader = false;
  let releaseLock: () => void = () => {};
  let campaigning: Promise<unknown> | null = null;
  const campaign = async (store: Store): Promise<void> => {
    if (leader || campaigning || stopped) return;
    let acquired!: () => void;
    const gotIt = new Promise<void>((resolve) => (acquired = resolve));
    const held = new Promise<void>((resolve) => (releaseLock = resolve));
    campaigning = store.locks
      .tryWithLock(PUBLISHER_LOCK, async () => {
        leader = true;
        opts.log.info('publishing node conditions and events (this replica holds the publisher lock)');
        acquired();
        await held;
      })
      .catch((err) => opts.log.warn({ err: (err as Error).message }, 'cannot take the publisher lock'))
      .finally(() => {
        leader = false;
        campaigning = null;
        acquired();
      });
    await Promise.race([gotIt, campaigning]);
  };

  async function pass(): Promise<void> {
    if (stopped) return;
    const store = await opts.store();
    await campaign(store);
    if (!leader) {
      cursor = null; // if this replica leads later, it starts from then
      sent.clear();
      return;
    }
    const view = opts.view();
    // Event names are derived from the event, so a new leader whose cursor overlaps the old one's only meets
    // AlreadyExists for what the other wrote.
    await publishEvents(store, view);
    await publishConditions(store, view);
  }

  const flush = (): Promise<void> => {
    // At most one pass waits behind the running one: many triggers while a pass runs cost one more pass.
    queued ??= running.then(() => {
      queued = null;
      running = pass().catch((err) => opts.log.error({ err }, 'publishing node conditions failed'));
      return running;
    });
    return queued;
  };

  const unsubscribe = opts.bus.subscribe((events) => {
    if (events.some((e) => e.type === 'arp.changed' || e.type === 'veth.appeared' || e.type === 'veth.vanished' || e.type === 'node.first_report')) {
      void flush();
    }
  });
  const timer = setInterval(() => void flush(), opts.pollMs);
  timer.unref();
  void flush();

  return {
    flush,
    get isLeader() {
      return leader;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      unsubscribe();
      await running;
      releaseLock();
      await campaigning;
    },
  };
}
