import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeCluster, startFakeCluster } from '@/test/fake-kube/cluster';
import { KNOWN_CNI_DAEMONSETS, readClusterCnis, releaseFromImage } from './cniDaemonSets';
import { KubeForbiddenError } from './errors';

const ECR = '602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni';

function daemonSet(namespace: string, name: string, spec: { containers: Array<{ name: string; image: string }>; initContainers?: Array<{ name: string; image: string }> }) {
  return {
    metadata: { name, namespace },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec } },
  };
}

describe('releaseFromImage', () => {
  it.each([
    [`${ECR}:v1.19.2-eksbuild.1`, '1.19.2'],
    ['quay.io/cilium/cilium:v1.16.1@sha256:0b4a3ab41a4760d86b7fc945b8783747ba1bb29b6e1eb0cc3d5b6a2b1b4e3f4d', '1.16.1'],
    ['docker.io/flannel/flannel:v0.22.3', '0.22.3'],
    ['mcr.microsoft.com/containernetworking/azure-cni:v1.4.39.1', '1.4.39'],
    ['calico/node:v3.28', '3.28.0'],
    ['registry.local:5000/calico/node:latest', null],
    ['calico/node', null],
    ['quay.io/cilium/cilium@sha256:0b4a3ab41a4760d86b7fc945b8783747ba1bb29b6e1eb0cc3d5b6a2b1b4e3f4d', null],
  ])('%s -> %s', (image, release) => {
    expect(releaseFromImage(image)).toBe(release);
  });
});

describe('readClusterCnis against the API', () => {
  let c: FakeCluster;
  beforeEach(async () => {
    c = await startFakeCluster();
  });
  afterEach(async () => {
    await c.close();
  });

  it('asks for every known DaemonSet by name and judges the ones there by their release', async () => {
    c.fake.put(
      'daemonsets',
      daemonSet('kube-system', 'aws-node', {
        initContainers: [{ name: 'aws-vpc-cni-init', image: `${ECR}-init:v1.19.2-eksbuild.1` }],
        containers: [
          { name: 'aws-eks-nodeagent', image: `${ECR.replace('amazon-k8s-cni', 'aws-network-policy-agent')}:v1.1.6-eksbuild.1` },
          { name: 'aws-node', image: `${ECR}:v1.20.2-eksbuild.1` },
        ],
      }),
    );
    c.fake.put('daemonsets', daemonSet('calico-system', 'calico-node', { containers: [{ name: 'calico-node', image: 'docker.io/calico/node:v3.31.2' }] }));
    // Renamed container: found by its image instead.
    c.fake.put('daemonsets', daemonSet('kube-system', 'cilium', { containers: [{ name: 'agent', image: 'quay.io/cilium/cilium:v1.16.1@sha256:0b4a3ab41a4760d86b7fc945b8783747ba1bb29b6e1eb0cc3d5b6a2b1b4e3f4d' }] }));
    c.fake.put('daemonsets', daemonSet('kube-system', 'azure-cns', { initContainers: [{ name: 'cni-installer', image: 'mcr.microsoft.com/containernetworking/azure-cni:v1.4.39' }], containers: [{ name: 'cns-container', image: 'mcr.microsoft.com/containernetworking/azure-cns:v1.5.26' }] }));
    // An unrelated DaemonSet by another name is never asked for.
    c.fake.put('daemonsets', daemonSet('kube-system', 'kube-proxy', { containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.30.0' }] }));

    const cnis = await readClusterCnis(c.kube);
    expect(cnis).toEqual([
      { kind: 'aws-vpc-cni', name: 'Amazon VPC CNI', daemonSet: 'kube-system/aws-node', image: `${ECR}:v1.20.2-eksbuild.1`, version: '1.20.2', safe: true, recommendUpgrade: true },
      { kind: 'azure-cni', name: 'Azure CNI', daemonSet: 'kube-system/azure-cns', image: 'mcr.microsoft.com/containernetworking/azure-cni:v1.4.39', version: '1.4.39', safe: false, recommendUpgrade: false },
      { kind: 'calico', name: 'Calico', daemonSet: 'calico-system/calico-node', image: 'docker.io/calico/node:v3.31.2', version: '3.31.2', safe: false, recommendUpgrade: false },
      { kind: 'cilium', name: 'Cilium', daemonSet: 'kube-system/cilium', image: 'quay.io/cilium/cilium:v1.16.1@sha256:0b4a3ab41a4760d86b7fc945b8783747ba1bb29b6e1eb0cc3d5b6a2b1b4e3f4d', version: '1.16.1', safe: true, recommendUpgrade: false },
    ]);
    expect(c.fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(
      KNOWN_CNI_DAEMONSETS.map((d) => {
        const there = ['kube-system/aws-node', 'calico-system/calico-node', 'kube-system/cilium', 'kube-system/azure-cns'].includes(`${d.namespace}/${d.name}`);
        return `GET /apis/apps/v1/namespaces/${d.namespace}/daemonsets/${d.name} ${there ? 200 : 404}`;
      }),
    );
  });

  it('knows a CNI whose image names no release, and finds the flannel of older manifests in kube-system', async () => {
    c.fake.put('daemonsets', daemonSet('kube-system', 'kube-flannel-ds', { containers: [{ name: 'kube-flannel', image: 'registry.local/flannel/flannel@sha256:0b4a3ab41a4760d86b7fc945b8783747ba1bb29b6e1eb0cc3d5b6a2b1b4e3f4d' }] }));
    expect(await readClusterCnis(c.kube)).toEqual([
      { kind: 'flannel', name: 'Flannel', daemonSet: 'kube-system/kube-flannel-ds', image: 'registry.local/flannel/flannel@sha256:0b4a3ab41a4760d86b7fc945b8783747ba1bb29b6e1eb0cc3d5b6a2b1b4e3f4d', version: null, safe: null, recommendUpgrade: null },
    ]);
  });

  it('is empty on a cluster without any, and throws a typed error when forbidden (so a cache keeps its last answer)', async () => {
    expect(await readClusterCnis(c.kube)).toEqual([]);
    c.fake.forbid({ verb: 'get', resource: 'daemonsets', namespace: 'kube-system' });
    await expect(readClusterCnis(c.kube)).rejects.toBeInstanceOf(KubeForbiddenError);
  });
});
