import 'server-only';
// Who is sending a report. Two kinds of agent credential:
//  - the shared token (VETHWATCH_AGENT_TOKEN), for agents outside a cluster; it may report for any node;
//  - in a cluster, the agent pod's projected ServiceAccount token (audience VETHWATCH_TOKEN_AUDIENCE), checked with
//    a TokenReview; it may report only for the node its pod runs on, so one node cannot speak for another.
// In a cluster the shared token may not report for a Node of that cluster either: only that node's own agent may.
// A TokenReview is asked only here, on the agents' paths; nothing a person's request carries causes one.
import { ForbiddenError, AuthError, RetryLaterError } from '../http/errors';
import { TokenReviewThrottledError, type AgentIdentity, type TokenReviewer } from '../kube/tokenReview';
import { parseBearer, sameSecret, secretDigest } from './secrets';

export const TOKEN_AUDIENCE_ENV = 'VETHWATCH_TOKEN_AUDIENCE';
export const DEFAULT_TOKEN_AUDIENCE = 'vethwatch';
export const AGENT_SERVICE_ACCOUNT_ENV = 'VETHWATCH_AGENT_SERVICE_ACCOUNT';
export const DEFAULT_AGENT_SERVICE_ACCOUNT = 'system:serviceaccount:vethwatch:vethwatch-agent';

export type AgentCredential =
  /** `checkNode`: throws when the shared token may not report for a node (a Node of the watched cluster). */
  | { kind: 'shared'; checkNode?: (node: string) => void }
  /** `node`: the only node this agent may report for. */
  | { kind: 'service-account'; username: string; node: string; podName: string | null };

/** The API server could not be asked about a token: the agent should retry (503), not give up (401). */
export class AuthUnavailableError extends RetryLaterError {
  readonly status = 503;
  constructor(message = 'cannot check the agent token right now; retry later') {
    super(message, 5);
    this.name = 'AuthUnavailableError';
  }
}

export interface AgentAuthOptions {
  sharedToken: string | null;
  /** Null: no cluster, so only the shared token is accepted. */
  reviewer: TokenReviewer | null;
  /** The agent DaemonSet's ServiceAccount, as a TokenReview names it. */
  agentServiceAccount?: string;
  /**
   * The node a pod runs on (spec.nodeName), for tokens without the node-name claim (API servers before 1.30).
   * Null when the pod does not exist.
   */
  podNode?: (namespace: string, podName: string) => Promise<string | null>;
  /** Called once per TokenReview answer the authenticator acts on (for metrics). */
  onReview?: (result: 'agent' | 'rejected' | 'not-agent' | 'error' | 'throttled') => void;
  /**
   * The watched cluster's Node names (null until the Node list is loaded). Given, the shared token may not report
   * for any of them: each has an agent with its own node-bound token.
   */
  clusterNodes?: () => { has(name: string): boolean } | null;
}

export interface AgentAuthenticator {
  /**
   * The credential on a report request. Throws AuthError (401: missing, unknown or expired token), ForbiddenError
   * (403: a valid token that is not the agent's) or AuthUnavailableError (503: the API server did not answer).
   */
  authenticate(authorization: string | null | undefined): Promise<AgentCredential>;
  /** Whether the header carries the shared agent token (a local comparison: never a TokenReview). */
  isSharedToken(authorization: string | null | undefined): boolean;
  readonly acceptsServiceAccounts: boolean;
}

/** Kept for callers of the old name; parseBearer (lib/auth/secrets.ts) is the one parser. */
export const bearerToken = parseBearer;

/** Service-account tokens are JWTs; anything else is not worth a TokenReview. */
function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

export function createAgentAuthenticator(opts: AgentAuthOptions): AgentAuthenticator {
  const shared = opts.sharedToken ? secretDigest(opts.sharedToken) : null;
  const agentSa = opts.agentServiceAccount ?? DEFAULT_AGENT_SERVICE_ACCOUNT;
  const isShared = (token: string) => shared !== null && sameSecret(token, shared);
  const clusterNodes = opts.clusterNodes;
  const sharedCredential: AgentCredential = clusterNodes
    ? {
        kind: 'shared',
        checkNode(node) {
          const nodes = clusterNodes();
          if (!nodes) throw new AuthUnavailableError("the cluster's Node list is not loaded yet, so the shared token cannot be checked against it; retry later");
          if (nodes.has(node)) {
            throw new ForbiddenError(`"${node}" is a Node of this cluster: only its own agent's ServiceAccount token may report for it, not the shared token`);
          }
        },
      }
    : { kind: 'shared' };

  async function review(token: string): Promise<AgentIdentity> {
    try {
      return await opts.reviewer!.review(token);
    } catch (err) {
      if (err instanceof TokenReviewThrottledError) {
        opts.onReview?.('throttled');
        throw new AuthUnavailableError('too many unknown agent tokens to check right now; retry later');
      }
      opts.onReview?.('error');
      throw new AuthUnavailableError(`cannot check the agent token with the Kubernetes API: ${(err as Error).message}`);
    }
  }

  async function nodeOf(identity: AgentIdentity): Promise<string> {
    if (identity.nodeName) return identity.nodeName;
    if (identity.namespace && identity.podName && opts.podNode) {
      let node: string | null;
      try {
        node = await opts.podNode(identity.namespace, identity.podName);
      } catch (err) {
        throw new AuthUnavailableError(`cannot read the agent pod's node: ${(err as Error).message}`);
      }
      if (node) return node;
      throw new ForbiddenError(`the agent pod ${identity.namespace}/${identity.podName} named by the token is not scheduled on any node`);
    }
    throw new ForbiddenError('the token is not bound to a pod or node, so the node it may report for is unknown (use a projected service-account token)');
  }

  return {
    acceptsServiceAccounts: opts.reviewer !== null,

    async authenticate(authorization) {
      if (!shared && !opts.reviewer) throw new AuthError('agent reports are disabled: the server has no agent token configured and watches no cluster');
      const token = parseBearer(authorization);
      if (!token) throw new AuthError('missing bearer token');
      if (isShared(token)) return sharedCredential;
      if (!opts.reviewer || !looksLikeJwt(token)) throw new AuthError('invalid bearer token');
      const identity = await review(token);
      if (!identity.authenticated) {
        opts.onReview?.('rejected');
        throw new AuthError('invalid bearer token');
      }
      if (identity.username !== agentSa) {
        opts.onReview?.('not-agent');
        throw new ForbiddenError(`"${identity.username}" is not the agent service account (${agentSa})`);
      }
      opts.onReview?.('agent');
      return { kind: 'service-account', username: identity.username, node: await nodeOf(identity), podName: identity.podName };
    },

    isSharedToken(authorization) {
      const token = parseBearer(authorization);
      return token !== null && isShared(token);
    },
  };
}
