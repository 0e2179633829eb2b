// A fleet run's life across restarts, slot waits and pauses, on both engines, against the fake API server: a run
// left 'running' by a stopped server becomes 'interrupted' at the next start and an operator resumes it; a run another
// live replica drives is left alone; waiting for a free slot writes one audit entry, not one per poll; a pause while a
// wave waits for its slot ends the run 'stopped'.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCluster, type FakeCluster } from '../../test/fake-kube/cluster';
import { createEventBus } from '../events/bus';
import { ingestReport } from '../ingest/ingestReport';
import { buildReport } from '../report/fixtures';
import { createStore, type Store } from '../store';
import { testEngines, type TestStore } from '../store/testing';
import { remediationConfigFromEnv, type RemediationConfig } from './config';
import { recoverFleetRuns } from './fleet';
import { handleFleetGet, handleFleetPost, handleNodeRemediationsPost, type HandlerContext } from './handlers';
import type { RemediationRuntime } from './runtime';
import { asToken, ctxOf, request, testRuntime, until } from './testSupport';
import type { AuditEntry, FleetPreview, FleetRun, PlanPreview } from './types';

const NS = 'vethwatch';
let cluster: FakeCluster;
beforeAll(async () => {
  cluster = await startFakeCluster();
});
afterAll(async () => {
  await cluster.close();
});

describe.each(testEngines)('fleet run lifecycle on $name', (engine) => {
  let t: TestStore;
  let config: RemediationConfig;
  const bus = createEventBus();
  const runtimes: RemediationRuntime[] = [];
  const extraStores: Store[] = [];

  const runtimeOn = (store: Store) => {
    const r = testRuntime(store, config, bus);
    runtimes.push(r);
    return ctxOf(r);
  };
  const fleet = async (ctx: HandlerContext, body: unknown) => handleFleetPost(request('/api/v1/remediations/fleet', { body, headers: asToken }), ctx);
  const get = async (ctx: HandlerContext, id: string) => (await (await handleFleetGet(request(`/api/v1/remediations/fleet/${id}`), id, ctx)).json()) as FleetRun;
  const jobOf = async (store: Store, r: FleetRun, node: string) => (await store.remediations.get(r.nodes.find((n) => n.node === node)!.remediationId!))!.jobName!;
  const audit = async (store: Store, action: AuditEntry['action']) => (await store.remediations.listAudit({ limit: 1000 })).entries.filter((e) => e.action === action);
  const startRun = async (ctx: HandlerContext, nodes?: string[]) => {
    const preview = (await (await fleet(ctx, { dryRun: true })).json()) as FleetPreview;
    const plans = preview.nodes.filter((n) => !nodes || nodes.includes(n.node)).map((n) => ({ node: n.node, planId: n.preview!.planId }));
    const res = await fleet(ctx, { plans });
    expect(res.status).toBe(202);
    return (await res.json()) as FleetRun;
  };

  beforeEach(async () => {
    t = await engine.open();
    config = remediationConfigFromEnv({ KUBECONFIG: cluster.kubeconfig, VETHWATCH_AGENT_IMAGE: 'agent:test', VETHWATCH_NAMESPACE: NS });
    cluster.fake.clearRequests();
    for (const n of ['fa', 'fb', 'fc']) await ingestReport(t.store, buildReport({ node: n, mismatched: 1 }), { bus });
    await t.store.remediations.updateSettings({ maxConcurrent: 2, now: new Date().toISOString() });
  });
  afterEach(async () => {
    for (const r of runtimes.splice(0)) await r.close();
    for (const s of extraStores.splice(0)) await s.close();
    await t.cleanup();
  });

  it('a run left running by a stopped server is interrupted at the next start, and an operator resumes it', async () => {
    const first = runtimeOn(t.store);
    const started = await startRun(first);
    const r = await until('wave 1 started', async () => {
      const x = await get(first, started.id);
      return x.nodes.filter((n) => n.remediationId).length === 2 ? x : null;
    });
    // The server stops: its runtime closes (shutdown), the run is left as it was.
    await runtimes[0].close();
    expect((await t.store.remediations.getFleetRun(started.id))!.status).toBe('running');

    // The next server process: its own store connection and runtime; start-up recovery finds the abandoned run.
    const store2 = await createStore(t.config);
    extraStores.push(store2);
    const second = runtimeOn(store2);
    const interrupted = await until('run interrupted', async () => {
      const x = await get(second, started.id);
      return x.status === 'interrupted' ? x : null;
    });
    expect(interrupted.stoppedReason).toMatch(/server stopped during wave 1; not started: fc; an operator can resume/);
    expect(interrupted.nodes.find((n) => n.node === 'fc')!.status).toBeNull(); // not "skipped": it can still run
    expect((await audit(store2, 'fleet-finish')).map((e) => e.result)).toEqual(['interrupted']);

    // The first wave's Jobs finish while nobody drives the run; the operator resumes it.
    for (const n of ['fa', 'fb']) cluster.fake.finishJob(NS, await jobOf(store2, r, n), { outcome: 'Succeeded' });
    const resumed = await fleet(second, { resume: started.id });
    expect(resumed.status).toBe(202);
    expect(((await resumed.json()) as FleetRun).status).toBe('running');
    const wave2 = await until('wave 2 started', async () => {
      const x = await get(second, started.id);
      return x.nodes.find((n) => n.node === 'fc')!.remediationId ? x : null;
    });
    cluster.fake.finishJob(NS, await jobOf(store2, wave2, 'fc'), { outcome: 'Succeeded' });
    const done = await until('run finished', async () => {
      const x = await get(second, started.id);
      return x.status !== 'running' ? x : null;
    });
    expect(done.status).toBe('succeeded');
    expect(done.nodes.map((n) => n.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect((await audit(store2, 'fleet-start')).map((e) => e.detail)).toEqual([expect.stringMatching(/resumed/), expect.stringMatching(/3 node/)]);
    // Only an interrupted run can be resumed.
    expect((await fleet(second, { resume: started.id })).status).toBe(409);
    expect((await fleet(second, { resume: 'no-such-run' })).status).toBe(404);
  });

  it('waiting for a free slot writes one "fleet-wait" entry, not one per poll, then goes on', async () => {
    const ctx = runtimeOn(t.store);
    await t.store.remediations.updateSettings({ maxConcurrent: 1, now: new Date().toISOString() });
    // Someone else's remediation on fc holds the only slot.
    const post = (body: unknown) => handleNodeRemediationsPost(request('/api/v1/nodes/fc/remediations', { body, headers: asToken }), 'fc', ctx);
    const p = (await (await post({ dryRun: true })).json()) as PlanPreview;
    const outside = await post({ planId: p.planId });
    expect(outside.status).toBe(202);
    const started = await startRun(ctx, ['fa']);
    await until('the wait is audited', async () => (await audit(t.store, 'fleet-wait')).length > 0);
    // Several polls pass while the slot stays taken.
    await new Promise((r) => setTimeout(r, 2000));
    const fcJob = (await t.store.remediations.list({ node: 'fc', limit: 10 })).find((x) => x.jobName)!.jobName!;
    cluster.fake.finishJob(NS, fcJob, { outcome: 'Succeeded' });
    const r = await until('fa started', async () => {
      const x = await get(ctx, started.id);
      return x.nodes[0].remediationId ? x : null;
    });
    cluster.fake.finishJob(NS, await jobOf(t.store, r, 'fa'), { outcome: 'Succeeded' });
    expect((await until('run finished', async () => ((x) => (x.status !== 'running' ? x : null))(await get(ctx, started.id)))).status).toBe('succeeded');
    const waits = await audit(t.store, 'fleet-wait');
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatchObject({ node: 'fa', actor: 'system' });
    expect(await audit(t.store, 'refused')).toEqual([]);
  });

  it('a pause while a wave waits for its slot ends the run as stopped, not failed', async () => {
    const ctx = runtimeOn(t.store);
    const post = (body: unknown) => handleNodeRemediationsPost(request('/api/v1/nodes/fc/remediations', { body, headers: asToken }), 'fc', ctx);
    const p = (await (await post({ dryRun: true })).json()) as PlanPreview;
    expect((await post({ planId: p.planId })).status).toBe(202);
    // Cap 2: fa takes the second slot, fb (same wave) waits.
    const started = await startRun(ctx, ['fa', 'fb']);
    await until('fb waits', async () => (await audit(t.store, 'fleet-wait')).some((e) => e.node === 'fb'));
    await t.store.remediations.updateSettings({ paused: true, pauseReason: 'change freeze', now: new Date().toISOString() });
    const done = await until('run ended', async () => ((x) => (x.status !== 'running' ? x : null))(await get(ctx, started.id)));
    expect(done.status).toBe('stopped');
    expect(done.stoppedReason).toBe('paused: change freeze');
    expect(done.nodes.map((n) => [n.node, n.status === null ? null : n.status === 'skipped' ? 'skipped' : 'started'])).toEqual([
      ['fa', 'started'],
      ['fb', 'skipped'],
    ]);
  });
});

describe('a fleet run another live replica drives (postgres)', () => {
  const pg = testEngines.find((e) => e.name === 'postgres')!;
  let t: TestStore;
  const runtimes: RemediationRuntime[] = [];
  let other: Store | null = null;

  afterEach(async () => {
    for (const r of runtimes.splice(0)) await r.close();
    await other?.close();
    await t.cleanup();
  });

  it('is not interrupted by another replica starting up', async () => {
    t = await pg.open();
    const bus = createEventBus();
    const config = remediationConfigFromEnv({ KUBECONFIG: cluster.kubeconfig, VETHWATCH_AGENT_IMAGE: 'agent:test', VETHWATCH_NAMESPACE: NS });
    await ingestReport(t.store, buildReport({ node: 'fa', mismatched: 1 }), { bus });
    const a = testRuntime(t.store, config, bus);
    runtimes.push(a);
    const ctxA = ctxOf(a);
    const preview = (await (await handleFleetPost(request('/api/v1/remediations/fleet', { body: { dryRun: true }, headers: asToken }), ctxA)).json()) as FleetPreview;
    const started = (await (
      await handleFleetPost(request('/api/v1/remediations/fleet', { body: { plans: [{ node: 'fa', planId: preview.nodes[0].preview!.planId }] }, headers: asToken }), ctxA)
    ).json()) as FleetRun;
    const run = await until('fa started', async () => ((x) => (x?.nodes[0].remediationId ? x : null))(await t.store.remediations.getFleetRun(started.id)));

    // Replica B starts on the same database while A drives the run.
    other = await createStore(t.config);
    const b = testRuntime(other, config, bus);
    runtimes.push(b);
    // B's start-up recovery (run here directly, so its answer is known) leaves the run to A.
    expect(await recoverFleetRuns(await b.deps())).toEqual([]);
    expect((await other.remediations.getFleetRun(started.id))!.status).toBe('running');

    cluster.fake.finishJob(NS, (await t.store.remediations.get(run.nodes[0].remediationId!))!.jobName!, { outcome: 'Succeeded' });
    const done = await until('run finished', async () => ((x) => (x!.status !== 'running' ? x : null))(await other!.remediations.getFleetRun(started.id)));
    expect(done!.status).toBe('succeeded');
  });
});
