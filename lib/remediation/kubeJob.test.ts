// The Kubernetes path end to end through the API handlers, against the fake API server: preview (with the Job's
// server-side dry run), apply (dry run, then create: the exact requests), progress watched to completion, the
// pod's log and termination message stored, refusals (dry run forbidden, AlreadyExists), verification from the
// node's next report, and the audit trail. On both store engines.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REMEDIATION_VERSION, type RemediationResult } from '../report/remediation';
import { startFakeCluster, type FakeCluster } from '../../test/fake-kube/cluster';
import { createEventBus } from '../events/bus';
import { ingestReport } from '../ingest/ingestReport';
import { buildReport } from '../report/fixtures';
import { testEngines, type TestStore } from '../store/testing';
import { remediationConfigFromEnv } from './config';
import { handleAuditGet, handleMe, handleNodeRemediationsPost, handleRemediationGet, handleSettingsPut, type HandlerContext } from './handlers';
import type { RemediationRuntime } from './runtime';
import { asToken, ctxOf, request, testRuntime, until } from './testSupport';
import type { ApplyResponse, AuditPage, MeResponse, PlanPreview, RemediationErrorBody, RemediationRecord } from './types';

const NODE = 'ip-10-0-1-23.ec2.internal';
const NS = 'vethwatch';
const IMAGE = 'ghcr.io/vethwatch/agent:test';

let cluster: FakeCluster;
beforeAll(async () => {
  cluster = await startFakeCluster();
});
afterAll(async () => {
  await cluster.close();
});

function resultFor(planId: string, verified = true): RemediationResult {
  const t = new Date().toISOString();
  return {
    version: REMEDIATION_VERSION,
    planId,
    node: NODE,
    startedAt: t,
    finishedAt: t,
    changed: ['wrote /host/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf'],
    repaired: [],
    verified,
    errors: [],
    notes: [],
    newVeth: null,
    summary: verified ? 'wrote the drop-in, repaired 1 pod(s); verified' : 'NOT verified',
  };
}

describe.each(testEngines)('remediation Jobs on $name', (engine) => {
  let t: TestStore;
  let runtime: RemediationRuntime;
  let ctx: HandlerContext;
  const bus = createEventBus();

  beforeEach(async () => {
    t = await engine.open();
    const config = remediationConfigFromEnv({ KUBECONFIG: cluster.kubeconfig, VETHWATCH_AGENT_IMAGE: IMAGE, VETHWATCH_NAMESPACE: NS });
    runtime = testRuntime(t.store, config, bus);
    ctx = ctxOf(runtime);
    cluster.fake.clearRequests();
    cluster.fake.clearForbidRules();
    await ingestReport(t.store, buildReport({ node: NODE, mismatched: 1 }), { bus });
  });
  afterEach(async () => {
    await runtime.close();
    await t.cleanup();
  });

  const post = (body: unknown, headers: Record<string, string> = asToken) =>
    handleNodeRemediationsPost(request(`/api/v1/nodes/${NODE}/remediations`, { body, headers }), NODE, ctx);
  const get = async (id: string) => (await (await handleRemediationGet(request(`/api/v1/remediations/${id}`), id, ctx)).json()) as RemediationRecord;
  const jobPosts = () => cluster.fake.requests.filter((r) => r.method === 'POST' && r.path === `/apis/batch/v1/namespaces/${NS}/jobs`);

  it('says who runs remediations', async () => {
    const me = (await (await handleMe(request('/api/v1/me', { headers: asToken }), ctx)).json()) as MeResponse;
    expect(me).toMatchObject({ role: 'operator', via: 'token', executor: 'kubernetes', canRemediate: true, localNode: null });
    expect(me.executorDetail).toContain(`namespace ${NS}`);
  });

  it('previews with a dry run, applies with dry run then create, watches to completion and keeps the evidence', async () => {
    const res = await post({ dryRun: true });
    expect(res.status).toBe(200);
    const preview = (await res.json()) as PlanPreview;
    expect(preview).toMatchObject({ node: NODE, executor: 'kubernetes', nothingToDo: false, jobDryRun: { ok: true }, blockers: [], command: null });
    expect(preview.plan.id).toBe(preview.planId);
    expect(preview.plan.repairs).toHaveLength(1);
    expect(preview.plan.dropIn).toMatchObject({ action: 'write', path: '/host/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf' });
    const container = (preview.job!.spec as any).spec.template.spec.containers[0];
    expect(container.args).toEqual(['remediate', '--plan-id', preview.planId, '--root', '/host', '--node', NODE]);
    expect((preview.job!.spec as any).spec.template.spec.nodeName ?? JSON.stringify((preview.job!.spec as any).spec.template.spec)).toContain(NODE);
    expect(jobPosts().map((r) => r.query)).toEqual([{ dryRun: 'All' }]);
    cluster.fake.clearRequests();

    const applied = await post({ planId: preview.planId });
    expect(applied.status).toBe(202);
    const { remediation } = (await applied.json()) as ApplyResponse;
    expect(remediation).toMatchObject({ id: preview.remediationId, status: 'pending', jobName: preview.job!.name, jobNamespace: NS, requestedBy: 'operator', via: 'token' });
    // Exactly: the dry run, then the create, of the same object.
    const posts = jobPosts();
    expect(posts.map((r) => r.query)).toEqual([{ dryRun: 'All' }, {}]);
    expect(posts[0].body).toEqual(posts[1].body);
    expect((posts[1].body as any).metadata.name).toBe(preview.job!.name);

    cluster.fake.startJobPod(NS, preview.job!.name, 'scanning node\n');
    await until('running', async () => (await get(remediation.id)).status === 'running');
    const running = await get(remediation.id);
    expect(running.progress?.phase).toMatch(/Running|Pending/);
    expect(running.startedAt).not.toBeNull();

    const result = resultFor(preview.planId);
    cluster.fake.finishJob(NS, preview.job!.name, { outcome: 'Succeeded', terminationMessage: JSON.stringify(result), log: 'scanning node\nwrote drop-in\n' });
    const done = await until('succeeded', async () => {
      const r = await get(remediation.id);
      return r.status === 'succeeded' ? r : null;
    });
    expect(done.evidence).toMatchObject({ exitCode: 0, terminationReason: 'Completed', log: 'scanning node\nwrote drop-in\n', terminationMessage: JSON.stringify(result) });
    expect(done.evidence!.result).toEqual(result);
    expect(done.evidence!.podName).toMatch(new RegExp(`^${preview.job!.name}-`));
    expect(done.verification).toEqual({ agent: { verified: true, summary: result.summary }, nextReport: null });
    expect(done.finishedAt).not.toBeNull();
    expect(await t.store.remediations.listActive(NODE)).toEqual([]);

    // The node's next report shows the fix: verified.
    await runtime.verify(NODE);
    expect((await get(remediation.id)).status).toBe('succeeded'); // no report since it finished yet
    await ingestReport(t.store, buildReport({ node: NODE, mismatched: 0, policy: 'none' }), { bus });
    await runtime.verify(NODE);
    const verified = await get(remediation.id);
    expect(verified.status).toBe('verified');
    expect(verified.verification.nextReport).toMatchObject({ verified: true });

    const audit = (await (await handleAuditGet(request('/api/v1/audit'), ctx)).json()) as AuditPage;
    expect(audit.entries.map((e) => e.action)).toEqual(['verified', 'finished', 'apply', 'preview']);
    expect(audit.entries.find((e) => e.action === 'apply')).toMatchObject({ actor: 'operator', via: 'token', node: NODE, planId: preview.planId, jobName: preview.job!.name });
    expect(audit.entries.find((e) => e.action === 'finished')).toMatchObject({ result: 'succeeded', verification: 'agent verified', jobName: preview.job!.name });
  });

  it('marks a success unverified when the next report still shows the fault', async () => {
    const preview = (await (await post({ dryRun: true })).json()) as PlanPreview;
    const { remediation } = (await (await post({ planId: preview.planId })).json()) as ApplyResponse;
    cluster.fake.finishJob(NS, remediation.jobName!, { outcome: 'Succeeded', terminationMessage: JSON.stringify(resultFor(preview.planId)) });
    await until('succeeded', async () => (await get(remediation.id)).status === 'succeeded');
    await ingestReport(t.store, buildReport({ node: NODE, mismatched: 2 }), { bus });
    await runtime.verify(NODE);
    const r = await get(remediation.id);
    expect(r.status).toBe('unverified');
    expect(r.verification.nextReport?.verified).toBe(false);
    expect(r.verification.nextReport?.reason).toMatch(/2 veth\(s\) still mismatch/);
    expect(r.verification.nextReport?.reason).toMatch(/udev still rewrites new veths/);
    expect(r.error).toMatch(/not verified by the next report/);
  });

  it('stores a failed Job with its log and the agent\'s errors', async () => {
    const preview = (await (await post({ dryRun: true })).json()) as PlanPreview;
    const { remediation } = (await (await post({ planId: preview.planId })).json()) as ApplyResponse;
    const bad = { ...resultFor(preview.planId, false), errors: [{ step: 'repair' as const, hostIfname: 'eni123', message: 'RTNETLINK answers: Operation not permitted' }] };
    cluster.fake.finishJob(NS, remediation.jobName!, { outcome: 'Failed', exitCode: 1, terminationMessage: JSON.stringify(bad), log: 'repair failed\n' });
    const r = await until('failed', async () => {
      const x = await get(remediation.id);
      return x.status === 'failed' ? x : null;
    });
    expect(r.error).toContain('RTNETLINK answers: Operation not permitted');
    expect(r.evidence).toMatchObject({ exitCode: 1, log: 'repair failed\n' });
    expect(r.verification.agent).toEqual({ verified: false, summary: 'NOT verified' });
    expect(await t.store.remediations.listActive()).toEqual([]);
  });

  it('shows a dry-run refusal in the preview and in the apply answer, and creates nothing', async () => {
    const denial = 'admission webhook "policy.example.com" denied the request: privileged pods are not allowed in namespace vethwatch';
    cluster.fake.forbid({ verb: 'create', resource: 'jobs', namespace: NS, message: denial });
    const preview = (await (await post({ dryRun: true })).json()) as PlanPreview;
    expect(preview.jobDryRun).toEqual({ ok: false, message: denial, reason: 'Forbidden' });
    expect(preview.blockers.join('\n')).toContain(denial);

    const res = await post({ planId: preview.planId });
    expect(res.status).toBe(422);
    const body = (await res.json()) as RemediationErrorBody;
    expect(body.code).toBe('dry-run-refused');
    expect(body.error).toContain('server-side dry run');
    expect(body.error).toContain(denial);
    expect(jobPosts().map((r) => r.query)).toEqual([{ dryRun: 'All' }, { dryRun: 'All' }]);
    const rec = await get(preview.remediationId);
    expect(rec).toMatchObject({ status: 'failed', dryRunError: denial });
    expect(await t.store.remediations.listActive()).toEqual([]);
    const audit = (await (await handleAuditGet(request('/api/v1/audit'), ctx)).json()) as AuditPage;
    expect(audit.entries[0]).toMatchObject({ action: 'refused', node: NODE, planId: preview.planId });
    expect(audit.entries[0].result).toContain(denial);
  });

  it('answers 409 when the Job already exists', async () => {
    const preview = (await (await post({ dryRun: true })).json()) as PlanPreview;
    cluster.fake.put('jobs', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: preview.job!.name, namespace: NS }, spec: { template: { spec: { containers: [{ name: 'x', image: 'x' }], restartPolicy: 'Never' } } } });
    const res = await post({ planId: preview.planId });
    expect(res.status).toBe(409);
    expect((await res.json()) as RemediationErrorBody).toMatchObject({ code: 'job-exists', error: expect.stringMatching(/already exists/) });
    expect((await get(preview.remediationId)).status).toBe('failed');
  });

  it('refuses a second remediation on the node, a paused fleet, and unknown or reused plan ids', async () => {
    const a = (await (await post({ dryRun: true })).json()) as PlanPreview;
    const b = (await (await post({ dryRun: true })).json()) as PlanPreview;
    expect(a.planId).toBe(b.planId); // same node state, same plan
    // Two concurrent applies of the two previews: one starts, one is refused.
    const [r1, r2] = await Promise.all([post({ planId: a.planId }), post({ planId: a.planId })]);
    expect([r1.status, r2.status].sort()).toEqual([202, 409]);
    const third = await post({ planId: a.planId });
    expect(third.status).toBe(409);
    expect(((await third.json()) as { error: string }).error).toMatch(/already (has a remediation in progress|applied)/);
    expect((await post({ planId: '0123456789abcdef' })).status).toBe(409);
    expect((await post({ planId: 'nope' })).status).toBe(422);
    expect((await post({})).status).toBe(422);

    const paused = await handleSettingsPut(request('/api/v1/remediation-settings', { method: 'PUT', body: { paused: true }, headers: asToken }), ctx);
    expect(paused.status).toBe(422); // a reason is required
    const ok = await handleSettingsPut(request('/api/v1/remediation-settings', { method: 'PUT', body: { paused: true, reason: 'incident 4711' }, headers: asToken }), ctx);
    expect(ok.status).toBe(200);
    const other = 'ip-10-0-9-9.ec2.internal';
    await ingestReport(t.store, buildReport({ node: other, mismatched: 1 }), { bus });
    const p = (await (await handleNodeRemediationsPost(request(`/api/v1/nodes/${other}/remediations`, { body: { dryRun: true }, headers: asToken }), other, ctx)).json()) as PlanPreview;
    expect(p.blockers.join()).toContain('incident 4711');
    const refused = await handleNodeRemediationsPost(request(`/api/v1/nodes/${other}/remediations`, { body: { planId: p.planId }, headers: asToken }), other, ctx);
    expect(refused.status).toBe(409);
    expect((await refused.json()) as RemediationErrorBody).toMatchObject({ code: 'paused', error: expect.stringContaining('incident 4711') });
  });

  it('answers 404 for a node that never reported', async () => {
    const res = await handleNodeRemediationsPost(request('/api/v1/nodes/nope/remediations', { body: { dryRun: true }, headers: asToken }), 'nope', ctx);
    expect(res.status).toBe(404);
  });
});
