// "Fix all at-risk nodes" against the fake API server: waves no larger than the cap, the next wave only after the
// previous finished, and a stop at the first failure (no Job for the nodes after it).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCluster, type FakeCluster } from '../../test/fake-kube/cluster';
import { createEventBus } from '../events/bus';
import { ingestReport } from '../ingest/ingestReport';
import { buildReport } from '../report/fixtures';
import { testEngines, type TestStore } from '../store/testing';
import { remediationConfigFromEnv } from './config';
import { handleFleetGet, handleFleetPost, type HandlerContext } from './handlers';
import type { RemediationRuntime } from './runtime';
import { asToken, ctxOf, request, testRuntime, until } from './testSupport';
import type { FleetPreview, FleetRun } from './types';

const NS = 'vethwatch';
const sqlite = testEngines.find((e) => e.name === 'sqlite')!;

let cluster: FakeCluster;
beforeAll(async () => {
  cluster = await startFakeCluster();
});
afterAll(async () => {
  await cluster.close();
});

describe('fleet remediation', () => {
  let t: TestStore;
  let runtime: RemediationRuntime;
  let ctx: HandlerContext;
  const bus = createEventBus();

  beforeEach(async () => {
    t = await sqlite.open();
    runtime = testRuntime(t.store, remediationConfigFromEnv({ KUBECONFIG: cluster.kubeconfig, VETHWATCH_AGENT_IMAGE: 'agent:test', VETHWATCH_NAMESPACE: NS }), bus);
    ctx = ctxOf(runtime);
    cluster.fake.clearRequests();
    for (const n of ['fa', 'fb', 'fc']) await ingestReport(t.store, buildReport({ node: n, mismatched: 1 }), { bus });
    await ingestReport(t.store, buildReport({ node: 'fok', policy: 'none' }), { bus });
    await t.store.remediations.updateSettings({ maxConcurrent: 2, now: new Date().toISOString() });
  });
  afterEach(async () => {
    await runtime.close();
    await t.cleanup();
  });

  const fleet = async (body: unknown) => handleFleetPost(request('/api/v1/remediations/fleet', { body, headers: asToken }), ctx);
  const run = async (id: string) => (await (await handleFleetGet(request(`/api/v1/remediations/fleet/${id}`), id, ctx)).json()) as FleetRun;
  const jobOf = async (r: FleetRun, node: string) => {
    const id = r.nodes.find((n) => n.node === node)!.remediationId!;
    return (await t.store.remediations.get(id))!.jobName!;
  };
  /** Jobs really created (not dry runs). */
  const created = () => cluster.fake.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/jobs') && !q.query.dryRun);

  it('previews the at-risk nodes in waves of the cap and runs them wave by wave', async () => {
    const preview = (await (await fleet({ dryRun: true })).json()) as FleetPreview;
    expect(preview.cap).toBe(2);
    expect(preview.nodes.map((n) => n.node)).toEqual(['fa', 'fb', 'fc']);
    expect(preview.waves).toEqual([['fa', 'fb'], ['fc']]);
    cluster.fake.clearRequests();

    const res = await fleet({ plans: preview.nodes.map((n) => ({ node: n.node, planId: n.preview!.planId })) });
    expect(res.status).toBe(202);
    const started = (await res.json()) as FleetRun;
    let r = await until('wave 1 started', async () => {
      const x = await run(started.id);
      return x.nodes.filter((n) => n.remediationId).length === 2 ? x : null;
    });
    expect(r.nodes.find((n) => n.node === 'fc')!.remediationId).toBeNull();
    expect(created()).toHaveLength(2);

    for (const n of ['fa', 'fb']) cluster.fake.finishJob(NS, await jobOf(r, n), { outcome: 'Succeeded' });
    r = await until('wave 2 started', async () => {
      const x = await run(started.id);
      return x.nodes.find((n) => n.node === 'fc')!.remediationId ? x : null;
    });
    expect(r.currentWave).toBe(1);
    cluster.fake.finishJob(NS, await jobOf(r, 'fc'), { outcome: 'Succeeded' });
    r = await until('run finished', async () => {
      const x = await run(started.id);
      return x.status !== 'running' ? x : null;
    });
    expect(r.status).toBe('succeeded');
    expect(r.nodes.map((n) => n.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(created()).toHaveLength(3);
  });

  it('stops at the first failure and starts nothing after it', async () => {
    const preview = (await (await fleet({ dryRun: true })).json()) as FleetPreview;
    const started = (await (await fleet({ plans: preview.nodes.map((n) => ({ node: n.node, planId: n.preview!.planId })) })).json()) as FleetRun;
    const r = await until('wave 1 started', async () => {
      const x = await run(started.id);
      return x.nodes.filter((n) => n.remediationId).length === 2 ? x : null;
    });
    cluster.fake.finishJob(NS, await jobOf(r, 'fa'), { outcome: 'Failed', exitCode: 1, log: 'boom' });
    cluster.fake.finishJob(NS, await jobOf(r, 'fb'), { outcome: 'Succeeded' });
    const done = await until('run stopped', async () => {
      const x = await run(started.id);
      return x.status !== 'running' ? x : null;
    });
    expect(done.status).toBe('failed');
    expect(done.stoppedReason).toMatch(/^fa: /);
    expect(done.nodes.map((n) => [n.node, n.status])).toEqual([
      ['fa', 'failed'],
      ['fb', 'succeeded'],
      ['fc', 'skipped'],
    ]);
    expect(cluster.fake.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/jobs') && !q.query.dryRun)).toHaveLength(2);
  });

  it('refuses to start while paused', async () => {
    const preview = (await (await fleet({ dryRun: true })).json()) as FleetPreview;
    await t.store.remediations.updateSettings({ paused: true, pauseReason: 'maintenance window', now: new Date().toISOString() });
    const res = await fleet({ plans: preview.nodes.map((n) => ({ node: n.node, planId: n.preview!.planId })) });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toContain('maintenance window');
  });
});
