// RBAC sufficiency and minimality, discovered rather than listed: the real server (child process, API only) runs
// against the fake API server and is driven through everything that reaches Kubernetes (the Node informer, the
// aws-node read, agent TokenReviews and the pod lookup for pod-bound tokens, the VethMACAddressMismatch condition
// and Node Events, and a remediation from preview to its Job's log). Every request the fake received must be
// allowed by the rendered Roles and ClusterRoles bound to vethwatch-server, and every rule they grant must have
// been used by some request.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REMEDIATION_VERSION } from '@/lib/report/remediation';
import { buildReport, nextReport } from '@/lib/report/fixtures';
import type { ApplyResponse, PlanPreview } from '@/lib/remediation/types';
import { makeNode } from '@/test/fake-kube/cluster';
import { FakeKube } from '@/test/fake-kube/server';
import { eventually, startServerProcess, type ServerProcess } from '@/test/support/serverProcess';
import { allows, attributesOf, type Grant, grantsFor, type RequestAttributes } from './tools/rbac';
import { kustomize } from './tools/render';

const base = kustomize(path.dirname(fileURLToPath(import.meta.url)));
const SERVER_SA = { namespace: 'vethwatch', name: 'vethwatch-server' };
const NODE = 'ip-10-0-1-23.ec2.internal';
const OPERATOR_TOKEN = `operator-${randomBytes(12).toString('hex')}`;
const jwt = () => `eyJhbGciOiJSUzI1NiJ9.${randomBytes(24).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
const TOK_NODE = jwt(); // node-bound projected token (Kubernetes >= 1.30)
const TOK_POD = jwt(); // pod-bound only: the server looks the pod up to find its node

let fake: FakeKube;
let server: ServerProcess;
let dir: string;

beforeAll(async () => {
  fake = await FakeKube.start({ user: 'system:serviceaccount:vethwatch:vethwatch-server' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-rbac-'));
  const nodeUid = fake.upsertNode(makeNode(NODE)).metadata.uid;
  fake.put('daemonsets', {
    metadata: { name: 'aws-node', namespace: 'kube-system' },
    spec: { template: { spec: { containers: [{ name: 'aws-node', image: '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.2' }] } } },
  });
  fake.put('pods', {
    metadata: { name: 'vethwatch-agent-x1', namespace: 'vethwatch' },
    spec: { nodeName: NODE, containers: [{ name: 'agent', image: 'ghcr.io/vethwatch/agent:0.1.0' }] },
    status: { phase: 'Running' },
  });
  fake.addServiceAccountToken(TOK_NODE, { namespace: 'vethwatch', name: 'vethwatch-agent', podName: 'vethwatch-agent-x0', podUid: 'u0', nodeName: NODE, nodeUid, audiences: ['vethwatch'] });
  fake.addToken(TOK_POD, {
    username: 'system:serviceaccount:vethwatch:vethwatch-agent',
    uid: 'sa-uid',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:vethwatch', 'system:authenticated'],
    extra: { 'authentication.kubernetes.io/pod-name': ['vethwatch-agent-x1'], 'authentication.kubernetes.io/pod-uid': ['u1'] },
    audiences: ['vethwatch'],
  });
  server = await startServerProcess({
    HOME: dir,
    VETHWATCH_DB: path.join(dir, 'db.sqlite'),
    KUBECONFIG: fake.writeKubeconfig(dir),
    VETHWATCH_EXECUTOR: 'kubernetes',
    VETHWATCH_AGENT_IMAGE: 'ghcr.io/vethwatch/agent:0.1.0',
    VETHWATCH_NAMESPACE: 'vethwatch',
    VETHWATCH_OPERATOR_TOKEN: OPERATOR_TOKEN,
    VETHWATCH_AWS_NODE_REFRESH_SECONDS: '0.2',
    VETHWATCH_CONDITION_POLL_SECONDS: '0.2',
  });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await fake?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function report(body: object, token: string): Promise<number> {
  const res = await fetch(`${server.url}/api/v1/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  await res.body?.cancel();
  return res.status;
}

async function remediate(body: object): Promise<Response> {
  return fetch(`${server.url}/api/v1/nodes/${NODE}/remediations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const seen = (method: string, p: RegExp) => fake.requests.some((r) => r.method === method && p.test(r.path) && r.status < 300);

/** Each (namespace, group, resource, verb, name) a grant allows, one per combination. */
function grantedCombinations(grants: Grant[]): Array<Grant & { label: string }> {
  return grants.flatMap((g) =>
    g.apiGroups.flatMap((group) =>
      g.resources.flatMap((resource) =>
        g.verbs.map((verb) => ({ ...g, apiGroups: [group], resources: [resource], verbs: [verb], label: `${g.namespace ?? '*'} ${group}/${resource} ${verb}` })),
      ),
    ),
  );
}

describe('the server against the fake API server', () => {
  it('makes every kind of request it can', async () => {
    const first = buildReport({ node: NODE, veths: 3, mismatched: 1, policy: 'persistent' });
    expect(await report(first, TOK_NODE)).toBe(202);
    expect(await report(nextReport(first, 1), TOK_POD)).toBe(202);
    await eventually(() => (seen('PATCH', /^\/api\/v1\/nodes\/[^/]+\/status$/) && seen('POST', /^\/api\/v1\/namespaces\/default\/events$/) ? true : undefined), 'the condition and an Event');
    await eventually(() => (seen('GET', /^\/apis\/apps\/v1\/namespaces\/kube-system\/daemonsets\/aws-node$/) ? true : undefined), 'the aws-node read');

    const preview = await remediate({ dryRun: true });
    expect(preview.status).toBe(200);
    const { planId } = (await preview.json()) as PlanPreview;
    const applied = await remediate({ planId });
    expect(applied.status).toBe(202);
    const { remediation } = (await applied.json()) as ApplyResponse;
    const jobName = await eventually(() => remediation.jobName ?? (fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/jobs') && !r.query.dryRun && r.status === 201)?.body as { metadata: { name: string } } | undefined)?.metadata.name, 'the Job');
    // Finish it once the server follows it with a watch, as it does for any Job that outlives its first read.
    await eventually(() => (fake.requests.some((r) => r.method === 'GET' && r.path === '/apis/batch/v1/namespaces/vethwatch/jobs' && r.query.watch === 'true') ? true : undefined), 'the Job watch');
    const t = new Date().toISOString();
    const result = { version: REMEDIATION_VERSION, planId, node: NODE, startedAt: t, finishedAt: t, changed: [], repaired: [], verified: true, errors: [], notes: [], newVeth: null, summary: 'ok' };
    fake.finishJob('vethwatch', jobName, { outcome: 'Succeeded', terminationMessage: JSON.stringify(result), log: 'ok\n' });
    await eventually(() => (seen('GET', /\/pods\/[^/]+\/log$/) ? true : undefined), "the Job pod's log");
  }, 60_000);

  it('every request it made is allowed by the rendered RBAC for vethwatch-server', () => {
    const grants = grantsFor(base, SERVER_SA);
    const refused = fake.requests.map((r) => ({ r, a: attributesOf(r.method, r.path, r.query) })).filter(({ a }) => !allows(grants, a));
    expect(refused.map(({ r, a }) => `${r.method} ${r.path}?${new URLSearchParams(r.query)} -> ${JSON.stringify(a)}`)).toEqual([]);
    expect(fake.requests.length).toBeGreaterThan(10);
  });

  it('every rule the RBAC grants was used (nothing granted just in case)', () => {
    const used: RequestAttributes[] = fake.requests.map((r) => attributesOf(r.method, r.path, r.query));
    const unused = grantedCombinations(grantsFor(base, SERVER_SA))
      .filter((g) => !used.some((a) => allows([g], a)))
      .map((g) => g.label);
    expect(unused).toEqual([]);
  });
});
