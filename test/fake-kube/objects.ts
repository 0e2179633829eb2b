// Kubernetes objects as their controllers write them, for the fake API server. Plain data, no imports: vitest
// suites and Playwright specs both use these.

/** A Node object as a kubelet would register it (annotations and spec.podCIDR as flannel and the node IPAM set them). */
export function makeNode(
  name: string,
  over: { ready?: 'True' | 'False' | 'Unknown'; labels?: Record<string, string>; conditions?: object[]; annotations?: Record<string, string>; podCIDR?: string } = {},
) {
  return {
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...(over.labels ?? {}) },
      ...(over.annotations ? { annotations: { ...over.annotations } } : {}),
    },
    spec: over.podCIDR ? { podCIDR: over.podCIDR, podCIDRs: [over.podCIDR] } : {},
    status: {
      nodeInfo: {
        osImage: 'Ubuntu 22.04.4 LTS',
        kernelVersion: '6.5.0-1024-aws',
        kubeletVersion: 'v1.30.4-eks-a737599',
        containerRuntimeVersion: 'containerd://1.7.20',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
      conditions: over.conditions ?? [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available', lastHeartbeatTime: '2025-01-01T00:00:00Z', lastTransitionTime: '2025-01-01T00:00:00Z' },
        { type: 'Ready', status: over.ready ?? 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: '2025-01-01T00:00:00Z', lastTransitionTime: '2025-01-01T00:00:00Z' },
      ],
    },
  };
}

/**
 * The annotations flannel (kube subnet manager, vxlan backend) writes on its Node: backend-data is a JSON string
 * exactly as flanneld marshals it, public-ip is the address other nodes' FDB entries send VXLAN packets to.
 */
export function flannelAnnotations(opts: { vtepMac: string; publicIp: string; vni?: number }): Record<string, string> {
  return {
    'flannel.alpha.coreos.com/backend-data': JSON.stringify({ VNI: opts.vni ?? 1, VtepMAC: opts.vtepMac }),
    'flannel.alpha.coreos.com/backend-type': 'vxlan',
    'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
    'flannel.alpha.coreos.com/public-ip': opts.publicIp,
  };
}

/** DaemonSet kube-flannel/kube-flannel-ds as the upstream kube-flannel.yml installs it. */
export function makeFlannelDaemonSet(version = 'v0.26.1') {
  const labels = { app: 'flannel', 'k8s-app': 'flannel', tier: 'node' };
  return {
    metadata: { name: 'kube-flannel-ds', namespace: 'kube-flannel', labels },
    spec: {
      selector: { matchLabels: { app: 'flannel' } },
      template: {
        metadata: { labels },
        spec: {
          hostNetwork: true,
          serviceAccountName: 'flannel',
          initContainers: [
            { name: 'install-cni-plugin', image: 'docker.io/flannel/flannel-cni-plugin:v1.6.0-flannel1', command: ['cp'] },
            { name: 'install-cni', image: `docker.io/flannel/flannel:${version}`, command: ['cp'] },
          ],
          containers: [{ name: 'kube-flannel', image: `docker.io/flannel/flannel:${version}`, command: ['/opt/bin/flanneld'], args: ['--ip-masq', '--kube-subnet-mgr'] }],
        },
      },
    },
  };
}
