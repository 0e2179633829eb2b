// A fleet run across a real restart of the real server (child process, API only, watching the fake Kubernetes API):
// the run is going when the server gets SIGTERM; the next server on the same database marks it interrupted with
// the reason instead of leaving it 'running' forever, and an operator's resume finishes it over HTTP.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetPreview, FleetRun, RemediationRecord } from '@/lib/remediation/types';
import { buildReport } from '@/lib/report/fixtures';
import { makeNode } from '../fake-kube/cluster';
import { FakeKube } from '../fake-kube/server';
import { eventually, startServerProcess, type ServerProcess } from '../support/serverProcess';

const NS = 'vethwatch';
const AGENT = `agent-${randomBytes(8).toString('hex')}`;
const SA_TOKENS = new Map<string, string>();
const saToken = (node: string) => {
  if (!SA_TOKENS.has(node)) SA_TOKENS.set(node, `eyJhbGciOiJSUzI1NiJ9.${randomBytes(24).toString('base64url')}.${randomBytes(32).toString('base64url')}`);
  return SA_TOKENS.get(node)!;
};
const OPERATOR = `op-${randomBytes(12).toString('hex')}`;

let fake: FakeKube;
let dir: string;
let server: ServerProcess | null = null;

const start = async () =>
  startServerProcess({
    HOME: dir,
    VETHWATCH_DB: path.join(dir, 'db.sqlite'),
    VETHWATCH_AGENT_TOKEN: AGENT,
    VETHWATCH_OPERATOR_TOKEN: OPERATOR,
    VETHWATCH_AGENT_IMAGE: 'example.com/vethwatch-agent:test',
    VETHWATCH_NAMESPACE: NS,
    KUBECONFIG: path.join(dir, 'kubeconfig'),
  });

async function call<T>(method: string, p: string, body?: unknown, token = OPERATOR): Promise<{ status: number; json: T }> {
  const res = await fetch(`${server!.url}${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

beforeAll(async () => {
  fake = await FakeKube.start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-fleet-restart-'));
  fake.writeKubeconfig(dir);
  // Cluster Nodes report with their own ServiceAccount tokens (the shared token may not speak for them).
  for (const n of ['ra', 'rb']) {
    const uid = fake.upsertNode(makeNode(n)).metadata.uid;
    fake.addServiceAccountToken(saToken(n), { name: 'vethwatch-agent', namespace: NS, podName: `agent-${n}`, podUid: `pod-${n}`, nodeName: n, nodeUid: uid, audiences: ['vethwatch'] });
  }
  server = await start();
  for (const n of ['ra', 'rb']) expect((await call('POST', '/api/v1/reports', buildReport({ node: n, mismatched: 1 }), saToken(n))).status).toBe(202);
  expect((await call('PUT', '/api/v1/remediation-settings', { maxConcurrent: 1 })).status).toBe(200);
});
afterAll(async () => {
  await server?.stop();
  await fake?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a fleet run across a server restart', () => {
  it('is interrupted, not running forever, and an operator resumes it', async () => {
    const preview = (await call<FleetPreview>('POST', '/api/v1/remediations/fleet', { dryRun: true })).json;
    expect(preview.waves).toEqual([['ra'], ['rb']]);
    const started = await call<FleetRun>('POST', '/api/v1/remediations/fleet', { plans: preview.nodes.map((n) => ({ node: n.node, planId: n.preview!.planId })) });
    expect(started.status).toBe(202);
    const id = started.json.id;
    const wave1 = await eventually(async () => ((r) => (r.nodes[0].remediationId ? r : undefined))((await call<FleetRun>('GET', `/api/v1/remediations/fleet/${id}`)).json), 'wave 1 started');

    await server!.stop(); // SIGTERM: a deploy, a node drain
    server = await start();
    const interrupted = await eventually(
      async () => ((r) => (r.status === 'interrupted' ? r : undefined))((await call<FleetRun>('GET', `/api/v1/remediations/fleet/${id}`)).json),
      'the run marked interrupted by the next start',
    );
    expect(interrupted.stoppedReason).toContain('not started: rb');

    // ra's Job finished while the servers changed; the new server watches it again.
    const ra = (await call<RemediationRecord>('GET', `/api/v1/remediations/${wave1.nodes[0].remediationId}`)).json;
    fake.finishJob(NS, ra.jobName!, { outcome: 'Succeeded' });
    expect((await call('POST', '/api/v1/remediations/fleet', { resume: id })).status).toBe(202);
    const wave2 = await eventually(async () => ((r) => (r.nodes[1].remediationId ? r : undefined))((await call<FleetRun>('GET', `/api/v1/remediations/fleet/${id}`)).json), 'wave 2 started');
    const rb = (await call<RemediationRecord>('GET', `/api/v1/remediations/${wave2.nodes[1].remediationId}`)).json;
    fake.finishJob(NS, rb.jobName!, { outcome: 'Succeeded' });
    const done = await eventually(async () => ((r) => (r.status !== 'running' ? r : undefined))((await call<FleetRun>('GET', `/api/v1/remediations/fleet/${id}`)).json), 'the run finished');
    expect(done.status).toBe('succeeded');
  });
});
