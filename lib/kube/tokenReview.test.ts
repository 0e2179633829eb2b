import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeCluster, startFakeCluster } from '@/test/fake-kube/cluster';
import { KubeForbiddenError } from './errors';
import { createTokenReviewer, reviewAgentToken, TokenReviewThrottledError } from './tokenReview';

let c: FakeCluster;
beforeEach(async () => {
  c = await startFakeCluster();
  c.fake.addServiceAccountToken('agent-token-1', {
    namespace: 'vethwatch',
    name: 'vethwatch-agent',
    podName: 'vethwatch-agent-x7k2p',
    podUid: '7d1c0e8e-0000-4000-8000-000000000001',
    nodeName: 'ip-10-0-1-1.ec2.internal',
    nodeUid: '5b0f0f0f-0000-4000-8000-000000000002',
    audiences: ['vethwatch'],
  });
  c.fake.addServiceAccountToken('api-token', {
    namespace: 'default',
    name: 'default',
    podName: 'p',
    podUid: 'u',
    nodeName: 'n',
    nodeUid: 'nu',
    audiences: ['https://kubernetes.default.svc.cluster.local'],
  });
});
afterEach(async () => {
  await c.close();
});

describe('reviewAgentToken', () => {
  it('returns the pod- and node-bound identity of a valid agent token', async () => {
    const id = await reviewAgentToken(c.kube, 'agent-token-1', 'vethwatch');
    expect(id).toEqual({
      authenticated: true,
      username: 'system:serviceaccount:vethwatch:vethwatch-agent',
      uid: 'sa-vethwatch-vethwatch-agent',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:vethwatch', 'system:authenticated'],
      namespace: 'vethwatch',
      serviceAccount: 'vethwatch-agent',
      podName: 'vethwatch-agent-x7k2p',
      podUid: '7d1c0e8e-0000-4000-8000-000000000001',
      nodeName: 'ip-10-0-1-1.ec2.internal',
      nodeUid: '5b0f0f0f-0000-4000-8000-000000000002',
      audiences: ['vethwatch'],
      error: null,
    });
    const [req] = c.fake.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/apis/authentication.k8s.io/v1/tokenreviews', contentType: 'application/json', status: 201 });
    expect(req.body).toEqual({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'agent-token-1', audiences: ['vethwatch'] } });
  });

  it('rejects a token minted for another audience, and unknown tokens', async () => {
    const other = await reviewAgentToken(c.kube, 'api-token', 'vethwatch');
    expect(other.authenticated).toBe(false);
    expect(other.error).toContain('is invalid for the target audiences ["vethwatch"]');
    expect(other.nodeName).toBeNull();
    const unknown = await reviewAgentToken(c.kube, 'forged', 'vethwatch');
    expect(unknown).toMatchObject({ authenticated: false, username: null, error: '[invalid bearer token, square/go-jose: error in cryptographic primitive]' });
  });

  it('does not call the API for an empty token', async () => {
    expect(await reviewAgentToken(c.kube, '', 'vethwatch')).toMatchObject({ authenticated: false, error: 'empty token' });
    expect(c.fake.requests).toHaveLength(0);
  });

  it('refuses an authenticated answer that does not confirm our audience', async () => {
    c.fake.addToken('audience-blind', { username: 'someone', audiences: [], reportedAudiences: ['https://kubernetes.default.svc.cluster.local'] });
    const id = await reviewAgentToken(c.kube, 'audience-blind', 'vethwatch');
    expect(id.authenticated).toBe(false);
    expect(id.username).toBeNull();
    expect(id.error).toBe('token is not valid for audience "vethwatch" (API server confirmed: ["https://kubernetes.default.svc.cluster.local"])');
    c.fake.addToken('no-audiences', { username: 'someone', audiences: [], reportedAudiences: [] });
    expect((await reviewAgentToken(c.kube, 'no-audiences', 'vethwatch')).authenticated).toBe(false);
    c.fake.addToken('plain-user', { username: 'alice', audiences: ['vethwatch'] });
    expect(await reviewAgentToken(c.kube, 'plain-user', 'vethwatch')).toMatchObject({ authenticated: true, username: 'alice', namespace: null, serviceAccount: null, nodeName: null });
  });

  it('throws KubeForbiddenError when the server may not create TokenReviews', async () => {
    c.fake.forbid({ verb: 'create', resource: 'tokenreviews' });
    const err = (await reviewAgentToken(c.kube, 'agent-token-1', 'vethwatch').catch((e: unknown) => e)) as KubeForbiddenError;
    expect(err).toBeInstanceOf(KubeForbiddenError);
    expect(err.statusMessage).toContain('cannot create resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope');
  });
});

describe('createTokenReviewer', () => {
  it('caches answers by token hash, for ttl (accepted) and negativeTtl (rejected)', async () => {
    let now = 1_000_000;
    const reviewer = createTokenReviewer(c.kube, 'vethwatch', { ttlMs: 60_000, negativeTtlMs: 5_000, now: () => now });
    const reviews = () => c.fake.requests.filter((r) => r.path.endsWith('/tokenreviews')).length;
    expect((await reviewer.review('agent-token-1')).nodeName).toBe('ip-10-0-1-1.ec2.internal');
    expect((await reviewer.review('agent-token-1')).authenticated).toBe(true);
    expect(reviews()).toBe(1);
    expect((await reviewer.review('forged')).authenticated).toBe(false);
    await reviewer.review('forged');
    expect(reviews()).toBe(2);
    now += 5_001;
    await reviewer.review('forged');
    await reviewer.review('agent-token-1');
    expect(reviews()).toBe(3);
    now += 55_000;
    await reviewer.review('agent-token-1');
    expect(reviews()).toBe(4);
  });

  it('bounds each cache (accepted, rejected) by maxEntries, oldest out first, and does not cache API failures', async () => {
    const reviewer = createTokenReviewer(c.kube, 'vethwatch', { maxEntries: 2 });
    const reviews = () => c.fake.requests.filter((r) => r.path.endsWith('/tokenreviews')).length;
    await reviewer.review('agent-token-1');
    for (const t of ['a', 'b', 'd', 'e', 'f']) await reviewer.review(t);
    expect(reviewer.size).toBe(3); // two rejected, one accepted
    expect(reviews()).toBe(6);
    // A flood of rejected tokens did not push the accepted one out; the newest rejected ones are kept.
    expect((await reviewer.review('agent-token-1')).authenticated).toBe(true);
    await reviewer.review('f');
    expect(reviews()).toBe(6);
    await reviewer.review('a');
    expect(reviews()).toBe(7);
    c.fake.forbid({ verb: 'create', resource: 'tokenreviews' });
    await expect(reviewer.review('c')).rejects.toBeInstanceOf(KubeForbiddenError);
    expect(reviewer.size).toBe(3);
  });

  it('spends a token bucket on tokens it has not accepted before; known agents never wait for it', async () => {
    let now = 5_000_000;
    const reviewer = createTokenReviewer(c.kube, 'vethwatch', { ttlMs: 60_000, burst: 3, ratePerSecond: 1, now: () => now });
    const reviews = () => c.fake.requests.filter((r) => r.path.endsWith('/tokenreviews')).length;
    expect((await reviewer.review('agent-token-1')).authenticated).toBe(true);
    await reviewer.review('bogus-1');
    await reviewer.review('bogus-2');
    await expect(reviewer.review('bogus-3')).rejects.toBeInstanceOf(TokenReviewThrottledError);
    expect(reviews()).toBe(3);
    // Cached answers cost nothing from the bucket.
    expect((await reviewer.review('bogus-1')).authenticated).toBe(false);
    now += 60_001; // the bucket is full again (burst 3), and the agent's accepted entry has expired
    await reviewer.review('bogus-3');
    await reviewer.review('bogus-4');
    await reviewer.review('bogus-5');
    await expect(reviewer.review('bogus-6')).rejects.toBeInstanceOf(TokenReviewThrottledError);
    // The bucket is empty, yet the known agent is asked about again at once.
    expect((await reviewer.review('agent-token-1')).authenticated).toBe(true);
    expect(reviews()).toBe(7);
    now += 1_000; // one more per second
    await reviewer.review('bogus-6');
    await expect(reviewer.review('bogus-7')).rejects.toBeInstanceOf(TokenReviewThrottledError);
    expect(reviews()).toBe(8);
  });

  it('sends one TokenReview for concurrent checks of one token', async () => {
    const reviewer = createTokenReviewer(c.kube, 'vethwatch');
    const all = await Promise.all(Array.from({ length: 10 }, () => reviewer.review('agent-token-1')));
    expect(all.every((id) => id.authenticated)).toBe(true);
    expect(c.fake.requests.filter((r) => r.path.endsWith('/tokenreviews'))).toHaveLength(1);
  });
});
