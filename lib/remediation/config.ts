import 'server-only';
// Which executor runs remediations, decided once from the environment:
// - a cluster (KUBECONFIG, in-cluster service account, ~/.kube/config; lib/kube/config.ts): a Kubernetes Job per
//   remediation, in VETHWATCH_NAMESPACE with image VETHWATCH_AGENT_IMAGE;
// - no cluster: the agent on this host (run mode with --remediate, as root; localExecutor.ts), which claims this
//   host's own node's remediations (NODE_NAME, else the hostname, as the agent names it) over /api/v1/agent/. The
//   server itself needs no privilege for it;
// - otherwise none, with the reason.
// VETHWATCH_EXECUTOR=kubernetes|local|none forces a choice (kubernetes still needs a cluster).
import os from 'node:os';
import { loadKube, type KubeClients } from '../kube/config';
import { REMEDIATION_DEFAULTS } from '../kube/remediationJob';
import type { ExecutorKind } from './types';

export const PLAN_TTL_ENV = 'VETHWATCH_PLAN_TTL_SECONDS';
export const DEFAULT_PLAN_TTL_SECONDS = 600;

export interface RemediationConfig {
  executor: ExecutorKind;
  executorDetail: string;
  kube: KubeClients | null;
  namespace: string;
  image: string | null;
  /** The node the local executor fixes; null unless executor is 'local'. */
  localNode: string | null;
  planTtlMs: number;
  /** A local remediation no agent claimed within this long fails (no agent with --remediate on this host). */
  claimTimeoutMs: number;
  /** Give up watching a Job / waiting for the local agent's result after this long. */
  runTimeoutMs: number;
}

function ttl(env: Record<string, string | undefined>): number {
  const raw = env[PLAN_TTL_ENV]?.trim();
  const n = raw ? Number(raw) : DEFAULT_PLAN_TTL_SECONDS;
  return (Number.isFinite(n) && n > 0 ? n : DEFAULT_PLAN_TTL_SECONDS) * 1000;
}

/** The local agent asks every 2 s (agent/remediate/pull.ts); a minute without a claim means there is none. */
export const CLAIM_TIMEOUT_MS = 60_000;

export function remediationConfigFromEnv(env: Record<string, string | undefined> = process.env): RemediationConfig {
  const forced = env.VETHWATCH_EXECUTOR?.trim().toLowerCase() || null;
  const base = {
    kube: null,
    namespace: env.VETHWATCH_NAMESPACE?.trim() || 'vethwatch',
    image: env.VETHWATCH_AGENT_IMAGE?.trim() || null,
    localNode: null,
    planTtlMs: ttl(env),
    claimTimeoutMs: CLAIM_TIMEOUT_MS,
    runTimeoutMs: (REMEDIATION_DEFAULTS.activeDeadlineSeconds + 120) * 1000,
  };
  if (forced === 'none') return { ...base, executor: 'none', executorDetail: 'remediation is switched off (VETHWATCH_EXECUTOR=none)' };

  let kube: KubeClients | null = null;
  if (forced !== 'local') {
    try {
      kube = loadKube({ env });
    } catch (err) {
      return { ...base, executor: 'none', executorDetail: `the Kubernetes configuration is unusable: ${(err as Error).message}` };
    }
  }
  if (kube) {
    const namespace = env.VETHWATCH_NAMESPACE?.trim() || kube.namespace || 'vethwatch';
    if (!base.image) {
      return { ...base, kube, namespace, executor: 'none', executorDetail: 'a cluster is configured but VETHWATCH_AGENT_IMAGE is not set, so no remediation Job can be built' };
    }
    return { ...base, kube, namespace, executor: 'kubernetes', executorDetail: `Kubernetes Jobs in namespace ${namespace} (${kube.source} ${kube.server}), image ${base.image}` };
  }
  if (forced === 'kubernetes') return { ...base, executor: 'none', executorDetail: 'VETHWATCH_EXECUTOR=kubernetes but no cluster configuration was found' };

  const localNode = env.NODE_NAME?.trim() || os.hostname();
  return {
    ...base,
    localNode,
    executor: 'local',
    executorDetail: `no cluster: the agent on this host (run mode with --remediate, as root) remediates node ${localNode} only`,
  };
}
