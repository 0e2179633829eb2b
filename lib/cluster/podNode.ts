import 'server-only';
// The node a pod runs on, for agent tokens that lack the node-name claim. Listed by name (RBAC grants pods list
// in the agent's namespace, not get) and cached: a pod never moves to another node.
import type { KubeClients } from '../kube/config';
import { kubeCall } from '../kube/errors';

export function podNodeLookup(kube: KubeClients, maxEntries = 10_000): (namespace: string, podName: string) => Promise<string | null> {
  const cache = new Map<string, string>();
  return async (namespace, podName) => {
    const key = `${namespace}/${podName}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const list = await kubeCall(`list Pods ${key}`, () =>
      kube.core.listNamespacedPod({ namespace, fieldSelector: `metadata.name=${podName}` }),
    );
    const node = list.items[0]?.spec?.nodeName ?? null;
    if (node) {
      cache.set(key, node);
      if (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
    }
    return node;
  };
}
