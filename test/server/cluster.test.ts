// The server in a cluster, end to end: the real custom server (child process, API only) with KUBECONFIG pointing at
// the fake API server. Agents authenticate with projected ServiceAccount tokens (TokenReview) and may report only
// for their own node; Nodes come from the informer (a Node without an agent is "no-agent"); the aws-node image is
// factored into each node's state; the VethMACAddressMismatch condition and Events are written; /metrics holds the
// exact figures after a known sequence of reports. Every Kubernetes request is checked as the fake received it.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, DEFAULT_LINK_PATH, nextReport } from '@/lib/report/fixtures';
import type { Report } from '@/lib/report/schema';
import type { FleetView, NodeDetail } from '@/lib/nodes/types';
import { makeNode } from '../fake-kube/cluster';
import { makeFlannelDaemonSet } from '../fake-kube/objects';
import { FakeKube, type RecordedRequest } from '../fake-kube/server';
import { eventually, startServerProcess, type ServerProcess } from '../support/serverProcess';

const SHARED = `shared-${randomBytes(8).toString('hex')}`;
const jwt = () => `eyJhbGciOiJSUzI1NiJ9.${randomBytes(24).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
const TOK_A = jwt(); // the agent pod on node-a, node-bound (Kubernetes >= 1.30)
const TOK_POD = jwt(); // the agent pod on node-a, pod-bound only: the node comes from the pod's spec.nodeName
const TOK_OTHER_SA = jwt(); // a valid token of another service account, bound to node-a
const TOK_BAD = jwt(); // unknown to the API server
const TOK_B = jwt(); // the agent pod on node-b
const AGENT_SA = 'system:serviceaccount:vethwatch:vethwatch-agent';
const T0 = Date.now();
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

let fake: FakeKube;
let server: ServerProcess;
let dir: string;
let nodeAUid: string;

function awsNodeDaemonSet(tag: string) {
  return {
    metadata: { name: 'aws-node', namespace: 'kube-system' },
    spec: {
      selector: { matchLabels: { 'k8s-app': 'aws-node' } },
      template: {
        metadata: { labels: { 'k8s-app': 'aws-node' } },
        spec: { containers: [{ name: 'aws-node', image: `602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:${tag}` }] },
      },
    },
  };
}

async function post(report: Report | string, token: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/api/v1/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: typeof report === 'string' ? report : JSON.stringify(report),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

async function fleet(): Promise<FleetView> {
  const res = await fetch(`${server.url}/api/v1/nodes`);
  expect(res.status).toBe(200);
  return (await res.json()) as FleetView;
}

const requests = (method: string, p: string): RecordedRequest[] => fake.requests.filter((r) => r.method === method && r.path === p);
const tokenReviewsFor = (token: string) =>
  requests('POST', '/apis/authentication.k8s.io/v1/tokenreviews').filter((r) => (r.body as { spec?: { token?: string } })?.spec?.token === token);
const conditionPatches = () => requests('PATCH', '/api/v1/nodes/node-a/status').filter((r) => r.status === 200);
const lastCondition = () => (conditionPatches().at(-1)?.body as { status: { conditions: Array<Record<string, string>> } } | undefined)?.status.conditions[0];
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

beforeAll(async () => {
  fake = await FakeKube.start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-cluster-'));
  nodeAUid = fake.upsertNode(makeNode('node-a')).metadata.uid;
  const nodeBUid = fake.upsertNode(makeNode('node-b', { labels: { 'node.kubernetes.io/instance-type': 'm6i.large' } })).metadata.uid;
  fake.put('daemonsets', awsNodeDaemonSet('v1.19.2-eksbuild.1'));
  fake.put('pods', {
    metadata: { name: 'vethwatch-agent-x1', namespace: 'vethwatch', labels: { app: 'agent' } },
    spec: { nodeName: 'node-a', containers: [{ name: 'agent', image: 'ghcr.io/vethwatch/agent:0.1.0' }] },
    status: { phase: 'Running' },
  });
  const bound = { namespace: 'vethwatch', podName: 'vethwatch-agent-x0', podUid: 'pod-uid-x0', nodeName: 'node-a', nodeUid: nodeAUid, audiences: ['vethwatch'] };
  fake.addServiceAccountToken(TOK_A, { ...bound, name: 'vethwatch-agent' });
  fake.addServiceAccountToken(TOK_OTHER_SA, { ...bound, name: 'default' });
  fake.addServiceAccountToken(TOK_B, { ...bound, podName: 'vethwatch-agent-b0', podUid: 'pod-uid-b0', nodeName: 'node-b', nodeUid: nodeBUid, name: 'vethwatch-agent' });
  fake.addToken(TOK_POD, {
    username: AGENT_SA,
    uid: 'sa-uid',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:vethwatch', 'system:authenticated'],
    extra: { 'authentication.kubernetes.io/pod-name': ['vethwatch-agent-x1'], 'authentication.kubernetes.io/pod-uid': ['pod-uid-x1'] },
    audiences: ['vethwatch'],
  });
  server = await startServerProcess({
    HOME: dir,
    VETHWATCH_DB: path.join(dir, 'db.sqlite'),
    VETHWATCH_AGENT_TOKEN: SHARED,
    KUBECONFIG: fake.writeKubeconfig(dir),
    VETHWATCH_AWS_NODE_REFRESH_SECONDS: '0.2',
    VETHWATCH_CONDITION_POLL_SECONDS: '0.2',
    VETHWATCH_CONDITION_HEARTBEAT_SECONDS: '3600',
  });
});

afterAll(async () => {
  await server?.stop();
  await fake?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const r1 = buildReport({ node: 'node-a', veths: 3, policy: 'persistent', collectedAt: at(0) });
const r2 = nextReport(r1, 1);
const c1 = buildReport({ node: 'node-c', veths: 2, policy: 'persistent', collectedAt: at(0) });
const r3 = buildReport({ node: 'node-a', veths: 3, mismatched: 1, policy: 'persistent', collectedAt: at(3) });
const r4 = buildReport({ node: 'node-a', veths: 3, policy: 'persistent', collectedAt: at(4) });
const r5 = buildReport({ node: 'node-a', veths: 3, policy: 'none', collectedAt: at(5) });

describe('a server watching a cluster', () => {
  it('lists Kubernetes Nodes without an agent as no-agent, with the Node facts and the aws-node CNI', async () => {
    const view = await eventually(async () => {
      const f = await fleet();
      return f.nodes.length === 2 && f.awsNode ? f : undefined;
    }, 'the informer and the aws-node read');
    expect(view.awsNode).toEqual({
      image: '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1',
      version: '1.19.2',
      setsHostVethMac: false,
      recommendUpgrade: true,
    });
    expect(view.counts).toEqual({ broken: 0, 'at-risk': 0, fragile: 0, stale: 0, 'no-agent': 2, unknown: 0, healthy: 0 });
    const b = view.nodes.find((n) => n.name === 'node-b')!;
    expect(b).toMatchObject({
      state: 'no-agent',
      lastReportAt: null,
      os: { prettyName: 'Ubuntu 22.04.4 LTS', kernel: '6.5.0-1024-aws', systemdVersion: null },
      kube: {
        osImage: 'Ubuntu 22.04.4 LTS',
        kernelVersion: '6.5.0-1024-aws',
        kubeletVersion: 'v1.30.4-eks-a737599',
        containerRuntimeVersion: 'containerd://1.7.20',
        ready: true,
        labels: { 'kubernetes.io/hostname': 'node-b', 'kubernetes.io/os': 'linux', 'node.kubernetes.io/instance-type': 'm6i.large' },
      },
    });
    // The informer listed and then watched Nodes.
    await eventually(() => (requests('GET', '/api/v1/nodes').some((r) => r.query.watch === 'true') ? true : undefined), 'the Node watch');
    expect(fake.openWatchCount).toBe(1);
    expect(requests('GET', '/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node').length).toBeGreaterThan(0);
  });

  it("accepts a ServiceAccount-token report for the agent's own node, after one exact TokenReview", async () => {
    const res = await post(r1, TOK_A);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: true, outcome: 'changed' });
    const reviews = tokenReviewsFor(TOK_A);
    expect(reviews).toHaveLength(1);
    expect(reviews[0]).toMatchObject({ contentType: 'application/json', status: 201 });
    expect(reviews[0].authorization).toBe(`Bearer ${fake.token}`);
    expect(reviews[0].body).toEqual({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token: TOK_A, audiences: ['vethwatch'] },
    });
    // The unchanged repeat takes the fast path; the reviewer's cache answers, so no second TokenReview.
    const again = await post(r2, TOK_A);
    expect(again.status).toBe(202);
    expect(again.body.outcome).toBe('unchanged');
    expect(tokenReviewsFor(TOK_A)).toHaveLength(1);
  });

  it('refuses a report for another node (403, also on the unchanged fast path), a bad token (401), another service account (403)', async () => {
    expect((await post(c1, SHARED)).status).toBe(202); // the shared token may report for a node outside the cluster
    const before = await fetch(`${server.url}/api/v1/nodes/node-c`).then((r) => r.json() as Promise<NodeDetail>);

    // A body that would be node-c's unchanged repeat: the node check happens before the fast path can apply it.
    const replay = await post(nextReport(c1, 1), TOK_A);
    expect(replay.status).toBe(403);
    expect(replay.body.error).toBe('this agent\'s token is bound to node "node-a"; it may not report for "node-c"');
    const after = await fetch(`${server.url}/api/v1/nodes/node-c`).then((r) => r.json() as Promise<NodeDetail>);
    expect(after.lastReportAt).toBe(before.lastReportAt);

    const other = await post(buildReport({ node: 'node-b', collectedAt: at(1) }), TOK_A);
    expect(other.status).toBe(403);
    expect((await fleet()).nodes.find((n) => n.name === 'node-b')!.state).toBe('no-agent');

    const bad = await post(nextReport(r2, 1), TOK_BAD);
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Bearer realm="vethwatch"');
    expect(tokenReviewsFor(TOK_BAD)).toHaveLength(1);

    const notAgent = await post(nextReport(r2, 1), TOK_OTHER_SA);
    expect(notAgent.status).toBe(403);
    expect(notAgent.body.error).toBe('"system:serviceaccount:vethwatch:default" is not the agent service account (system:serviceaccount:vethwatch:vethwatch-agent)');
  });

  it("takes the node from the pod's spec.nodeName when the token has no node-name claim", async () => {
    const res = await post(nextReport(r2, 1), TOK_POD);
    expect(res.status).toBe(202);
    expect(res.body.outcome).toBe('unchanged');
    const lists = requests('GET', '/api/v1/namespaces/vethwatch/pods');
    expect(lists).toHaveLength(1);
    expect(lists[0].query).toEqual({ fieldSelector: 'metadata.name=vethwatch-agent-x1' });
  });

  it('factors the aws-node version into the state: v1.19 leaves node-a at risk, v1.20.5 makes new veths safe', async () => {
    const old = (await fleet()).nodes.find((n) => n.name === 'node-a')!;
    expect(old.state).toBe('at-risk');
    expect(old.stateReason).toBe(`udev would rewrite the MAC of new veths (MACAddressPolicy=persistent from ${DEFAULT_LINK_PATH}).`);

    fake.put('daemonsets', awsNodeDaemonSet('v1.20.5-eksbuild.1'));
    const now = await eventually(async () => {
      const f = await fleet();
      return f.awsNode?.version === '1.20.5' ? f : undefined;
    }, 'the aws-node refresh');
    expect(now.awsNode).toMatchObject({ setsHostVethMac: true, recommendUpgrade: false });
    const a = now.nodes.find((n) => n.name === 'node-a')!;
    expect(a.state).toBe('healthy');
    expect(a.stateReason).toBe(
      `New veths are safe: udev's policy would rewrite their MAC (MACAddressPolicy=persistent from ${DEFAULT_LINK_PATH}), but the Amazon VPC CNI v1.20.5 sets host veth MACs itself (v1.20.1+). Pods created by an older CNI stay at risk until repaired or recreated.`,
    );
  });

  it('sets VethMACAddressMismatch True on the first mismatch with an Event, and False when it clears', async () => {
    // Before any mismatch the condition is False (published after the first report).
    await eventually(() => (lastCondition()?.status === 'False' && lastCondition()?.message.includes('v1.20.5') ? true : undefined), 'the False condition');
    const patchesBefore = conditionPatches().length;

    expect((await post(r3, TOK_A)).status).toBe(202);
    const v = r3.veths[0];
    const truePatch = await eventually(
      () => conditionPatches().slice(patchesBefore).find((p) => (p.body as any).status.conditions[0].status === 'True'),
      'the True patch',
    );
    expect(truePatch.contentType).toBe('application/strategic-merge-patch+json');
    const cond = (truePatch.body as any).status.conditions[0];
    expect(cond.lastHeartbeatTime).toMatch(RFC3339);
    expect(truePatch.body).toEqual({
      metadata: { resourceVersion: expect.stringMatching(/^\d+$/) },
      status: {
        conditions: [
          {
            type: 'VethMACAddressMismatch',
            status: 'True',
            reason: 'MismatchedVeths',
            message: `1 pod is cut off: the gateway ARP entry points at a MAC the host veth no longer has: default/node-a-pod-0 (gateway 169.254.1.1 -> ${v.gatewayLladdr}, host veth ${v.ifname} is ${v.mac}). Repair with vethwatch or recreate the pods.`,
            lastHeartbeatTime: cond.lastHeartbeatTime,
            lastTransitionTime: cond.lastHeartbeatTime,
          },
        ],
      },
    });

    const events = await eventually(() => {
      const e = requests('POST', '/api/v1/namespaces/default/events');
      return e.length > 0 ? e : undefined;
    }, 'the Event');
    expect(events).toHaveLength(1);
    expect(events[0].status).toBe(201);
    expect(events[0].body).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { namespace: 'default', name: expect.stringMatching(/^node-a\.[0-9a-f]{16}$/) },
      involvedObject: { apiVersion: 'v1', kind: 'Node', name: 'node-a', uid: nodeAUid },
      reason: 'VethMACAddressMismatch',
      type: 'Warning',
      source: { component: 'vethwatch' },
      count: 1,
      message: `default/node-a-pod-0 is cut off: its gateway ARP entry (169.254.1.1) points at ${v.gatewayLladdr}, but host veth ${v.ifname} now has ${v.mac}.`,
    });
    // The Node object now carries the condition.
    const stored = fake.store.get('nodes', null, 'node-a')!;
    expect(stored.status.conditions.find((c: { type: string }) => c.type === 'VethMACAddressMismatch')).toMatchObject({ status: 'True', reason: 'MismatchedVeths' });

    const patchesAtTrue = conditionPatches().length;
    expect((await post(r4, TOK_A)).status).toBe(202);
    const falsePatch = await eventually(
      () => conditionPatches().slice(patchesAtTrue).find((p) => (p.body as any).status.conditions[0].status === 'False'),
      'the False patch',
    );
    const fc = (falsePatch.body as any).status.conditions[0];
    expect(falsePatch.body).toEqual({
      metadata: { resourceVersion: expect.stringMatching(/^\d+$/) },
      status: {
        conditions: [
          {
            type: 'VethMACAddressMismatch',
            status: 'False',
            reason: 'NoMismatch',
            message: `New veths are safe: udev's policy would rewrite their MAC (MACAddressPolicy=persistent from ${DEFAULT_LINK_PATH}), but the Amazon VPC CNI v1.20.5 sets host veth MACs itself (v1.20.1+). Pods created by an older CNI stay at risk until repaired or recreated.`,
            lastHeartbeatTime: fc.lastHeartbeatTime,
            lastTransitionTime: fc.lastHeartbeatTime,
          },
        ],
      },
    });
    // Clearing is not a new mismatch: still one Event.
    expect(requests('POST', '/api/v1/namespaces/default/events')).toHaveLength(1);
  });

  it('/metrics holds the exact figures after the known sequence of reports', async () => {
    expect((await post(r5, TOK_A)).status).toBe(202); // a drop-in appears: link-file drift
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    // Accepted: r1, c1, r3, r4, r5 changed; r2 and the pod-token repeat unchanged.
    expect(value('vethwatch_reports_received_total{outcome="changed"}')).toBe(5);
    expect(value('vethwatch_reports_received_total{outcome="unchanged"}')).toBe(2);
    // Refused: node-c replay, node-b, other service account (403); unknown token (401).
    expect(value('vethwatch_reports_rejected_total{reason="forbidden"}')).toBe(3);
    expect(value('vethwatch_reports_rejected_total{reason="unauthorized"}')).toBe(1);
    expect(value('vethwatch_ingest_duration_seconds_count{result="accepted"}')).toBe(7);
    expect(value('vethwatch_ingest_duration_seconds_count{result="rejected"}')).toBe(4);
    expect(value('vethwatch_veth_mac_changes_total{node="node-a"}')).toBe(2);
    expect(value('vethwatch_arp_mismatch_events_total{node="node-a"}')).toBe(1);
    expect(value('vethwatch_linkfile_drift_events_total{node="node-a",type="linkfile.appeared"}')).toBe(1);
    expect(value('vethwatch_nodes{state="healthy"}')).toBe(2);
    expect(value('vethwatch_nodes{state="no-agent"}')).toBe(1);
    expect(value('vethwatch_nodes{state="broken"}')).toBe(0);
    expect(value('vethwatch_nodes{state="at-risk"}')).toBe(0);
    expect(value('vethwatch_arp_mismatches{node="node-a"}')).toBe(0);
    expect(value('vethwatch_arp_mismatches{node="node-c"}')).toBe(0);
    expect(value('vethwatch_agent_report_age_seconds{node="node-a"}')).toBeLessThan(60);
    expect(value('vethwatch_agent_report_age_seconds{node="node-b"}')).toBeUndefined();
    expect(
      value(
        'vethwatch_aws_node_info{image="602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.20.5-eksbuild.1",version="1.20.5",sets_host_veth_mac="true",recommend_upgrade="false"}',
      ),
    ).toBe(1);
    // Service-account authentications: TOK_A on 7 reports (r1, r2, the node-c replay, node-b, r3, r4, r5) and the
    // pod-bound token once; the unknown token; the other service account. The API server was asked once per token.
    expect(value('vethwatch_agent_token_authentications_total{result="agent"}')).toBe(8);
    expect(value('vethwatch_agent_token_authentications_total{result="rejected"}')).toBe(1);
    expect(value('vethwatch_agent_token_authentications_total{result="not-agent"}')).toBe(1);
    expect(requests('POST', '/apis/authentication.k8s.io/v1/tokenreviews')).toHaveLength(4);
    expect(value('vethwatch_kube_writes_total{kind="event",result="ok"}')).toBe(1);
  });

  it('gives agent credentials nothing on the read API, and never asks the API server about a bearer there', async () => {
    const reviewsBefore = requests('POST', '/apis/authentication.k8s.io/v1/tokenreviews').length;
    // A JWT-shaped bearer on a people path is only an operator token that is not valid: whatever the route answers
    // such a token, the agent's own token gets the same, and neither costs a TokenReview.
    const unknown = jwt();
    for (const path of ['/api/v1/nodes', '/api/v1/nodes/node-c', '/api/v1/stream?lastEventId=0', '/api/v1/me']) {
      const sa = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${TOK_A}` } });
      const other = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${unknown}` } });
      expect(sa.status, path).toBe(other.status);
      await sa.body?.cancel();
      await other.body?.cancel();
    }
    expect(requests('POST', '/apis/authentication.k8s.io/v1/tokenreviews')).toHaveLength(reviewsBefore);
    const shared = await fetch(`${server.url}/api/v1/nodes/node-c`, { headers: { authorization: `Bearer ${SHARED}` } });
    const anonymous = await fetch(`${server.url}/api/v1/nodes/node-c`);
    expect(shared.status).toBe(anonymous.status);
    const strip = (d: NodeDetail) => ({ ...d, reportAgeSeconds: 0 });
    expect(strip((await shared.json()) as NodeDetail)).toEqual(strip((await anonymous.json()) as NodeDetail));
  });

  it('echoes a valid X-Request-Id (else makes one) and logs refusals with it as JSON lines', async () => {
    const res = await post(nextReport(r5, 1), TOK_BAD, { 'x-request-id': 'req-abc.123' });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-request-id')).toBe('req-abc.123');
    const made = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const line = await eventually(() => server.logLines().find((l) => l.requestId === 'req-abc.123'), 'the log line');
    expect(line).toMatchObject({ level: 'warn', msg: 'request refused', method: 'POST', path: '/api/v1/reports', status: 401 });
    expect(typeof line.time).toBe('string');
    expect(Number.isNaN(Date.parse(line.time as string))).toBe(false);
  });

  it("refuses the shared token for a Node of the cluster (also on the unchanged fast path); only that node's agent may report", async () => {
    const before = await fetch(`${server.url}/api/v1/nodes/node-a`).then((r) => r.json() as Promise<NodeDetail>);
    for (const body of [buildReport({ node: 'node-a', veths: 1, collectedAt: at(7) }), nextReport(r5, 2)]) {
      const res = await post(body, SHARED);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('"node-a" is a Node of this cluster: only its own agent\'s ServiceAccount token may report for it, not the shared token');
    }
    const after = await fetch(`${server.url}/api/v1/nodes/node-a`).then((r) => r.json() as Promise<NodeDetail>);
    expect(after.lastReportAt).toBe(before.lastReportAt);
    expect((await post(nextReport(c1, 5), SHARED)).status).toBe(202); // node-c is not a Node of this cluster
  });

  it("judges each node by its own CNI's DaemonSet: a flannel node by kube-flannel/kube-flannel-ds, not by aws-node", async () => {
    fake.put('daemonsets', makeFlannelDaemonSet('v0.21.5'));
    const b = buildReport({ node: 'node-b', policy: 'persistent', collectedAt: at(0), cni: { vethPrefix: 'veth', configFile: '/etc/cni/net.d/10-flannel.conflist', kind: 'flannel', version: null, pluginType: 'flannel' } });
    expect((await post(b, TOK_B)).status).toBe(202);
    const old = await eventually(async () => {
      const f = await fleet();
      return f.cnis?.some((c) => c.kind === 'flannel') ? f : undefined;
    }, 'the flannel DaemonSet read');
    expect(old.cnis).toEqual([
      expect.objectContaining({ kind: 'aws-vpc-cni', daemonSet: 'kube-system/aws-node', version: '1.20.5', safe: true }),
      { kind: 'flannel', name: 'Flannel', daemonSet: 'kube-flannel/kube-flannel-ds', image: 'docker.io/flannel/flannel:v0.21.5', version: '0.21.5', safe: false, recommendUpgrade: false },
    ]);
    // node-b is judged by flannel's release, not by aws-node v1.20.5 (which would make its new veths safe).
    const atRisk = old.nodes.find((n) => n.name === 'node-b')!;
    expect(atRisk.state).toBe('at-risk');
    expect(atRisk.stateReason).toBe(
      `udev would rewrite the MAC of new veths (MACAddressPolicy=persistent from ${DEFAULT_LINK_PATH}). Flannel v0.21.5 predates v0.22.3, the first release that sets these MACs itself.`,
    );

    fake.put('daemonsets', makeFlannelDaemonSet('v0.22.3'));
    const now = await eventually(async () => {
      const f = await fleet();
      return f.cnis?.find((c) => c.kind === 'flannel')?.version === '0.22.3' ? f : undefined;
    }, 'the flannel refresh');
    const safe = now.nodes.find((n) => n.name === 'node-b')!;
    expect(safe.state).toBe('healthy');
    expect(safe.stateReason).toBe(
      `New veths are safe: udev's policy would rewrite their MAC (MACAddressPolicy=persistent from ${DEFAULT_LINK_PATH}), but Flannel v0.22.3 sets the MACs of the devices it creates itself (v0.22.3+). Pods created by an older CNI stay at risk until repaired or recreated.`,
    );
    const detail = (await fetch(`${server.url}/api/v1/nodes/node-b`).then((r) => r.json())) as NodeDetail;
    expect(detail.clusterCni).toMatchObject({ kind: 'flannel', version: '0.22.3', safe: true });
    expect(requests('GET', '/apis/apps/v1/namespaces/calico-system/daemonsets/calico-node').length).toBeGreaterThan(0);
  });

  it('drops a deleted Node from the fleet view but keeps its history', async () => {
    expect((await post(buildReport({ node: 'node-b', collectedAt: at(1) }), TOK_B)).status).toBe(202);
    expect((await fleet()).nodes.find((n) => n.name === 'node-b')!.state).not.toBe('no-agent');
    fake.deleteNode('node-b');
    await eventually(async () => ((await fleet()).nodes.some((n) => n.name === 'node-b') ? undefined : true), 'node-b to leave');
    // node-a (in Kubernetes) and node-c (reporting, not in Kubernetes) stay.
    expect((await fleet()).nodes.map((n) => n.name)).toEqual(['node-a', 'node-c']);
    const history = await fetch(`${server.url}/api/v1/nodes/node-b`);
    expect(history.status).toBe(200);
    expect(((await history.json()) as NodeDetail).name).toBe('node-b');
  });

  it('restarts the Node watch after the connection is cut and keeps following Nodes', async () => {
    const watchesBefore = requests('GET', '/api/v1/nodes').filter((r) => r.query.watch === 'true').length;
    expect(fake.dropWatches({ abrupt: true })).toBe(1);
    fake.upsertNode(makeNode('node-d'));
    const d = await eventually(async () => (await fleet()).nodes.find((n) => n.name === 'node-d'), 'node-d after the restart');
    expect(d.state).toBe('no-agent');
    expect(requests('GET', '/api/v1/nodes').filter((r) => r.query.watch === 'true').length).toBeGreaterThan(watchesBefore);
  });

  it('marks the condition Unknown (AgentNotReporting) when the agent goes silent', async () => {
    const r6 = buildReport({ node: 'node-a', veths: 3, policy: 'none', collectedAt: at(6), intervalSeconds: 1 });
    expect((await post(r6, TOK_A)).status).toBe(202);
    const unknown = await eventually(() => (lastCondition()?.status === 'Unknown' ? lastCondition() : undefined), 'the Unknown condition', 20_000);
    expect(unknown).toMatchObject({ type: 'VethMACAddressMismatch', status: 'Unknown', reason: 'AgentNotReporting' });
    expect(unknown!.message).toMatch(/^The vethwatch agent has not reported for \d+s \(expected every 1s\); last known state: healthy\.$/);
    expect(unknown!.lastTransitionTime).toBe(unknown!.lastHeartbeatTime);
  }, 30_000);
});
