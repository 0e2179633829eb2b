// Which executor the server picks from its environment.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCluster, type FakeCluster } from '../../test/fake-kube/cluster';
import { remediationConfigFromEnv } from './config';

let cluster: FakeCluster;
let emptyHome: string;
beforeAll(async () => {
  cluster = await startFakeCluster();
  emptyHome = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-home-'));
});
afterAll(async () => {
  await cluster.close();
  fs.rmSync(emptyHome, { recursive: true, force: true });
});

describe('remediation executor', () => {
  it('uses Kubernetes Jobs when a cluster and the agent image are configured', () => {
    const c = remediationConfigFromEnv({ KUBECONFIG: cluster.kubeconfig, VETHWATCH_AGENT_IMAGE: 'img:1', VETHWATCH_NAMESPACE: 'ops' });
    expect(c).toMatchObject({ executor: 'kubernetes', namespace: 'ops', image: 'img:1', localNode: null });
    expect(c.kube).not.toBeNull();
  });

  it('runs nothing when the cluster has no agent image to run, and says why', () => {
    const c = remediationConfigFromEnv({ KUBECONFIG: cluster.kubeconfig });
    expect(c.executor).toBe('none');
    expect(c.executorDetail).toMatch(/VETHWATCH_AGENT_IMAGE/);
  });

  it('falls back to the agent on this host, for this host\'s node, without a cluster, whoever the server runs as', () => {
    // The server needs no root for it: the agent (root) claims the work over /api/v1/agent/ (localExecutor.ts).
    const c = remediationConfigFromEnv({ VETHWATCH_KUBE: '0', NODE_NAME: 'here-1' });
    expect(c).toMatchObject({ executor: 'local', localNode: 'here-1', kube: null });
    expect(c.executorDetail).toMatch(/--remediate/);
    expect(remediationConfigFromEnv({ VETHWATCH_KUBE: '0' }).localNode).toBe(os.hostname());
  });

  it('honours VETHWATCH_EXECUTOR and reports an unusable kubeconfig instead of throwing', () => {
    expect(remediationConfigFromEnv({ VETHWATCH_EXECUTOR: 'none', KUBECONFIG: cluster.kubeconfig, VETHWATCH_AGENT_IMAGE: 'i' }).executor).toBe('none');
    const forcedKube = remediationConfigFromEnv({ VETHWATCH_EXECUTOR: 'kubernetes', VETHWATCH_KUBE: '0' });
    expect(forcedKube).toMatchObject({ executor: 'none' });
    expect(forcedKube.executorDetail).toMatch(/no cluster/);
    const broken = remediationConfigFromEnv({ KUBECONFIG: path.join(emptyHome, 'missing') });
    expect(broken.executor).toBe('none');
    expect(broken.executorDetail).toMatch(/unusable/);
    expect(remediationConfigFromEnv({ VETHWATCH_PLAN_TTL_SECONDS: '30', VETHWATCH_KUBE: '0' }).planTtlMs).toBe(30_000);
  });
});
