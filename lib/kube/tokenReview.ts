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
  review(token: string): Promise<AgentIdentity>;
  /** Entries currently cached. */
  readonly size: number;
}

/**
 * reviewAgentToken with a small cache keyed by the token's SHA-256 (tokens themselves are never kept), so the
 * ingest path does not send one TokenReview per report. Accepted tokens are cached for `ttlMs`, rejected ones for
 * `negativeTtlMs`; API failures are not cached. Oldest entries are evicted beyond `maxEntries`.
 */
export function createTokenReviewer(
  kube: KubeClients,
  audience: string,
  opts: { ttlMs?: number; negativeTtlMs?: number; maxEntries?: number; now?: () => number } = {},
): TokenReviewer {
  const ttl = opts.ttlMs ?? 60_000;
  const negativeTtl = opts.negativeTtlMs ?? 5_000;
  const max = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { identity: AgentIdentity; expires: number }>();
  return {
    get size() {
      return cache.size;
    },
    async review(token: string) {
      const key = createHash('sha256').update(token).digest('hex');
      const hit = cache.get(key);
      if (hit && hit.expires > now()) return hit.identity;
      cache.delete(key);
      const identity = await reviewAgentToken(kube, token, audience);
      cache.set(key, { identity, expires: now() + (identity.authenticated ? ttl : negativeTtl) });
      while (cache.size > max) cache.delete(cache.keys().next().value as string);
      return identity;
    },
  };
}
