import 'server-only';
// Which executor runs remediations, decided once from the environment:
// - a cluster (KUBECONFIG, in-cluster service account, ~/.kube/config; lib/kube/config.ts): a Kubernetes Job per
//   remediation, in VETHWATCH_NAMESPACE with image VETHWATCH_AGENT_IMAGE;
// - no cluster, running as root: the agent on this host (`node --import tsx agent/cli.ts remediate ...`), which
//   can only fix this host's own node (NODE_NAME, else the hostname, as the agent names it);
// - otherwise none, with the reason.
// VETHWATCH_EXECUTOR=kubernetes|local|none forces a choice (kubernetes still needs a cluster).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
  /** argv prefix that runs the agent CLI on this host. */
  agentCommand: string[];
  /** Working directory for the local agent. */
  agentCwd: string;
  planTtlMs: number;
  /** Give up watching a Job / kill the local agent after this long. */
  runTimeoutMs: number;
}

function ttl(env: Record<string, string | undefined>): number {
  const raw = env[PLAN_TTL_ENV]?.trim();
  const n = raw ? Number(raw) : DEFAULT_PLAN_TTL_SECONDS;
  return (Number.isFinite(n) && n > 0 ? n : DEFAULT_PLAN_TTL_SECONDS) * 1000;
}

export function remediationConfigFromEnv(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): RemediationConfig {
  const forced = env.VETHWATCH_EXECUTOR?.trim().toLowerCase() || null;
  const cli = path.resolve(cwd, env.VETHWATCH_AGENT_CLI?.trim() || 'agent/cli.ts');
  const base = {
    kube: null,
    namespace: env.VETHWATCH_NAMESPACE?.trim() || 'vethwatch',
    image: env.VETHWATCH_AGENT_IMAGE?.trim() || null,
    localNode: null,
    agentCommand: [process.execPath, '--import', 'tsx', cli],
    agentCwd: cwd,
    planTtlMs: ttl(env),
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
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { ...base, executor: 'none', executorDetail: 'no cluster, and the agent on this host needs root to remediate but the server is not running as root' };
  }
  if (!fs.existsSync(cli)) return { ...base, executor: 'none', executorDetail: `no cluster, and the agent CLI ${cli} is missing` };
  return { ...base, localNode, executor: 'local', executorDetail: `no cluster: the agent on this host remediates node ${localNode} only` };
}
