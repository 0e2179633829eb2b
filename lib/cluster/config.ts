import 'server-only';
// How the server behaves toward a cluster, from the environment. Whether there is a cluster at all is
// lib/kube/config's business (VETHWATCH_KUBE, KUBECONFIG, in-cluster).
import { AGENT_SERVICE_ACCOUNT_ENV, DEFAULT_AGENT_SERVICE_ACCOUNT, DEFAULT_TOKEN_AUDIENCE, TOKEN_AUDIENCE_ENV } from '../auth/agentIdentity';

export interface ClusterConfig {
  /** Audience agent tokens must carry (the DaemonSet's projected token says the same). */
  audience: string;
  /** The agent's ServiceAccount as TokenReview names it: system:serviceaccount:NS:NAME. */
  agentServiceAccount: string;
  /** How often the aws-node DaemonSet's image is read again. */
  awsNodeRefreshMs: number;
  /** How often every node's VethMACAddressMismatch condition is re-sent, so its heartbeat never goes stale. */
  conditionHeartbeatMs: number;
  /** How often the publisher looks for changes it was not told about (reports taken by another replica). */
  publisherPollMs: number;
}

export class ClusterConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterConfigError';
  }
}

function seconds(env: Record<string, string | undefined>, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback * 1000;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new ClusterConfigError(`${name} must be a number of seconds from ${min} to ${max}, got "${raw}"`);
  return Math.round(n * 1000);
}

export function clusterConfigFromEnv(env: Record<string, string | undefined> = process.env): ClusterConfig {
  const agentServiceAccount = env[AGENT_SERVICE_ACCOUNT_ENV]?.trim() || DEFAULT_AGENT_SERVICE_ACCOUNT;
  if (!/^system:serviceaccount:[^:]+:[^:]+$/.test(agentServiceAccount)) {
    throw new ClusterConfigError(`${AGENT_SERVICE_ACCOUNT_ENV} must look like system:serviceaccount:NAMESPACE:NAME, got "${agentServiceAccount}"`);
  }
  return {
    audience: env[TOKEN_AUDIENCE_ENV]?.trim() || DEFAULT_TOKEN_AUDIENCE,
    agentServiceAccount,
    awsNodeRefreshMs: seconds(env, 'VETHWATCH_AWS_NODE_REFRESH_SECONDS', 300, 0.05, 86400),
    conditionHeartbeatMs: seconds(env, 'VETHWATCH_CONDITION_HEARTBEAT_SECONDS', 300, 0.05, 86400),
    publisherPollMs: seconds(env, 'VETHWATCH_CONDITION_POLL_SECONDS', 10, 0.05, 3600),
  };
}
