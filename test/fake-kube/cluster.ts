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

// Object builders live in objects.ts (no server-only imports, so Playwright specs can use them too).
export { flannelAnnotations, makeFlannelDaemonSet, makeNode } from './objects';
