// TokenReview is the API server's work, asked for by our server: only agents' paths may cause it, a bogus token is
// asked about once per negative-cache lifetime, and a flood of distinct bogus tokens is held to a budget. The real
// server (child process, API only) against the fake API server, counting the TokenReviews it received.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '@/lib/report/fixtures';
import { makeNode } from '../fake-kube/cluster';
import { FakeKube } from '../fake-kube/server';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';

const jwt = () => `eyJhbGciOiJSUzI1NiJ9.${randomBytes(24).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
const TOK_A = jwt();

let fake: FakeKube;
let server: ServerProcess;
let dir: string;

const reviews = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/apis/authentication.k8s.io/v1/tokenreviews');

beforeAll(async () => {
  fake = await FakeKube.start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-trflood-'));
  const uid = fake.upsertNode(makeNode('node-a')).metadata.uid;
  fake.addServiceAccountToken(TOK_A, {
    namespace: 'vethwatch',
    name: 'vethwatch-agent',
    podName: 'vethwatch-agent-a',
    podUid: 'pod-a',
    nodeName: 'node-a',
    nodeUid: uid,
    audiences: ['vethwatch'],
  });
  server = await startServerProcess({ HOME: dir, VETHWATCH_DB: path.join(dir, 'db.sqlite'), KUBECONFIG: fake.writeKubeconfig(dir) });
});

afterAll(async () => {
  await server?.stop();
  await fake?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const report = (token: string, node = 'node-a') =>
  fetch(`${server.url}/api/v1/reports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(buildReport({ node })),
  });

describe('TokenReview under hostile bearers', () => {
  it('JWT-shaped bearers on people paths never cause a TokenReview', async () => {
    for (const p of ['/', '/api/v1/nodes', '/api/v1/nodes/node-a', '/api/v1/me', '/api/v1/remediations', '/api/v1/stream?lastEventId=0', '/nowhere']) {
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${server.url}${p}`, { headers: { authorization: `Bearer ${jwt()}` } });
        await res.body?.cancel();
      }
    }
    const signIn = await fetch(`${server.url}/api/v1/session`, { method: 'POST', headers: { authorization: `Bearer ${jwt()}` }, body: '{}' });
    await signIn.body?.cancel();
    expect(reviews()).toHaveLength(0);
  });

  it('asks once about a bogus token sent again and again (negative cache)', async () => {
    const bogus = jwt();
    for (let i = 0; i < 10; i++) expect((await report(bogus)).status).toBe(401);
    expect(reviews().filter((r) => (r.body as { spec: { token: string } }).spec.token === bogus)).toHaveLength(1);
  });

  it('holds a flood of distinct bogus tokens to the budget, refusing the rest with 503 + Retry-After, while the agent still reports', async () => {
    expect((await report(TOK_A)).status).toBe(202);
    const before = reviews().length;
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 150 }, () => report(jwt()).then(async (r) => ({ status: r.status, retry: r.headers.get('retry-after'), body: await r.text() }))));
    const seconds = (Date.now() - started) / 1000;
    const asked = reviews().length - before;
    // Burst 40, then 20 per second.
    expect(asked).toBeLessThanOrEqual(40 + Math.ceil(seconds * 20));
    const throttled = answers.filter((a) => a.status === 503);
    expect(throttled.length).toBeGreaterThanOrEqual(150 - asked - 1);
    expect(throttled[0]).toMatchObject({ retry: '5', body: JSON.stringify({ error: 'too many unknown agent tokens to check right now; retry later' }) });
    expect(answers.filter((a) => a.status === 401).length).toBe(asked);
    // The fleet's own agent was accepted before the flood: its cached (and, once expired, known) token never waits.
    expect((await report(TOK_A)).status).toBe(202);
  });
});
