// Test support for the monitoring files: the real custom server (child process, API only) watching the fake
// Kubernetes API server, fed a known sequence through its HTTP API so that every series the server exports
// exists: a broken node, an at-risk node, a Node without an agent, a refused report, a ServiceAccount-token report,
// a failed, a succeeded and a verified remediation (real Jobs in the fake cluster), link-file drift.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REMEDIATION_VERSION, type RemediationResult } from '@/lib/report/remediation';
import type { ApplyResponse, PlanPreview, RemediationRecord } from '@/lib/remediation/types';
import { buildReport } from '@/lib/report/fixtures';
import type { Report } from '@/lib/report/schema';
import { makeNode } from '../fake-kube/cluster';
import { FakeKube } from '../fake-kube/server';
import { eventually, startServerProcess, type ServerProcess } from '../support/serverProcess';

const NS = 'vethwatch';
const jwt = () => `eyJhbGciOiJSUzI1NiJ9.${randomBytes(24).toString('base64url')}.${randomBytes(32).toString('base64url')}`;

export interface PopulatedServer {
  server: ServerProcess;
  fake: FakeKube;
  operatorToken: string;
  agentToken: string;
  /** The server's SQLite file (WAL: another connection may read it while the server runs). */
  dbFile: string;
  scrape(): Promise<string>;
  close(): Promise<void>;
}

function resultFor(node: string, planId: string): RemediationResult {
  const t = new Date().toISOString();
  return {
    version: REMEDIATION_VERSION,
    planId,
    node,
    startedAt: t,
    finishedAt: t,
    changed: ['wrote /host/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf'],
    repaired: [],
    verified: true,
    errors: [],
    notes: [],
    newVeth: null,
    summary: 'wrote the drop-in; verified',
  };
}

export async function startPopulatedServer(): Promise<PopulatedServer> {
  const fake = await FakeKube.start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-monitoring-'));
  const agentToken = `shared-${randomBytes(8).toString('hex')}`;
  const operatorToken = `op-${randomBytes(12).toString('hex')}`;
  const saToken = jwt();
  // Every node here is a Node of the cluster, so each reports with its own ServiceAccount token: the shared token
  // may not speak for a cluster Node.
  const saTokenB = jwt();
  const dbFile = path.join(dir, 'db.sqlite');
  const nodeA = fake.upsertNode(makeNode('node-a')).metadata.uid;
  const nodeB = fake.upsertNode(makeNode('node-b')).metadata.uid;
  fake.upsertNode(makeNode('node-c')); // no agent ever reports: no-agent
  fake.put('daemonsets', {
    metadata: { name: 'aws-node', namespace: 'kube-system' },
    spec: {
      selector: { matchLabels: { 'k8s-app': 'aws-node' } },
      template: { metadata: { labels: { 'k8s-app': 'aws-node' } }, spec: { containers: [{ name: 'aws-node', image: 'example.com/amazon-k8s-cni:v1.19.2' }] } },
    },
  });
  fake.addServiceAccountToken(saToken, {
    name: 'vethwatch-agent',
    namespace: NS,
    podName: 'vethwatch-agent-a',
    podUid: 'pod-uid-a',
    nodeName: 'node-a',
    nodeUid: nodeA,
    audiences: ['vethwatch'],
  });
  fake.addServiceAccountToken(saTokenB, {
    name: 'vethwatch-agent',
    namespace: NS,
    podName: 'vethwatch-agent-b',
    podUid: 'pod-uid-b',
    nodeName: 'node-b',
    nodeUid: nodeB,
    audiences: ['vethwatch'],
  });
  const server = await startServerProcess({
    HOME: dir,
    VETHWATCH_DB: dbFile,
    VETHWATCH_AGENT_TOKEN: agentToken,
    VETHWATCH_OPERATOR_TOKEN: operatorToken,
    VETHWATCH_AGENT_IMAGE: 'example.com/vethwatch-agent:test',
    VETHWATCH_NAMESPACE: NS,
    KUBECONFIG: fake.writeKubeconfig(dir),
    VETHWATCH_AWS_NODE_REFRESH_SECONDS: '0.2',
    VETHWATCH_CONDITION_POLL_SECONDS: '0.2',
    VETHWATCH_CONDITION_HEARTBEAT_SECONDS: '3600',
  });
  const close = async () => {
    await server.stop();
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    const call = async (method: string, p: string, body: unknown, token: string): Promise<{ status: number; json: unknown }> => {
      const res = await fetch(`${server.url}${p}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: await res.json().catch(() => null) };
    };
    const report = async (r: Report, token = agentToken) => {
      const { status } = await call('POST', '/api/v1/reports', r, token);
      if (status !== 200 && status !== 202) throw new Error(`report for ${r.node} answered ${status}`);
    };
    const remediate = async (node: string, outcome: 'Succeeded' | 'Failed') => {
      const preview = (await call('POST', `/api/v1/nodes/${node}/remediations`, { dryRun: true }, operatorToken)).json as PlanPreview;
      const applied = await call('POST', `/api/v1/nodes/${node}/remediations`, { planId: preview.planId }, operatorToken);
      if (applied.status !== 202) throw new Error(`apply on ${node} answered ${applied.status}: ${JSON.stringify(applied.json)}`);
      const rec = (applied.json as ApplyResponse).remediation;
      fake.finishJob(NS, rec.jobName!, outcome === 'Succeeded' ? { outcome, terminationMessage: JSON.stringify(resultFor(node, preview.planId)) } : { outcome, exitCode: 1, log: 'repair failed\n' });
      const want = outcome === 'Succeeded' ? 'succeeded' : 'failed';
      await eventually(async () => {
        const r = (await call('GET', `/api/v1/remediations/${rec.id}`, undefined, operatorToken)).json as RemediationRecord;
        return r.status === want ? r : undefined;
      }, `remediation on ${node} ${want}`);
      return rec.id;
    };

    const t0 = Date.now();
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    // node-a reports with its ServiceAccount token (TokenReview), then loses a pod's gateway: broken.
    await report(buildReport({ node: 'node-a', veths: 3, policy: 'persistent', collectedAt: at(-30) }), saToken);
    await report(buildReport({ node: 'node-a', veths: 3, mismatched: 1, policy: 'persistent', collectedAt: at(-20) }), saToken);
    // node-b would have new veths rewritten, with a CNI that does not set their MACs: at-risk.
    await report(buildReport({ node: 'node-b', veths: 2, policy: 'persistent', collectedAt: at(-20) }), saTokenB);
    const refused = await call('POST', '/api/v1/reports', buildReport({ node: 'node-b' }), 'not-the-token');
    if (refused.status !== 401) throw new Error(`a report with a wrong token answered ${refused.status}`);
    // A failed remediation, then one that succeeds and is verified by node-a's next report (drop-in in place).
    await remediate('node-a', 'Failed');
    const ok = await remediate('node-a', 'Succeeded');
    await report(buildReport({ node: 'node-a', veths: 3, policy: 'none', collectedAt: new Date(Date.now() + 1000) }), saToken);
    await eventually(async () => {
      const r = (await call('GET', `/api/v1/remediations/${ok}`, undefined, operatorToken)).json as RemediationRecord;
      return r.status === 'verified' ? r : undefined;
    }, 'the remediation verified by the next report');
    // The Node condition publisher wrote to the API server.
    await eventually(() => (fake.requests.some((r) => r.method === 'PATCH' && r.path === '/api/v1/nodes/node-a/status') ? true : undefined), 'a Node condition patch');
  } catch (err) {
    await close();
    throw err;
  }

  const scrape = async () => {
    const res = await fetch(`${server.url}/metrics`);
    if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
    return res.text();
  };
  return { server, fake, operatorToken, agentToken, dbFile, scrape, close };
}

/** Metric names that have at least one sample in a Prometheus text exposition (histogram parts folded in). */
export function sampledMetricNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (!name) continue;
    names.add(name);
    const base = name.replace(/_(bucket|sum|count)$/, '');
    if (base !== name) names.add(base);
  }
  return names;
}
