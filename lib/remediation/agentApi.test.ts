// The local executor's server side over real HTTP, on both store engines: an operator applies a plan, the node's
// agent claims it with its token (POST /api/v1/agent/remediations/claim) and posts the run's document back; bad
// credentials, other nodes, hostile or oversized bodies change nothing; runs nobody claims or finishes fail on the
// sweep. The agent's half, against the real kernel, is local.host.test.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgentAuthenticator } from '../auth/agentIdentity';
import { createEventBus } from '../events/bus';
import { ingestReport } from '../ingest/ingestReport';
import { buildReport } from '../report/fixtures';
import { AGENT_CLAIM_PATH, agentResultPath, REMEDIATION_VERSION, type AgentRunReport, type RemediationResult } from '../report/remediation';
import { testEngines, type TestStore } from '../store/testing';
import { handleAgentApiRequest } from './agentHttp';
import { remediationConfigFromEnv } from './config';
import { handleNodeRemediationsPost, type HandlerContext } from './handlers';
import { expireLocal } from './localExecutor';
import type { RemediationRuntime } from './runtime';
import { asToken, ctxOf, request, testRuntime } from './testSupport';
import type { ApplyResponse, PlanPreview } from './types';

const NODE = 'here-1';
const OTHER = 'elsewhere-2';
const AGENT_TOKEN = 'agent-token-for-tests-0123456789';

function resultFor(planId: string, node = NODE): RemediationResult {
  const t = new Date().toISOString();
  return {
    version: REMEDIATION_VERSION,
    planId,
    node,
    startedAt: t,
    finishedAt: t,
    changed: ['wrote /etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf'],
    repaired: [],
    verified: true,
    errors: [],
    notes: [],
    newVeth: null,
    summary: 'wrote the drop-in; verified',
  };
}

describe.each(testEngines)('the local agent\'s remediation endpoints on $name', (engine) => {
  let t: TestStore;
  let runtime: RemediationRuntime;
  let ctx: HandlerContext;
  let server: Server;
  let base = '';
  const bus = createEventBus();

  async function start(env: Record<string, string>): Promise<void> {
    runtime = testRuntime(t.store, remediationConfigFromEnv(env), bus);
    ctx = ctxOf(runtime);
    const auth = createAgentAuthenticator({ sharedToken: AGENT_TOKEN, reviewer: null });
    server = createServer((req, res) => {
      const pathname = (req.url ?? '/').split('?')[0];
      void handleAgentApiRequest(req, res, pathname, { authenticate: auth.authenticate, remediation: () => runtime.deps() });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  beforeEach(async () => {
    t = await engine.open();
    await start({ VETHWATCH_KUBE: '0', NODE_NAME: NODE });
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
    await runtime.close();
    await t.cleanup();
  });

  const agent = (path: string, body: unknown, token: string | null = AGENT_TOKEN, method = 'POST') =>
    fetch(`${base}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      body: method === 'GET' ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });

  /** An operator previews and applies a fix for NODE: the run is pending, waiting for the agent. */
  async function applied(): Promise<{ id: string; planId: string }> {
    await ingestReport(t.store, buildReport({ node: NODE, mismatched: 1 }), { bus });
    const preview = (await (await handleNodeRemediationsPost(request(`/api/v1/nodes/${NODE}/remediations`, { body: { dryRun: true }, headers: asToken }), NODE, ctx)).json()) as PlanPreview;
    expect(preview.command).toEqual(['agent', 'remediate', '--plan-id', preview.planId, '--node', NODE]);
    const res = await handleNodeRemediationsPost(request(`/api/v1/nodes/${NODE}/remediations`, { body: { planId: preview.planId }, headers: asToken }), NODE, ctx);
    expect(res.status).toBe(202);
    const { remediation } = (await res.json()) as ApplyResponse;
    expect(remediation).toMatchObject({ status: 'pending', executor: 'local' });
    return { id: remediation.id, planId: preview.planId };
  }

  const status = async (id: string) => (await t.store.remediations.get(id))!.status;

  it('hands the pending run to its own node\'s agent, once, and to nobody without the token', async () => {
    const { id, planId } = await applied();
    expect((await agent(AGENT_CLAIM_PATH, { node: NODE }, null)).status).toBe(401);
    expect((await agent(AGENT_CLAIM_PATH, { node: NODE }, 'not-the-agent-token-at-all')).status).toBe(401);
    expect((await agent(AGENT_CLAIM_PATH, { node: OTHER })).status).toBe(204);
    expect(await status(id)).toBe('pending');

    const claimed = await agent(AGENT_CLAIM_PATH, { node: NODE });
    expect(claimed.status).toBe(200);
    expect(await claimed.json()).toEqual({ remediationId: id, node: NODE, planId });
    expect(await status(id)).toBe('running');
    expect((await agent(AGENT_CLAIM_PATH, { node: NODE })).status).toBe(204);
  });

  it('answers bad requests with a 4xx that changes nothing', async () => {
    const { id, planId } = await applied();
    expect((await agent(AGENT_CLAIM_PATH, { node: NODE, extra: 1 })).status).toBe(422);
    expect((await agent(AGENT_CLAIM_PATH, '{not json')).status).toBe(400);
    expect((await agent(AGENT_CLAIM_PATH, 'x'.repeat(64 * 1024))).status).toBe(413);
    expect((await agent(AGENT_CLAIM_PATH, null, AGENT_TOKEN, 'GET')).status).toBe(405);
    expect((await agent('/api/v1/agent/whatever', {})).status).toBe(404);
    expect(await status(id)).toBe('pending');

    await agent(AGENT_CLAIM_PATH, { node: NODE });
    const good: AgentRunReport = { exitCode: 0, output: resultFor(planId), log: '' };
    expect((await agent(agentResultPath(id), { ...good, output: { ...good.output, verified: 'yes' } })).status).toBe(422);
    expect((await agent(agentResultPath(id), { ...good, exitCode: 256 })).status).toBe(422);
    expect((await agent(agentResultPath(id), { ...good, log: 'x'.repeat(64 * 1024 + 1) })).status).toBe(422);
    expect((await agent(agentResultPath(id), 'x'.repeat(5 * 1024 * 1024))).status).toBe(413);
    expect((await agent(agentResultPath(id), good, null)).status).toBe(401);
    // Another node's agent learns nothing about this run.
    expect((await agent(agentResultPath(id), { ...good, output: resultFor(planId, OTHER) })).status).toBe(404);
    expect(await status(id)).toBe('running');
  });

  it('stores the agent\'s result as the evidence and finishes the run; a second result is a conflict', async () => {
    const { id, planId } = await applied();
    // Not claimed yet: nothing to report on.
    expect((await agent(agentResultPath(id), { exitCode: 0, output: resultFor(planId) })).status).toBe(409);
    await agent(AGENT_CLAIM_PATH, { node: NODE });
    const res = await agent(agentResultPath(id), { exitCode: 0, output: resultFor(planId), log: 'ran here\n' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ remediationId: id, status: 'succeeded' });
    const rec = (await t.store.remediations.get(id))!;
    expect(rec).toMatchObject({ status: 'succeeded', error: null });
    expect(rec.evidence).toMatchObject({ podName: 'local', exitCode: 0, terminationReason: 'Completed', log: 'ran here\n', result: { planId, node: NODE, verified: true } });
    expect(rec.verification.agent).toEqual({ verified: true, summary: 'wrote the drop-in; verified' });
    expect((await t.store.remediations.listAudit()).entries.map((e) => e.action)).toContain('finished');
    expect((await agent(agentResultPath(id), { exitCode: 0, output: resultFor(planId) })).status).toBe(409);
  });

  it('fails the run with the agent\'s reason when the node changed since the preview (exit 3)', async () => {
    const { id, planId } = await applied();
    const claimed = (await (await agent(AGENT_CLAIM_PATH, { node: NODE })).json()) as { remediationId: string };
    const current = (await t.store.remediations.get(claimed.remediationId))!.plan;
    const mismatch = { version: REMEDIATION_VERSION, error: 'plan-changed', message: 'the node changed', expectedPlanId: planId, plan: { ...current, id: 'ffffffffffffffff' } };
    expect((await agent(agentResultPath(id), { exitCode: 3, output: mismatch })).status).toBe(200);
    const rec = (await t.store.remediations.get(id))!;
    expect(rec.status).toBe('failed');
    expect(rec.error).toContain('the node changed since the preview');
    expect(rec.error).toContain('ffffffffffffffff');
  });

  it('fails a run no agent claims, and a claimed run whose agent never reports, on the sweep', async () => {
    const { id } = await applied();
    const deps = await runtime.deps();
    expect(await expireLocal(deps)).toBe(0);
    expect(await expireLocal({ ...deps, now: () => new Date(Date.now() + deps.config.claimTimeoutMs + 1000) })).toBe(1);
    const unclaimed = (await t.store.remediations.get(id))!;
    expect(unclaimed.status).toBe('failed');
    expect(unclaimed.error).toMatch(/no agent on node here-1 picked the remediation up.*--remediate/);

    const second = await applied();
    await agent(AGENT_CLAIM_PATH, { node: NODE });
    // Claimed: the claim timeout no longer applies, the run timeout does.
    expect(await expireLocal({ ...deps, now: () => new Date(Date.now() + deps.config.claimTimeoutMs + 1000) })).toBe(0);
    expect(await expireLocal({ ...deps, now: () => new Date(Date.now() + deps.config.runTimeoutMs + 1000) })).toBe(1);
    const silent = (await t.store.remediations.get(second.id))!;
    expect(silent.status).toBe('failed');
    expect(silent.error).toMatch(/did not report a result/);
  });

  it('hands out nothing when this server does not use the local executor', async () => {
    await new Promise((r) => server.close(r));
    await runtime.close();
    await start({ VETHWATCH_EXECUTOR: 'none' });
    expect((await agent(AGENT_CLAIM_PATH, { node: NODE })).status).toBe(204);
  });
});
