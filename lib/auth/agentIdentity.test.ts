// The agent authenticator against the fake API server: real client-node TokenReviews and pod lists.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthError, ForbiddenError } from '@/lib/http/errors';
import { createTokenReviewer } from '@/lib/kube/tokenReview';
import { podNodeLookup } from '@/lib/cluster/podNode';
import { startFakeCluster, type FakeCluster } from '@/test/fake-kube/cluster';
import { AuthUnavailableError, bearerToken, createAgentAuthenticator, DEFAULT_AGENT_SERVICE_ACCOUNT, type AgentAuthOptions } from './agentIdentity';

const jwt = () => `eyJhbGciOiJSUzI1NiJ9.${randomBytes(16).toString('base64url')}.${randomBytes(16).toString('base64url')}`;

describe('bearerToken', () => {
  it('takes the token of a Bearer header, nothing else', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer \tabc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});

describe('without a cluster', () => {
  it('accepts only the shared token, for any node', async () => {
    const auth = createAgentAuthenticator({ sharedToken: 's3cret', reviewer: null });
    await expect(auth.authenticate('Bearer s3cret')).resolves.toEqual({ kind: 'shared' });
    await expect(auth.authenticate('Bearer nope')).rejects.toThrow(new AuthError('invalid bearer token'));
    await expect(auth.authenticate(jwt())).rejects.toThrow(new AuthError('missing bearer token'));
    expect(auth.acceptsServiceAccounts).toBe(false);
  });

  it('refuses everything when no token is configured', async () => {
    const auth = createAgentAuthenticator({ sharedToken: null, reviewer: null });
    await expect(auth.authenticate('Bearer x')).rejects.toBeInstanceOf(AuthError);
  });
});

describe('with a cluster (fake API server)', () => {
  let c: FakeCluster;
  const results: string[] = [];
  const make = (over: Partial<AgentAuthOptions> = {}) =>
    createAgentAuthenticator({
      sharedToken: 'shared',
      reviewer: createTokenReviewer(c.kube, 'vethwatch'),
      podNode: podNodeLookup(c.kube),
      onReview: (r) => results.push(r),
      ...over,
    });
  const sa = { namespace: 'vethwatch', podName: 'agent-1', podUid: 'u1', nodeName: 'ip-10-0-0-1', nodeUid: 'n1', audiences: ['vethwatch'] };

  beforeEach(async () => {
    c = await startFakeCluster();
    results.length = 0;
  });
  afterEach(async () => {
    await c.close();
  });

  it("binds the agent's token to its node from the node-name claim", async () => {
    const token = jwt();
    c.fake.addServiceAccountToken(token, { ...sa, name: 'vethwatch-agent' });
    await expect(make().authenticate(`Bearer ${token}`)).resolves.toEqual({
      kind: 'service-account',
      username: DEFAULT_AGENT_SERVICE_ACCOUNT,
      node: 'ip-10-0-0-1',
      podName: 'agent-1',
    });
    expect(results).toEqual(['agent']);
  });

  it('refuses a token for another audience (401), another service account (403), an unbound token (403)', async () => {
    const wrongAudience = jwt();
    c.fake.addServiceAccountToken(wrongAudience, { ...sa, name: 'vethwatch-agent', audiences: ['https://kubernetes.default.svc'] });
    await expect(make().authenticate(`Bearer ${wrongAudience}`)).rejects.toThrow(new AuthError('invalid bearer token'));

    const other = jwt();
    c.fake.addServiceAccountToken(other, { ...sa, name: 'builder' });
    await expect(make().authenticate(`Bearer ${other}`)).rejects.toBeInstanceOf(ForbiddenError);

    const unbound = jwt();
    c.fake.addToken(unbound, { username: DEFAULT_AGENT_SERVICE_ACCOUNT, audiences: ['vethwatch'] });
    await expect(make().authenticate(`Bearer ${unbound}`)).rejects.toThrow(/not bound to a pod or node/);
    expect(results).toEqual(['rejected', 'not-agent', 'agent']);
  });

  it("falls back to the pod's spec.nodeName; a pod that does not exist is 403", async () => {
    const token = jwt();
    c.fake.addToken(token, {
      username: DEFAULT_AGENT_SERVICE_ACCOUNT,
      extra: { 'authentication.kubernetes.io/pod-name': ['agent-2'] },
      audiences: ['vethwatch'],
    });
    await expect(make().authenticate(`Bearer ${token}`)).rejects.toThrow(/agent-2 named by the token is not scheduled/);
    c.fake.put('pods', { metadata: { name: 'agent-2', namespace: 'vethwatch' }, spec: { nodeName: 'ip-10-0-0-2', containers: [{ name: 'a', image: 'x' }] }, status: {} });
    await expect(make().authenticate(`Bearer ${token}`)).resolves.toMatchObject({ kind: 'service-account', node: 'ip-10-0-0-2' });
  });

  it('answers 503 (retry) when the API server cannot be asked', async () => {
    const token = jwt();
    const auth = make();
    await c.fake.close();
    const err = await auth.authenticate(`Bearer ${token}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthUnavailableError);
    expect((err as AuthUnavailableError).status).toBe(503);
    expect(results).toEqual(['error']);
  });

  it('recognises the shared token locally, never asking the API server about any other bearer', async () => {
    const token = jwt();
    c.fake.addServiceAccountToken(token, { ...sa, name: 'vethwatch-agent' });
    const auth = make();
    expect(auth.isSharedToken('Bearer shared')).toBe(true);
    expect(auth.isSharedToken(`Bearer ${token}`)).toBe(false);
    expect(auth.isSharedToken('Bearer not-a-jwt')).toBe(false);
    expect(auth.isSharedToken(undefined)).toBe(false);
    expect(c.fake.requests.filter((r) => r.path.endsWith('/tokenreviews'))).toHaveLength(0);
  });

  it('refuses the shared token for a Node of the cluster, and until the Node list is loaded', async () => {
    let nodes: Set<string> | null = null;
    const auth = make({ clusterNodes: () => nodes });
    const cred = await auth.authenticate('Bearer shared');
    expect(cred.kind).toBe('shared');
    const check = (cred as { checkNode?: (n: string) => void }).checkNode!;
    expect(() => check('ip-10-0-0-1')).toThrow(AuthUnavailableError);
    nodes = new Set(['ip-10-0-0-1']);
    expect(() => check('ip-10-0-0-1')).toThrow(
      new ForbiddenError('"ip-10-0-0-1" is a Node of this cluster: only its own agent\'s ServiceAccount token may report for it, not the shared token'),
    );
    expect(() => check('laptop-outside')).not.toThrow();
    // Without a cluster the shared token may report for any node.
    expect((await make().authenticate('Bearer shared')) as unknown).toEqual({ kind: 'shared' });
  });

  it('answers 503 (retry) when unknown tokens have spent the TokenReview budget', async () => {
    const auth = make({ reviewer: createTokenReviewer(c.kube, 'vethwatch', { burst: 2, ratePerSecond: 0.001 }) });
    await expect(auth.authenticate(`Bearer ${jwt()}`)).rejects.toBeInstanceOf(AuthError);
    await expect(auth.authenticate(`Bearer ${jwt()}`)).rejects.toBeInstanceOf(AuthError);
    const err = await auth.authenticate(`Bearer ${jwt()}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthUnavailableError);
    expect(results).toEqual(['rejected', 'rejected', 'throttled']);
    expect(c.fake.requests.filter((r) => r.path.endsWith('/tokenreviews'))).toHaveLength(2);
  });
});
