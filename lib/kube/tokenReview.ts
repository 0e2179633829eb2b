import 'server-only';
import { createHash } from 'node:crypto';
import type { KubeClients } from './config';
import { kubeCall } from './errors';

/** Who a bearer token belongs to, as the API server's TokenReview says. */
export interface AgentIdentity {
  authenticated: boolean;
  /** e.g. "system:serviceaccount:vethwatch:vethwatch-agent". */
  username: string | null;
  uid: string | null;
  groups: string[];
  /** Parsed from a service-account username; null for other users. */
  namespace: string | null;
  serviceAccount: string | null;
  /** From the bound token's extra claims (pod- and node-bound projected tokens, Kubernetes >= 1.30 for node). */
  podName: string | null;
  podUid: string | null;
  nodeName: string | null;
  nodeUid: string | null;
  /** The audiences the API server confirmed for this token. */
  audiences: string[];
  /** Why authentication failed, when it did. */
  error: string | null;
}

const EXTRA = {
  podName: 'authentication.kubernetes.io/pod-name',
  podUid: 'authentication.kubernetes.io/pod-uid',
  nodeName: 'authentication.kubernetes.io/node-name',
  nodeUid: 'authentication.kubernetes.io/node-uid',
} as const;

function unauthenticated(error: string): AgentIdentity {
  return {
    authenticated: false,
    username: null,
    uid: null,
    groups: [],
    namespace: null,
    serviceAccount: null,
    podName: null,
    podUid: null,
    nodeName: null,
    nodeUid: null,
    audiences: [],
    error,
  };
}

/**
 * Asks the API server who presented `token`, requiring it to be valid for `audience`. The audience is checked
 * again on our side (status.audiences must contain it), as the TokenReview API asks clients to do, because an
 * authenticator that ignores audiences would otherwise pass any token. Network/API failures throw KubeError;
 * a rejected token is a normal answer ({authenticated: false, error}).
 */
export async function reviewAgentToken(kube: KubeClients, token: string, audience: string): Promise<AgentIdentity> {
  if (!token) return unauthenticated('empty token');
  if (!audience) throw new TypeError('reviewAgentToken: audience is required');
  const review = await kubeCall('create TokenReview', () =>
    kube.authn.createTokenReview({
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences: [audience] } },
    }),
  );
  const status = review.status ?? {};
  if (!status.authenticated) return unauthenticated(status.error || 'token not authenticated');
  const audiences = status.audiences ?? [];
  if (!audiences.includes(audience)) {
    return unauthenticated(`token is not valid for audience "${audience}" (API server confirmed: ${JSON.stringify(audiences)})`);
  }
  const user = status.user ?? {};
  const extra = (user.extra ?? {}) as Record<string, string[] | undefined>;
  const first = (k: string) => extra[k]?.[0] ?? null;
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user.username ?? '');
  return {
    authenticated: true,
    username: user.username ?? null,
    uid: user.uid ?? null,
    groups: user.groups ?? [],
    namespace: sa?.[1] ?? null,
    serviceAccount: sa?.[2] ?? null,
    podName: first(EXTRA.podName),
    podUid: first(EXTRA.podUid),
    nodeName: first(EXTRA.nodeName),
    nodeUid: first(EXTRA.nodeUid),
    audiences,
    error: null,
  };
}

export interface TokenReviewer {
  /** Throws TokenReviewThrottledError when a token the reviewer has not accepted before finds the budget spent. */
  review(token: string): Promise<AgentIdentity>;
  /** Entries currently cached (accepted and rejected). */
  readonly size: number;
}

/** Too many TokenReviews of unknown tokens lately: the caller should retry later (503), not give up. */
export class TokenReviewThrottledError extends Error {
  constructor() {
    super('too many unknown tokens to check right now');
    this.name = 'TokenReviewThrottledError';
  }
}

export interface TokenReviewerOptions {
  /** How long an accepted token is trusted without asking again. */
  ttlMs?: number;
  /** How long a rejected token is refused without asking again. */
  negativeTtlMs?: number;
  /** Bound on each of the two caches (accepted, rejected); the oldest entries go first. */
  maxEntries?: number;
  /** Sustained TokenReviews per second for tokens not accepted before. */
  ratePerSecond?: number;
  /** How many such TokenReviews may go at once after a quiet spell. */
  burst?: number;
  /** How long a token accepted once stays "known", so its re-checks bypass the rate limit. */
  knownMs?: number;
  now?: () => number;
}

/**
 * reviewAgentToken behind caches and a budget, keyed by the token's SHA-256 (tokens themselves are never kept):
 *  - accepted tokens are trusted for `ttlMs`, so the ingest path does not send one TokenReview per report;
 *  - rejected ones are refused for `negativeTtlMs` from their own bounded cache, so a flood of bogus tokens
 *    cannot evict the agents' entries;
 *  - TokenReviews of tokens not accepted in the last `knownMs` draw on a token bucket (`ratePerSecond`, `burst`),
 *    so a flood of distinct bogus tokens costs the API server at most that; the fleet's own re-checks never wait;
 *  - concurrent reviews of one token share one request. API failures are not cached.
 */
export function createTokenReviewer(kube: KubeClients, audience: string, opts: TokenReviewerOptions = {}): TokenReviewer {
  const ttl = opts.ttlMs ?? 60_000;
  const negativeTtl = opts.negativeTtlMs ?? 10_000;
  const max = opts.maxEntries ?? 10_000;
  const rate = opts.ratePerSecond ?? 20;
  const burst = opts.burst ?? 40;
  const knownMs = opts.knownMs ?? 3_600_000;
  const now = opts.now ?? Date.now;
  const accepted = new Map<string, { identity: AgentIdentity; expires: number; known: number }>();
  const rejected = new Map<string, { identity: AgentIdentity; expires: number }>();
  const inFlight = new Map<string, Promise<AgentIdentity>>();
  let tokens = burst;
  let refilled = now();

  const put = <V>(cache: Map<string, V>, key: string, value: V) => {
    cache.delete(key); // re-insert at the end: eviction order is insertion order
    cache.set(key, value);
    while (cache.size > max) cache.delete(cache.keys().next().value as string);
  };

  const takeBudget = (): boolean => {
    const t = now();
    tokens = Math.min(burst, tokens + ((t - refilled) / 1000) * rate);
    refilled = t;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };

  async function ask(key: string, token: string, t: number): Promise<AgentIdentity> {
    const identity = await reviewAgentToken(kube, token, audience);
    if (identity.authenticated) {
      rejected.delete(key);
      put(accepted, key, { identity, expires: t + ttl, known: t + knownMs });
    } else {
      accepted.delete(key);
      put(rejected, key, { identity, expires: t + negativeTtl });
    }
    return identity;
  }

  return {
    get size() {
      return accepted.size + rejected.size;
    },
    async review(token: string) {
      const key = createHash('sha256').update(token).digest('hex');
      const t = now();
      const good = accepted.get(key);
      if (good && good.expires > t) return good.identity;
      const bad = rejected.get(key);
      if (bad && bad.expires > t) return bad.identity;
      const pending = inFlight.get(key);
      if (pending) return pending;
      if (!(good && good.known > t) && !takeBudget()) throw new TokenReviewThrottledError();
      const p = ask(key, token, t).finally(() => inFlight.delete(key));
      inFlight.set(key, p);
      return p;
    },
  };
}
