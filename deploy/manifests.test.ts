import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeCluster, makeNode, startFakeCluster } from '@/test/fake-kube/cluster';
import { getAwsNodeInfo } from '@/lib/kube/awsNode';
import { createMismatchEvent, setVethCondition } from '@/lib/kube/conditions';
import { buildRemediationJob, createJob, getJobPodEvidence, watchJob } from '@/lib/kube/jobs';
import { watchNodes } from '@/lib/kube/nodes';
import { reviewAgentToken } from '@/lib/kube/tokenReview';
import { applyJson6902, type Manifest, renderKustomization, resourceId } from './tools/kustomize';
import { allows, attributesOf, grantsFor } from './tools/rbac';
import { schemaErrors, unknownFields } from './tools/validate';

const here = path.dirname(fileURLToPath(import.meta.url));
const base = renderKustomization(here);
const postgres = renderKustomization(path.join(here, 'overlays/postgres'));

const find = (ms: Manifest[], kind: string, name: string, namespace?: string) => {
  const m = ms.find((x) => x.kind === kind && x.metadata.name === name && (namespace === undefined || x.metadata.namespace === namespace));
  if (!m) throw new Error(`no ${kind} ${name}`);
  return m;
};
const server = find(base, 'Deployment', 'vethwatch-server');
const agent = find(base, 'DaemonSet', 'vethwatch-agent');
const SERVER_SA = { namespace: 'vethwatch', name: 'vethwatch-server' };
const AGENT_SA = { namespace: 'vethwatch', name: 'vethwatch-agent' };

describe('rendering', () => {
  it('renders the base and the postgres overlay to the expected objects', () => {
    expect(base.map(resourceId).sort()).toEqual(
      [
        '/Namespace//vethwatch',
        '/ResourceQuota/vethwatch/vethwatch-critical-pods',
        '/ServiceAccount/vethwatch/vethwatch-server',
        '/ServiceAccount/vethwatch/vethwatch-agent',
        '/PersistentVolumeClaim/vethwatch/vethwatch-data',
        '/Service/vethwatch/vethwatch-server',
        'apps/Deployment/vethwatch/vethwatch-server',
        'apps/DaemonSet/vethwatch/vethwatch-agent',
        'policy/PodDisruptionBudget/vethwatch/vethwatch-server',
        'rbac.authorization.k8s.io/ClusterRole//vethwatch-server',
        'rbac.authorization.k8s.io/ClusterRoleBinding//vethwatch-server',
        'rbac.authorization.k8s.io/Role/vethwatch/vethwatch-server',
        'rbac.authorization.k8s.io/RoleBinding/vethwatch/vethwatch-server',
        'rbac.authorization.k8s.io/Role/default/vethwatch-server-node-events',
        'rbac.authorization.k8s.io/RoleBinding/default/vethwatch-server-node-events',
        'rbac.authorization.k8s.io/Role/kube-system/vethwatch-server-aws-node',
        'rbac.authorization.k8s.io/RoleBinding/kube-system/vethwatch-server-aws-node',
      ].sort(),
    );
    expect(postgres.map(resourceId).sort()).toEqual(base.map(resourceId).filter((id) => !id.includes('PersistentVolumeClaim')).sort());
  });

  it('gives every namespaced object an explicit namespace (there is no namespace transformer)', () => {
    for (const m of [...base, ...postgres]) {
      const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(m.kind);
      expect(m.metadata.namespace === undefined, resourceId(m)).toBe(clusterScoped);
    }
  });
});

describe('OpenAPI validation', () => {
  it('every manifest passes the Kubernetes schemas and has no unknown fields', async () => {
    for (const m of [...base, ...postgres]) {
      expect(await schemaErrors(m), resourceId(m)).toEqual([]);
      expect(unknownFields(m), resourceId(m)).toEqual([]);
    }
  });

  it('the validators do catch broken manifests', async () => {
    const wrongType = structuredClone(server);
    wrongType.spec.replicas = 'one';
    expect(await schemaErrors(wrongType)).toEqual(['/spec/replicas must be integer']);
    const missing = structuredClone(server);
    delete missing.spec.selector;
    expect(await schemaErrors(missing)).toEqual(['/spec must have required property selector']);
    const typo = structuredClone(agent);
    typo.spec.template.spec.containers[0].securityContex = typo.spec.template.spec.containers[0].securityContext;
    typo.spec.template.spec.tolerations[0].operater = 'Exists';
    expect(unknownFields(typo)).toEqual(['spec.template.spec.tolerations[0].operater', 'spec.template.spec.containers[0].securityContex']);
    expect(await schemaErrors({ apiVersion: 'example.com/v1', kind: 'Widget' })).toEqual(['no schema known for apiVersion example.com/v1']);
  });

  it('the remediation Job lib/kube builds is valid too, and fits these manifests', async () => {
    const job = buildRemediationJob({
      node: 'ip-10-0-1-1.ec2.internal',
      requestId: 'r1',
      planId: '0123456789abcdef',
      namespace: find(base, 'Namespace', 'vethwatch').metadata.name,
      image: server.spec.template.spec.containers[0].env.find((e: Manifest) => e.name === 'VETHWATCH_AGENT_IMAGE').value,
    });
    const plain = JSON.parse(JSON.stringify(job));
    expect(await schemaErrors(plain)).toEqual([]);
    expect(unknownFields(plain)).toEqual([]);
    // Its service account exists, in its namespace, and has no RBAC.
    const sa = find(base, 'ServiceAccount', job.spec!.template.spec!.serviceAccountName!, job.metadata!.namespace);
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(plain.spec.template.spec.containers[0].image).toBe(agent.spec.template.spec.containers[0].image);
  });
});

describe('server Deployment', () => {
  const pod = server.spec.template.spec;
  const [c] = pod.containers;

  it('runs non-root on a read-only root filesystem with nothing extra', () => {
    expect(pod.containers).toHaveLength(1);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.hostPID ?? false).toBe(false);
    expect(pod.volumes.some((v: Manifest) => v.hostPath)).toBe(false);
    expect(c.image).toBe('ghcr.io/vethwatch/server:0.1.0');
  });

  it('has requests, limits and the probes', () => {
    for (const k of ['requests', 'limits']) for (const r of ['cpu', 'memory']) expect(c.resources[k][r], `${k}.${r}`).toBeTruthy();
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
  });

  it('writes only to /tmp, the Next cache and its data volume: a PVC for SQLite, one writer', () => {
    const mounts = Object.fromEntries(c.volumeMounts.map((m: Manifest) => [m.mountPath, m.name]));
    expect(mounts).toEqual({ '/data': 'data', '/tmp': 'tmp', '/app/.next/cache': 'next-cache' });
    const volumes = Object.fromEntries(pod.volumes.map((v: Manifest) => [v.name, v]));
    expect(volumes.data.persistentVolumeClaim).toEqual({ claimName: 'vethwatch-data' });
    expect(find(base, 'PersistentVolumeClaim', 'vethwatch-data').spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(volumes.tmp.emptyDir).toBeDefined();
    expect(server.spec.replicas).toBe(1);
    expect(server.spec.strategy).toEqual({ type: 'Recreate' });
    expect(c.env.find((e: Manifest) => e.name === 'VETHWATCH_DB').value).toBe('/data/vethwatch.db');
  });

  it('is reached by the Service and covered by the PDB without blocking drains', () => {
    const labels = server.spec.template.metadata.labels;
    expect(server.spec.selector.matchLabels).toEqual(labels);
    const svc = find(base, 'Service', 'vethwatch-server');
    expect(svc.spec.selector).toEqual(labels);
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 3000, targetPort: 'http', protocol: 'TCP' }]);
    const pdb = find(base, 'PodDisruptionBudget', 'vethwatch-server');
    expect(pdb.spec.selector.matchLabels).toEqual(labels);
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.minAvailable).toBeUndefined();
    // The agent's server URL points at this Service.
    const url = agent.spec.template.spec.containers[0].env.find((e: Manifest) => e.name === 'VETHWATCH_SERVER').value;
    expect(url).toBe(`http://${svc.metadata.name}.${svc.metadata.namespace}.svc:${svc.spec.ports[0].port}`);
  });
});

describe('secrets', () => {
  const envs = (ms: Manifest[]) =>
    ms.flatMap((m) => (m.spec?.template?.spec?.containers ?? []).flatMap((c: Manifest) => (c.env ?? []).map((e: Manifest) => ({ id: resourceId(m), ...e }))));

  it('commits no secret values: no Secret objects, credentials only by secretKeyRef', () => {
    for (const ms of [base, postgres]) {
      expect(ms.filter((m) => m.kind === 'Secret')).toEqual([]);
      for (const e of envs(ms)) {
        if (/TOKEN|PASSWORD|SECRET|DATABASE_URL|_KEY$/.test(e.name) && e.name !== 'VETHWATCH_TOKEN_AUDIENCE') {
          expect(e.value, `${e.id} ${e.name}`).toBeUndefined();
          expect(e.valueFrom?.secretKeyRef, `${e.id} ${e.name}`).toBeDefined();
        }
        if (typeof e.value === 'string') expect(e.value, `${e.id} ${e.name}`).not.toMatch(/:\/\/[^/\s]*:[^/\s]*@/);
      }
    }
    const token = envs(base).find((e) => e.name === 'VETHWATCH_AGENT_TOKEN')!;
    expect(token.valueFrom).toEqual({ secretKeyRef: { name: 'vethwatch-agent-token', key: 'token', optional: true } });
  });

  it('the postgres overlay adds DATABASE_URL from a Secret and drops the SQLite claim', () => {
    const d = find(postgres, 'Deployment', 'vethwatch-server');
    const env = d.spec.template.spec.containers[0].env;
    expect(env.find((e: Manifest) => e.name === 'DATABASE_URL')).toEqual({
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'vethwatch-postgres', key: 'database-url' } },
    });
    expect(env.filter((e: Manifest) => e.name === 'DATABASE_URL')).toHaveLength(1);
    expect(JSON.stringify(d)).not.toContain('persistentVolumeClaim');
    expect(d.spec.template.spec.volumes.find((v: Manifest) => v.name === 'data')).toEqual({ name: 'data', emptyDir: { sizeLimit: '64Mi' } });
    // Everything else about the Deployment is unchanged.
    const strip = (x: Manifest) => {
      const y = structuredClone(x);
      y.spec.template.spec.containers[0].env = y.spec.template.spec.containers[0].env.filter((e: Manifest) => e.name !== 'DATABASE_URL');
      y.spec.template.spec.volumes = y.spec.template.spec.volumes.filter((v: Manifest) => v.name !== 'data');
      return y;
    };
    expect(strip(d)).toEqual(strip(server));
  });
});

describe('agent DaemonSet', () => {
  const pod = agent.spec.template.spec;
  const [c] = pod.containers;
  const volumes = Object.fromEntries(pod.volumes.map((v: Manifest) => [v.name, v]));

  it('runs on every node, in the host namespaces, at node-critical priority', () => {
    expect(pod.hostNetwork).toBe(true);
    expect(pod.hostPID).toBe(true);
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(pod.priorityClassName).toBe('system-node-critical');
    expect(pod.nodeSelector).toBeUndefined();
    expect(pod.affinity).toBeUndefined();
    const quota = find(base, 'ResourceQuota', 'vethwatch-critical-pods');
    expect(quota.spec.scopeSelector.matchExpressions).toEqual([{ operator: 'In', scopeName: 'PriorityClass', values: ['system-node-critical'] }]);
    expect(find(base, 'Namespace', 'vethwatch').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  it('is not privileged: two added capabilities, read-only root, limits', () => {
    expect(c.securityContext).toEqual({
      runAsUser: 0,
      runAsGroup: 0,
      runAsNonRoot: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['SYS_ADMIN', 'SYS_PTRACE'] },
    });
    expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    for (const k of ['requests', 'limits']) for (const r of ['cpu', 'memory']) expect(c.resources[k][r], `${k}.${r}`).toBeTruthy();
  });

  it('mounts the host read-only, under --root /host, with host-to-container propagation', () => {
    const hostMounts = c.volumeMounts.filter((m: Manifest) => volumes[m.name].hostPath);
    expect(hostMounts.length).toBeGreaterThan(0);
    for (const m of hostMounts) {
      expect(m.readOnly, m.mountPath).toBe(true);
      expect(m.mountPropagation, m.mountPath).toBe('HostToContainer');
    }
    const at = (mountPath: string) => volumes[c.volumeMounts.find((m: Manifest) => m.mountPath === mountPath).name].hostPath;
    expect(at('/host')).toEqual({ path: '/', type: 'Directory' });
    expect(at('/var/run/netns')).toEqual({ path: '/var/run/netns', type: 'DirectoryOrCreate' });
    const args: string[] = c.args;
    expect(args[args.indexOf('--root') + 1]).toBe('/host');
    // Its writable mounts are emptyDirs only.
    for (const m of c.volumeMounts.filter((x: Manifest) => !x.readOnly)) expect(volumes[m.name].emptyDir, m.mountPath).toBeDefined();
    const spool = c.env.find((e: Manifest) => e.name === 'VETHWATCH_SPOOL_DIR').value;
    expect(c.volumeMounts.find((m: Manifest) => m.mountPath === spool).readOnly ?? false).toBe(false);
  });

  it('authenticates with a projected, audience-bound token and nothing else', () => {
    expect(pod.serviceAccountName).toBe('vethwatch-agent');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(volumes['agent-token'].projected.sources).toEqual([{ serviceAccountToken: { audience: 'vethwatch', expirationSeconds: 3600, path: 'token' } }]);
    const tokenDir = c.volumeMounts.find((m: Manifest) => m.name === 'agent-token').mountPath;
    const args: string[] = c.args;
    expect(args[args.indexOf('--token-file') + 1]).toBe(`${tokenDir}/token`);
    const audience = server.spec.template.spec.containers[0].env.find((e: Manifest) => e.name === 'VETHWATCH_TOKEN_AUDIENCE').value;
    expect(audience).toBe('vethwatch');
    expect(c.env.find((e: Manifest) => e.name === 'NODE_NAME').valueFrom).toEqual({ fieldRef: { fieldPath: 'spec.nodeName' } });
  });
});

describe('RBAC', () => {
  it('has no wildcards anywhere', () => {
    for (const m of base.filter((x) => x.kind === 'Role' || x.kind === 'ClusterRole')) {
      for (const r of m.rules) for (const k of ['apiGroups', 'resources', 'verbs']) expect(r[k], resourceId(m)).not.toContain('*');
    }
  });

  it('grants the server exactly what lib/kube uses, no more', () => {
    const grants = grantsFor(base, SERVER_SA).map((g) => ({ ...g, verbs: [...g.verbs].sort() }));
    expect(grants).toEqual([
      { namespace: null, apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'], resourceNames: null },
      { namespace: null, apiGroups: [''], resources: ['nodes/status'], verbs: ['patch'], resourceNames: null },
      { namespace: null, apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'], resourceNames: null },
      { namespace: 'vethwatch', apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get', 'list', 'watch'], resourceNames: null },
      { namespace: 'vethwatch', apiGroups: [''], resources: ['pods'], verbs: ['list'], resourceNames: null },
      { namespace: 'vethwatch', apiGroups: [''], resources: ['pods/log'], verbs: ['get'], resourceNames: null },
      { namespace: 'default', apiGroups: [''], resources: ['events'], verbs: ['create'], resourceNames: null },
      { namespace: 'kube-system', apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['get'], resourceNames: ['aws-node'] },
    ]);
    expect(allows(grantsFor(base, SERVER_SA), { verb: 'get', group: 'apps', resource: 'daemonsets', namespace: 'kube-system', name: 'kube-proxy' })).toBe(false);
    expect(allows(grantsFor(base, SERVER_SA), { verb: 'create', group: 'batch', resource: 'jobs', namespace: 'default', name: null })).toBe(false);
    expect(allows(grantsFor(base, SERVER_SA), { verb: 'get', group: '', resource: 'secrets', namespace: 'vethwatch', name: 'x' })).toBe(false);
  });

  it('grants the agent nothing', () => {
    expect(grantsFor(base, AGENT_SA)).toEqual([]);
  });

  describe('covers every request lib/kube makes (checked against the fake API server)', () => {
    let c: FakeCluster;
    beforeAll(async () => {
      c = await startFakeCluster();
    });
    afterAll(async () => {
      await c.close();
    });

    it('each recorded request is allowed for vethwatch-server', async () => {
      const NODE = 'ip-10-0-1-1.ec2.internal';
      c.fake.upsertNode(makeNode(NODE));
      c.fake.put('daemonsets', { metadata: { name: 'aws-node', namespace: 'kube-system' }, spec: { template: { spec: { containers: [{ name: 'aws-node', image: 'x/amazon-k8s-cni:v1.19.2' }] } } } });
      c.fake.addToken('t', { username: 'system:serviceaccount:vethwatch:vethwatch-agent', audiences: ['vethwatch'] });
      const watcher = watchNodes(c.kube);
      await watcher.synced;
      const ref = await createJob(c.kube, buildRemediationJob({ node: NODE, requestId: 'r', planId: '0123456789abcdef', namespace: 'vethwatch', image: 'a:1' }));
      setTimeout(() => c.fake.finishJob('vethwatch', ref.name, { outcome: 'Succeeded', log: 'ok\n' }), 50);
      await watchJob(c.kube, { namespace: 'vethwatch', name: ref.name, timeoutMs: 5000 });
      await getJobPodEvidence(c.kube, { namespace: 'vethwatch', jobName: ref.name });
      await setVethCondition(c.kube, NODE, { status: 'True', reason: 'MismatchedVeths', message: 'm' });
      await createMismatchEvent(c.kube, { node: NODE, message: 'm' });
      await reviewAgentToken(c.kube, 't', 'vethwatch');
      await getAwsNodeInfo(c.kube);
      await watcher.stop();

      const grants = grantsFor(base, SERVER_SA);
      const used = new Set<string>();
      for (const r of c.fake.requests) {
        const a = attributesOf(r.method, r.path, r.query);
        used.add(`${a.namespace ?? '*'} ${a.group}/${a.resource} ${a.verb}`);
        expect(allows(grants, a), `${r.method} ${r.path}`).toBe(true);
      }
      // And each granted verb is used by something (least privilege: nothing granted "just in case").
      expect([...used].sort()).toEqual(
        [
          '* /nodes list',
          '* /nodes watch',
          '* /nodes get',
          '* /nodes/status patch',
          '* authentication.k8s.io/tokenreviews create',
          'vethwatch batch/jobs create',
          'vethwatch batch/jobs get',
          'vethwatch batch/jobs watch',
          'vethwatch /pods list',
          'vethwatch /pods/log get',
          'default /events create',
          'kube-system apps/daemonsets get',
        ].sort(),
      );
    });
  });
});

describe('renderer', () => {
  it('applies JSON 6902 add/replace/remove and refuses what it does not implement', () => {
    const doc = { a: { list: [1, 2] } };
    expect(applyJson6902(structuredClone(doc), [{ op: 'add', path: '/a/list/-', value: 3 }, { op: 'replace', path: '/a/list/0', value: 0 }])).toEqual({ a: { list: [0, 2, 3] } });
    expect(applyJson6902(structuredClone(doc), [{ op: 'remove', path: '/a/list/1' }])).toEqual({ a: { list: [1] } });
    expect(() => applyJson6902(structuredClone(doc), [{ op: 'replace', path: '/a/list/5', value: 1 }])).toThrow(/no such element/);
    expect(() => applyJson6902(structuredClone(doc), [{ op: 'move', from: '/a', path: '/b' }])).toThrow(/not supported/);
  });
});
