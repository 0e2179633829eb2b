import 'server-only';
// The CNIs a cluster runs, from their DaemonSets: where each CNI's upstream manifests put its node DaemonSet, and
// which container carries its release in the image tag. Read with one GET per known name (RBAC grants `get` on
// these names only, deploy/base/server-rbac.yaml); a 404 means "not this CNI". The release decides whether new
// devices are safe from udev's re-MAC (lib/report/cnis.ts), per node by the CNI the node's agent identified.
import type { V1Container, V1DaemonSet } from '@kubernetes/client-node';
import { CNI_FACTS, cniRecommendUpgrade, cniReleaseIsSafe } from '../report/cnis';
import type { CniKind } from '../report/schema';
import type { ClusterCni } from '../nodes/types';
import type { KubeClients } from './config';
import { KubeNotFoundError, kubeCall } from './errors';
import { imageTag } from './awsNode';

export interface KnownCniDaemonSet {
  kind: Exclude<CniKind, 'unknown' | 'bridge'>;
  namespace: string;
  name: string;
  /** The container (or init container) whose image names the CNI release: by container name, then image name. */
  container: string;
  image: RegExp;
}

/**
 * Where each CNI's own install puts its DaemonSet (the bridge plugin has none: its binary comes with the node).
 * Operators and older manifests moved some of them, so a CNI may have more than one place.
 */
export const KNOWN_CNI_DAEMONSETS: readonly KnownCniDaemonSet[] = [
  { kind: 'aws-vpc-cni', namespace: 'kube-system', name: 'aws-node', container: 'aws-node', image: /amazon-k8s-cni(:|@|$)/ },
  // AKS: azure-cns installs the azure-cni binaries from an init container.
  { kind: 'azure-cni', namespace: 'kube-system', name: 'azure-cns', container: 'cni-installer', image: /azure-cni(:|@|$)/ },
  { kind: 'calico', namespace: 'calico-system', name: 'calico-node', container: 'calico-node', image: /\/node(:|@|$)/ },
  { kind: 'calico', namespace: 'kube-system', name: 'calico-node', container: 'calico-node', image: /\/node(:|@|$)/ },
  { kind: 'cilium', namespace: 'kube-system', name: 'cilium', container: 'cilium-agent', image: /\/cilium(:|@|$)/ },
  { kind: 'flannel', namespace: 'kube-flannel', name: 'kube-flannel-ds', container: 'kube-flannel', image: /flannel(:|@|$)/ },
  { kind: 'flannel', namespace: 'kube-system', name: 'kube-flannel-ds', container: 'kube-flannel', image: /flannel(:|@|$)/ },
  { kind: 'antrea', namespace: 'kube-system', name: 'antrea-agent', container: 'antrea-agent', image: /antrea(-agent)?(-ubuntu|-ubi)?(:|@|$)/ },
  { kind: 'spiderpool', namespace: 'kube-system', name: 'spiderpool-agent', container: 'spiderpool-agent', image: /spiderpool-agent(:|@|$)/ },
];

/**
 * The release in an image tag ("v1.16.1", "v1.19.2-eksbuild.1", "v0.25.1@sha256:…", "v1.4.39.1": a build of
 * 1.4.39); null when the tag is not one.
 */
export function releaseFromImage(image: string): string | null {
  const tag = imageTag(image);
  const m = tag ? /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:\.\d+)?(?:[-+].*)?$/.exec(tag) : null;
  return m ? `${m[1]}.${m[2]}.${m[3] ?? 0}` : null;
}

function pickContainer(ds: V1DaemonSet, known: KnownCniDaemonSet): V1Container | null {
  const spec = ds.spec?.template?.spec;
  const all = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  return all.find((c) => c.name === known.container && c.image) ?? all.find((c) => c.image && known.image.test(c.image)) ?? null;
}

/** A DaemonSet that is there, judged by its image; the image may name no release (then version is null). */
export function assessCniDaemonSet(known: KnownCniDaemonSet, ds: V1DaemonSet): ClusterCni {
  const image = pickContainer(ds, known)?.image ?? null;
  const version = image ? releaseFromImage(image) : null;
  return {
    kind: known.kind,
    name: CNI_FACTS[known.kind].name,
    daemonSet: `${known.namespace}/${known.name}`,
    image,
    version,
    safe: cniReleaseIsSafe(known.kind, version),
    recommendUpgrade: version ? cniRecommendUpgrade(known.kind, version) : null,
  };
}

/**
 * Every known CNI DaemonSet the cluster has, in table order. A missing one (404) is skipped; any other API failure
 * throws KubeError, so a caller keeping the last answer does not mistake an outage for "no CNI".
 */
export async function readClusterCnis(kube: KubeClients, table: readonly KnownCniDaemonSet[] = KNOWN_CNI_DAEMONSETS): Promise<ClusterCni[]> {
  const found: ClusterCni[] = [];
  for (const known of table) {
    const { namespace, name } = known;
    try {
      const ds = await kubeCall(`read DaemonSet ${namespace}/${name}`, () => kube.apps.readNamespacedDaemonSet({ namespace, name }));
      found.push(assessCniDaemonSet(known, ds));
    } catch (err) {
      if (err instanceof KubeNotFoundError) continue;
      throw err;
    }
  }
  return found;
}
