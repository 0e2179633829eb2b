import 'server-only';
// The Kubernetes Nodes, kept current by the informer (lib/kube/nodes.ts restarts it after errors), reshaped into
// the facts the fleet view shows, plus the names seen deleted.
import type { Logger } from 'pino';
import type { FlannelNodeInfo } from '../fleet/types';
import type { KubeClients } from '../kube/config';
import { type NodeInfo, type NodeWatcher, watchNodes } from '../kube/nodes';
import type { KubeNodeFacts } from '../nodes/types';

export interface NodeCache {
  /** Null until the first list succeeded. */
  nodes(): ReadonlyMap<string, KubeNodeFacts> | null;
  deleted(): ReadonlySet<string>;
  /** flannel's VTEP facts by node name (Nodes flannel annotated); null until the first list succeeded. */
  flannel(): ReadonlyMap<string, FlannelNodeInfo> | null;
  readonly synced: Promise<void>;
  readonly watcher: NodeWatcher;
  stop(): Promise<void>;
}

export function toFacts(n: NodeInfo): KubeNodeFacts {
  return {
    osImage: n.osImage,
    kernelVersion: n.kernelVersion,
    kubeletVersion: n.kubeletVersion,
    containerRuntimeVersion: n.containerRuntimeVersion,
    labels: n.labels,
    ready: n.ready,
  };
}

export function startNodeCache(kube: KubeClients, log: Logger, opts: { restartDelayMs?: number } = {}): NodeCache {
  const deleted = new Set<string>();
  let isSynced = false;
  let snapshot: Map<string, KubeNodeFacts> | null = null;
  let flannel: Map<string, FlannelNodeInfo> | null = null;
  const invalidate = () => {
    snapshot = null;
    flannel = null;
  };
  const watcher = watchNodes(
    kube,
    {
      onAdd: (n) => {
        deleted.delete(n.name);
        invalidate();
      },
      onUpdate: invalidate,
      onDelete: (n) => {
        deleted.add(n.name);
        invalidate();
        log.info({ node: n.name }, 'Kubernetes node deleted; it leaves the fleet view, its history stays');
      },
      onError: (err) => log.warn({ err: err.message, code: err.code }, 'Node watch failed; restarting it'),
    },
    { restartDelayMs: opts.restartDelayMs },
  );
  const synced = watcher.synced.then(() => {
    isSynced = true;
    invalidate();
  });
  return {
    nodes() {
      if (!isSynced) return null;
      snapshot ??= new Map(watcher.list().map((n) => [n.name, toFacts(n)]));
      return snapshot;
    },
    deleted: () => deleted,
    flannel() {
      if (!isSynced) return null;
      flannel ??= new Map(watcher.list().flatMap((n) => (n.flannel ? [[n.name, n.flannel] as const] : [])));
      return flannel;
    },
    synced,
    watcher,
    stop: () => watcher.stop(),
  };
}
