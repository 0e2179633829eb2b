import 'server-only';
import { makeInformer, type V1Node } from '@kubernetes/client-node';
import type { KubeClients } from './config';
import { type KubeError, toKubeError } from './errors';

/** What vethwatch needs to know about a Kubernetes Node. */
export interface NodeInfo {
  name: string;
  uid: string;
  osImage: string | null;
  kernelVersion: string | null;
  kubeletVersion: string | null;
  containerRuntimeVersion: string | null;
  labels: Record<string, string>;
  /** The Ready condition: true/false, or null when the node reports none. Unknown counts as false. */
  ready: boolean | null;
  unschedulable: boolean;
}

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function toNodeInfo(node: V1Node | Raw): NodeInfo {
  const n = node as Raw;
  const info = n.status?.nodeInfo ?? {};
  const readyCondition = (Array.isArray(n.status?.conditions) ? n.status.conditions : []).find((c: Raw) => c.type === 'Ready');
  return {
    name: n.metadata?.name ?? '',
    uid: n.metadata?.uid ?? '',
    osImage: info.osImage || null,
    kernelVersion: info.kernelVersion || null,
    kubeletVersion: info.kubeletVersion || null,
    containerRuntimeVersion: info.containerRuntimeVersion || null,
    labels: { ...(n.metadata?.labels ?? {}) },
    ready: readyCondition ? readyCondition.status === 'True' : null,
    unschedulable: n.spec?.unschedulable === true,
  };
}

export interface NodeWatchHandlers {
  onAdd?: (node: NodeInfo) => void;
  onUpdate?: (node: NodeInfo) => void;
  onDelete?: (node: NodeInfo) => void;
  /** Each failure (the watcher restarts by itself after it). */
  onError?: (err: KubeError) => void;
}

export interface NodeWatcher {
  /** Resolves after the first successful list. */
  readonly synced: Promise<void>;
  list(): NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** How many times the informer was restarted after an error. */
  readonly restarts: number;
  stop(): Promise<void>;
}

/**
 * A list+watch cache of Nodes (client-node's informer). A watch that ends cleanly is resumed from the last
 * resourceVersion by the informer itself (a 410 makes it relist); a watch or list that fails is reported through
 * onError and restarted here with exponential backoff (restartDelayMs doubling up to maxRestartDelayMs, reset by
 * the next successful list).
 */
export function watchNodes(
  kube: KubeClients,
  handlers: NodeWatchHandlers = {},
  opts: { restartDelayMs?: number; maxRestartDelayMs?: number } = {},
): NodeWatcher {
  const base = opts.restartDelayMs ?? 1000;
  const maxDelay = opts.maxRestartDelayMs ?? 30_000;
  let failures = 0;
  let restarts = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => (markSynced = resolve));

  const listFn = async () => {
    const list = await kube.core.listNode();
    failures = 0;
    markSynced();
    return list;
  };
  const informer = makeInformer<V1Node>(kube.kc, '/api/v1/nodes', listFn);
  informer.on('add', (n) => handlers.onAdd?.(toNodeInfo(n)));
  informer.on('update', (n) => handlers.onUpdate?.(toNodeInfo(n)));
  informer.on('delete', (n) => handlers.onDelete?.(toNodeInfo(n)));
  informer.on('error', (err: unknown) => {
    if (stopped) return;
    handlers.onError?.(toKubeError(err, 'watch Nodes'));
    const delay = Math.min(maxDelay, base * 2 ** failures);
    failures++;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (stopped) return;
      restarts++;
      void informer.start();
    }, delay);
  });
  void informer.start();

  return {
    synced,
    list: () => informer.list().map(toNodeInfo),
    get: (name) => {
      const n = informer.get(name);
      return n ? toNodeInfo(n) : undefined;
    },
    get restarts() {
      return restarts;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await informer.stop();
    },
  };
}
