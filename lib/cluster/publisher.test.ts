// The condition/Event publisher against the fake API server and a real store. With two "replicas" (two stores on
// one PostgreSQL database) exactly one publishes; when it stops, the other takes over.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createEventBus } from '@/lib/events/bus';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { createMetrics } from '@/lib/metrics/registry';
import type { ClusterView } from '@/lib/nodes/cluster';
import { buildReport } from '@/lib/report/fixtures';
import { createStore, type Store } from '@/lib/store';
import { createPgDatabase, testEngines, type TestStore } from '@/lib/store/testing';
import { makeNode, startFakeCluster, type FakeCluster } from '@/test/fake-kube/cluster';
import { startPublisher, type ConditionPublisher } from './publisher';

const log = pino({ level: 'silent' });
const view = (): ClusterView => ({ nodes: new Map([['n1', { osImage: null, kernelVersion: null, kubeletVersion: null, containerRuntimeVersion: null, labels: {}, ready: true }]]), deleted: new Set(), awsNode: null });

function publisher(c: FakeCluster, store: Store, bus = createEventBus()): ConditionPublisher {
  return startPublisher({
    kube: c.kube,
    store: async () => store,
    bus,
    log,
    metrics: createMetrics({ defaultMetrics: false }),
    view,
    nodeUid: () => 'uid-n1',
    heartbeatMs: 3_600_000,
    pollMs: 3_600_000, // passes only when flushed
  });
}

const patches = (c: FakeCluster) => c.fake.requests.filter((r) => r.method === 'PATCH' && r.path === '/api/v1/nodes/n1/status');
const statusOf = (r: { body: unknown }) => (r.body as { status: { conditions: Array<{ status: string }> } }).status.conditions[0].status;

describe.each(testEngines)('publisher on $name', (engine) => {
  let c: FakeCluster;
  let t: TestStore;
  beforeEach(async () => {
    c = await startFakeCluster();
    c.fake.upsertNode(makeNode('n1'));
    t = await engine.open();
  });
  afterEach(async () => {
    await t.cleanup();
    await c.close();
  });

  it('heartbeats are not re-sent before they are due; a changed verdict is sent at once', async () => {
    const p = publisher(c, t.store);
    await ingestReport(t.store, buildReport({ node: 'n1', policy: 'none' }), { bus: createEventBus() });
    await p.flush();
    await p.flush();
    expect(patches(c).map(statusOf)).toEqual(['False']);
    await ingestReport(t.store, buildReport({ node: 'n1', mismatched: 1, policy: 'none', collectedAt: new Date(Date.now() + 1000) }), { bus: createEventBus() });
    await p.flush();
    expect(patches(c).map(statusOf)).toEqual(['False', 'True']);
    expect(c.fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/namespaces/default/events')).toHaveLength(1);
    await p.stop();
  });
});

describe('two replicas on one PostgreSQL', () => {
  it('only the lock holder publishes; the other takes over when it stops', async () => {
    const c = await startFakeCluster();
    c.fake.upsertNode(makeNode('n1'));
    const db = await createPgDatabase();
    const a = await createStore({ engine: 'postgres', url: db.url, poolSize: 3 });
    const b = await createStore({ engine: 'postgres', url: db.url, poolSize: 3 });
    try {
      const pa = publisher(c, a);
      await pa.flush();
      const pb = publisher(c, b);
      await pb.flush();
      expect([pa.isLeader, pb.isLeader]).toEqual([true, false]);

      await ingestReport(a, buildReport({ node: 'n1', mismatched: 1, policy: 'none' }), { bus: createEventBus() });
      await Promise.all([pa.flush(), pb.flush()]);
      await Promise.all([pa.flush(), pb.flush()]);
      expect(patches(c).map(statusOf)).toEqual(['True']);
      expect(c.fake.requests.filter((r) => r.path === '/api/v1/namespaces/default/events')).toHaveLength(1);

      await pa.stop();
      await pb.flush();
      expect(pb.isLeader).toBe(true);
      // The new leader has sent nothing yet, so it sends the condition once (a heartbeat); no new Event.
      expect(patches(c).map(statusOf)).toEqual(['True', 'True']);
      expect(c.fake.requests.filter((r) => r.path === '/api/v1/namespaces/default/events')).toHaveLength(1);
      await pb.stop();
    } finally {
      await a.close();
      await b.close();
      await db.drop();
      await c.close();
    }
  });
});
