// One fake API server plus the lib/kube clients pointed at it through a real kubeconfig file, for tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type KubeClients, loadKube } from '../../lib/kube/config';
import { FakeKube, type FakeKubeOptions } from './server';

export interface FakeCluster {
  fake: FakeKube;
  kube: KubeClients;
  kubeconfig: string;
  close(): Promise<void>;
}

export async function startFakeCluster(opts: FakeKubeOptions = {}): Promise<FakeCluster> {
  const fake = await FakeKube.start(opts);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-kube-'));
  const kubeconfig = fake.writeKubeconfig(dir);
  const kube = loadKube({ env: { KUBECONFIG: kubeconfig }, homeDir: dir });
  if (!kube) throw new Error('fake cluster: kubeconfig did not load');
  return {
    fake,
    kube,
    kubeconfig,
    async close() {
      await fake.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Node object as a kubelet would register it. */
export function makeNode(name: string, over: { ready?: 'True' | 'False' | 'Unknown'; labels?: Record<string, string>; conditions?: object[] } = {}) {
  return {
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...(over.labels ?? {}) },
    },
    spec: {},
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
