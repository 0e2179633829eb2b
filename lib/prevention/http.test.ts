// POST /api/v1/agent/verifications over real HTTP (node:http around the handler), the real agent authenticator
// against the fake Kubernetes API, on both store engines: a cluster agent may post for its own node only, bad
// input is a clear 4xx that stores nothing, a resend is stored once.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgentAuthenticator } from '@/lib/auth/agentIdentity';
import { podNodeLookup } from '@/lib/cluster/podNode';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { createTokenReviewer } from '@/lib/kube/tokenReview';
import { buildReport } from '@/lib/report/fixtures';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { startFakeCluster, type FakeCluster } from '@/test/fake-kube/cluster';
import { handleVerificationRequest } from './http';
import { verificationDoc } from './testSupport/docs';
import { MAX_VERIFICATION_BYTES, VERIFICATION_PATH } from './verification';

const SHARED = 'shared-agent-token-for-tests';
const jwt = () => `eyJhbGciOiJSUzI1NiJ9.${randomBytes(16).toString('base64url')}.${randomBytes(16).toString('base64url')}`;

describe.each(testEngines)('verifications endpoint on $name', (engine) => {
  let t: TestStore;
  let c: FakeCluster;
  let server: Server;
  let url: string;
  let saToken: string;

  beforeEach(async () => {
    t = await engine.open();
    c = await startFakeCluster();
    saToken = jwt();
    c.fake.addServiceAccountToken(saToken, { namespace: 'vethwatch', podName: 'agent-1', podUid: 'u1', nodeName: 'ip-10-0-0-1', nodeUid: 'n1', audiences: ['vethwatch'], name: 'vethwatch-agent' });
    const auth = createAgentAuthenticator({ sharedToken: SHARED, reviewer: createTokenReviewer(c.kube, 'vethwatch'), podNode: podNodeLookup(c.kube) });
    server = createServer((req, res) => void handleVerificationRequest(req, res, { authenticate: auth.authenticate, store: async () => t.store }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${VERIFICATION_PATH}`;
    for (const node of ['ip-10-0-0-1', 'ip-10-0-0-2']) await ingestReport(t.store, buildReport({ node }), { maxClockSkewSeconds: Infinity });
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
    await c.close();
    await t.cleanup();
  });

  const post = (body: string, token = SHARED, method = 'POST') => fetch(url, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(method === 'POST' ? { body } : {}) });
  const stored = async () => ((await t.store.dumpTables()).prevention_verifications as unknown[]).length;

  it("a cluster agent posts for its own node, never another's (403, nothing stored)", async () => {
    expect((await post(JSON.stringify(verificationDoc('ip-10-0-0-2', [true])), saToken)).status).toBe(403);
    expect(await stored()).toBe(0);
    const own = verificationDoc('ip-10-0-0-1', [true, false]);
    const res = await post(JSON.stringify(own), saToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ verificationId: own.verificationId, result: 'rewritten', duplicate: false });
    expect(await (await post(JSON.stringify(own), saToken)).json()).toMatchObject({ duplicate: true });
    expect(await stored()).toBe(1);
  });

  it('answers bad input with a clear 4xx and stores nothing', async () => {
    const doc = verificationDoc('ip-10-0-0-2', [true]);
    expect((await post(JSON.stringify(doc), 'wrong-token')).status).toBe(401);
    expect((await post('{not json')).status).toBe(400);
    expect((await post(JSON.stringify({ ...doc, result: 'inconclusive' }))).status).toBe(422);
    expect((await post(JSON.stringify({ ...doc, node: 'never-seen' }))).status).toBe(404);
    expect((await post('x'.repeat(MAX_VERIFICATION_BYTES + 1))).status).toBe(413);
    expect((await post('', SHARED, 'GET')).status).toBe(405);
    expect(await stored()).toBe(0);
    expect((await post(JSON.stringify(doc))).status).toBe(200);
    expect(await stored()).toBe(1);
  });
});
