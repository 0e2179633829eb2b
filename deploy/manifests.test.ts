import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KNOWN_CNI_DAEMONSETS } from '@/lib/kube/cniDaemonSets';
import { buildRemediationJob } from '@/lib/kube/remediationJob';
import { allows, grantsFor } from './tools/rbac';
import { kustomize, type Manifest, resourceId } from './tools/render';
import { schemaErrors, unknownFields } from './tools/validate';

const here = path.dirname(fileURLToPath(import.meta.url));
const base = kustomize(here);
const postgres = kustomize(path.join(here, 'overlays/postgres'));
const tls = kustomize(path.join(here, 'overlays/tls'));
const release = kustomize(path.join(here, 'overlays/release'));
const rendered: Array<[string, Manifest[]]> = [['base', base], ['postgres', postgres], ['tls', tls], ['release', release]];

const find = (ms: Manifest[], kind: string, name: string, namespace?: string) => {
  const m = ms.find((x) => x.kind === kind && x.metadata.name === name && (namespace === undefined || x.metadata.namespace === namespace));
  if (!m) throw new Error(`no ${kind} ${name}`);
  return m;
};
const server = find(base, 'Deployment', 'vethwatch-server');
const agent = find(base, 'DaemonSet', 'vethwatch-agent');
const SERVER_SA = { namespace: 'vethwatch', name: 'vethwatch-server' };
const AGENT_SA = { namespace: 'vethwatch', name: 'vethwatch-agent' };

describe('rendering (kubectl kustomize)', () => {
  it('renders the base to the expected objects', () => {
    expect(base.map(resourceId).sort()).toEqual(
      [
        '/Namespace//vethwatch',
        '/ResourceQuota/vethwatch/vethwatch-critical-pods',
        '/ServiceAccount/vethwatch/vethwatch-server',
        '/ServiceAccount/vethwatch/vethwatch-agent',
        '/PersistentVolumeClaim/vethwatch/vethwatch-data',
        '/ConfigMap/vethwatch/vethwatch-remediation',
        '/Service/vethwatch/vethwatch-server',
        '/Service/vethwatch/vethwatch-ingest',
        'apps/Deployment/vethwatch/vethwatch-server',
        'apps/DaemonSet/vethwatch/vethwatch-agent',
        'policy/PodDisruptionBudget/vethwatch/vethwatch-server',
        'networking.k8s.io/NetworkPolicy/vethwatch/vethwatch-server',
        'admissionregistration.k8s.io/ValidatingAdmissionPolicy//vethwatch-remediation-jobs',
        'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding//vethwatch-remediation-jobs',
        'admissionregistration.k8s.io/ValidatingAdmissionPolicy//vethwatch-node-condition',
        'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding//vethwatch-node-condition',
        'rbac.authorization.k8s.io/ClusterRole//vethwatch-server',
        'rbac.authorization.k8s.io/ClusterRoleBinding//vethwatch-server',
        'rbac.authorization.k8s.io/Role/vethwatch/vethwatch-server',
        'rbac.authorization.k8s.io/RoleBinding/vethwatch/vethwatch-server',
        'rbac.authorization.k8s.io/Role/default/vethwatch-server-node-events',
        'rbac.authorization.k8s.io/RoleBinding/default/vethwatch-server-node-events',
        'rbac.authorization.k8s.io/ClusterRole//vethwatch-server-cni-daemonsets',
        'rbac.authorization.k8s.io/ClusterRoleBinding//vethwatch-server-cni-daemonsets',
      ].sort(),
    );
  });

  it('the overlays add or remove only what they say', () => {
    const ids = (ms: Manifest[]) => ms.map(resourceId).sort();
    expect(ids(postgres)).toEqual(ids(base).filter((id) => !id.includes('PersistentVolumeClaim')));
    expect(ids(tls)).toEqual([...ids(base), 'cert-manager.io/Certificate/vethwatch/vethwatch'].sort());
    expect(ids(release)).toEqual(ids(postgres));
    // `kubectl apply -k deploy` is the base.
    expect(kustomize(path.join(here, 'base'))).toEqual(base);
  });

  it('gives every namespaced object an explicit namespace (there is no namespace transformer)', () => {
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'];
    for (const [name, ms] of rendered) for (const m of ms) expect(m.metadata.namespace === undefined, `${name} ${resourceId(m)}`).toBe(clusterScoped.includes(m.kind));
  });
});

describe('OpenAPI validation', () => {
  it('every manifest passes the Kubernetes schemas and has no unknown fields', async () => {
    for (const [name, ms] of rendered) {
      for (const m of ms.filter((x) => x.kind !== 'Certificate')) {
        expect(await schemaErrors(m), `${name} ${resourceId(m)}`).toEqual([]);
        expect(unknownFields(m), `${name} ${resourceId(m)}`).toEqual([]);
      }
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
    expect(unknownFields(typo).sort()).toEqual(['spec.template.spec.containers[0].securityContex', 'spec.template.spec.tolerations[0].operater']);
    const policy = structuredClone(find(base, 'ValidatingAdmissionPolicy', 'vethwatch-remediation-jobs'));
    policy.spec.validations[0].expresion = policy.spec.validations[0].expression;
    expect(unknownFields(policy)).toEqual(['spec.validations[0].expresion']);
    expect(await schemaErrors({ apiVersion: 'example.com/v1', kind: 'Widget' })).toEqual(['no schema known for apiVersion example.com/v1']);
  });

  it('the remediation Job lib/kube builds is valid too, and fits these manifests', async () => {
    const job = buildRemediationJob({
      node: 'ip-10-0-1-1.ec2.internal',
      requestId: 'r1',
      planId: '0123456789abcdef',
      namespace: find(base, 'Namespace', 'vethwatch').metadata.name,
      image: find(base, 'ConfigMap', 'vethwatch-remediation').data.image,
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
  const env = (name: string) => c.env.find((e: Manifest) => e.name === name);

  it('runs non-root on a read-only root filesystem with nothing extra', () => {
    expect(pod.containers).toHaveLength(1);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.hostPID ?? false).toBe(false);
    expect(pod.volumes.some((v: Manifest) => v.hostPath)).toBe(false);
    expect(c.image).toBe('ghcr.io/vethwatch/server:0.1.0');
  });

  it('listens for people on PORT and for agents on VETHWATCH_AGENT_PORT; probes on the people port', () => {
    expect(c.ports).toEqual([
      { name: 'http', containerPort: 3000, protocol: 'TCP' },
      { name: 'agents', containerPort: 3001, protocol: 'TCP' },
    ]);
    expect(env('PORT').value).toBe('3000');
    expect(env('VETHWATCH_AGENT_PORT').value).toBe('3001');
    expect(env('HOST').value).toBe('0.0.0.0');
    for (const k of ['requests', 'limits']) for (const r of ['cpu', 'memory']) expect(c.resources[k][r], `${k}.${r}`).toBeTruthy();
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
  });

  it('writes only to /tmp, the Next cache and its data volume: a PVC for SQLite, one replica, Recreate', () => {
    const mounts = Object.fromEntries(c.volumeMounts.map((m: Manifest) => [m.mountPath, m.name]));
    expect(mounts).toEqual({ '/data': 'data', '/tmp': 'tmp', '/app/.next/cache': 'next-cache', '/etc/vethwatch/operators': 'operators' });
    expect(c.volumeMounts.find((m: Manifest) => m.name === 'operators').readOnly).toBe(true);
    const volumes = Object.fromEntries(pod.volumes.map((v: Manifest) => [v.name, v]));
    expect(volumes.data.persistentVolumeClaim).toEqual({ claimName: 'vethwatch-data' });
    expect(find(base, 'PersistentVolumeClaim', 'vethwatch-data').spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(volumes.tmp.emptyDir).toBeDefined();
    expect(server.spec.replicas).toBe(1);
    expect(server.spec.strategy).toEqual({ type: 'Recreate' });
    expect(env('VETHWATCH_DB').value).toBe('/data/vethwatch.db');
  });

  it('is covered by a PDB that never blocks a drain while it is the only replica', () => {
    const labels = server.spec.template.metadata.labels;
    expect(server.spec.selector.matchLabels).toEqual(labels);
    const pdb = find(base, 'PodDisruptionBudget', 'vethwatch-server');
    expect(pdb.spec.selector.matchLabels).toEqual(labels);
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.minAvailable).toBeUndefined();
  });
});

describe('two ports, two Services, one NetworkPolicy', () => {
  const labels = server.spec.template.metadata.labels;
  const people = find(base, 'Service', 'vethwatch-server');
  const ingest = find(base, 'Service', 'vethwatch-ingest');
  const policy = find(base, 'NetworkPolicy', 'vethwatch-server');

  it('vethwatch-server reaches the people port, vethwatch-ingest the agent port, and the agents use the latter', () => {
    expect(people.spec.selector).toEqual(labels);
    expect(people.spec.ports).toEqual([{ name: 'http', port: 3000, targetPort: 'http', protocol: 'TCP' }]);
    expect(ingest.spec.selector).toEqual(labels);
    expect(ingest.spec.ports).toEqual([{ name: 'agents', port: 3001, targetPort: 'agents', protocol: 'TCP' }]);
    for (const svc of [people, ingest]) expect(svc.spec.type).toBe('ClusterIP');
    const url = agent.spec.template.spec.containers[0].env.find((e: Manifest) => e.name === 'VETHWATCH_SERVER').value;
    expect(url).toBe(`http://${ingest.metadata.name}.${ingest.metadata.namespace}.svc:${ingest.spec.ports[0].port}`);
  });

  it('lets node addresses reach only the agent port, and only proxy pods the people port', () => {
    expect(policy.spec.podSelector.matchLabels).toEqual(labels);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    const [agents, peopleRule] = policy.spec.ingress;
    expect(policy.spec.ingress).toHaveLength(2);
    expect(agents.ports).toEqual([{ port: 'agents', protocol: 'TCP' }]);
    expect(agents.from.map((f: Manifest) => Object.keys(f))).toEqual([['ipBlock'], ['ipBlock'], ['ipBlock']]);
    expect(agents.from.map((f: Manifest) => f.ipBlock.cidr)).toEqual(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']);
    expect(peopleRule.ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
    expect(peopleRule.from).toEqual([{ namespaceSelector: {}, podSelector: { matchLabels: { 'vethwatch.io/proxy': 'true' } } }]);
    // Both named ports exist on the container the policy selects.
    const names = server.spec.template.spec.containers[0].ports.map((p: Manifest) => p.name);
    for (const rule of policy.spec.ingress) for (const p of rule.ports) expect(names).toContain(p.port);
  });
});

describe('secrets', () => {
  const envs = (ms: Manifest[]) =>
    ms.flatMap((m) => (m.spec?.template?.spec?.containers ?? []).flatMap((c: Manifest) => (c.env ?? []).map((e: Manifest) => ({ id: resourceId(m), ...e }))));
  const serverEnv = (ms: Manifest[], name: string) => find(ms, 'Deployment', 'vethwatch-server').spec.template.spec.containers[0].env.find((e: Manifest) => e.name === name);

  it('commits no secret values: no Secret objects, credentials only by secretKeyRef', () => {
    for (const [name, ms] of rendered) {
      expect(ms.filter((m) => m.kind === 'Secret'), name).toEqual([]);
      for (const e of envs(ms)) {
        if (/TOKEN|PASSWORD|SECRET|DATABASE_URL|_KEY$/.test(e.name) && e.name !== 'VETHWATCH_TOKEN_AUDIENCE') {
          expect(e.value, `${name} ${e.id} ${e.name}`).toBeUndefined();
          expect(e.valueFrom?.secretKeyRef, `${name} ${e.id} ${e.name}`).toBeDefined();
        }
        if (typeof e.value === 'string') expect(e.value, `${name} ${e.id} ${e.name}`).not.toMatch(/:\/\/[^/\s]*:[^/\s]*@/);
      }
    }
    expect(serverEnv(base, 'VETHWATCH_AGENT_TOKEN').valueFrom).toEqual({ secretKeyRef: { name: 'vethwatch-agent-token', key: 'token', optional: true } });
  });

  it('operators come from the Secret vethwatch-operators: its mounted `operators` file, plus an optional token', () => {
    const pod = server.spec.template.spec;
    expect(pod.volumes.find((v: Manifest) => v.name === 'operators')).toEqual({
      name: 'operators',
      secret: { secretName: 'vethwatch-operators', optional: true, defaultMode: 0o440 },
    });
    const mount = pod.containers[0].volumeMounts.find((m: Manifest) => m.name === 'operators');
    expect(serverEnv(base, 'VETHWATCH_OPERATORS_FILE').value).toBe(`${mount.mountPath}/operators`);
    expect(serverEnv(base, 'VETHWATCH_OPERATOR_TOKEN').valueFrom).toEqual({ secretKeyRef: { name: 'vethwatch-operators', key: 'token', optional: true } });
  });

  it('no session secret: sessions are server-side (in the store), so nothing signs cookies', () => {
    for (const rendered of [base, postgres]) {
      expect(serverEnv(rendered, 'VETHWATCH_SESSION_SECRET')).toBeUndefined();
      expect(JSON.stringify(rendered)).not.toContain('vethwatch-session');
    }
  });

  it('the trusted proxy and public URL are documented options, set by the tls overlay', () => {
    expect(serverEnv(base, 'VETHWATCH_TRUSTED_PROXY')).toBeUndefined();
    expect(serverEnv(base, 'VETHWATCH_PUBLIC_URL')).toBeUndefined();
    const yaml = readFileSync(path.join(here, 'base/server-deployment.yaml'), 'utf8');
    for (const name of ['VETHWATCH_TRUSTED_PROXY', 'VETHWATCH_PUBLIC_URL']) expect(yaml).toContain(`# - name: ${name}`);
  });
});

describe('postgres overlay', () => {
  const d = find(postgres, 'Deployment', 'vethwatch-server');
  const pod = d.spec.template.spec;

  it('adds DATABASE_URL from a Secret and drops the SQLite claim', () => {
    const env = pod.containers[0].env;
    expect(env.find((e: Manifest) => e.name === 'DATABASE_URL')).toEqual({
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'vethwatch-postgres', key: 'database-url' } },
    });
    expect(env.filter((e: Manifest) => e.name === 'DATABASE_URL')).toHaveLength(1);
    expect(JSON.stringify(d)).not.toContain('persistentVolumeClaim');
    expect(pod.volumes.find((v: Manifest) => v.name === 'data')).toEqual({ name: 'data', emptyDir: { sizeLimit: '64Mi' } });
  });

  it('runs two replicas on different nodes, rolling one at a time, with a PDB keeping one up', () => {
    expect(d.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: d.spec.template.metadata.labels } },
    ]);
    const pdb = find(postgres, 'PodDisruptionBudget', 'vethwatch-server');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.maxUnavailable).toBeUndefined();
    expect(pdb.spec.selector.matchLabels).toEqual(d.spec.template.metadata.labels);
  });

  it('changes nothing else about the Deployment', () => {
    const strip = (x: Manifest) => {
      const y = structuredClone(x);
      const s = y.spec.template.spec;
      s.containers[0].env = s.containers[0].env.filter((e: Manifest) => e.name !== 'DATABASE_URL');
      s.volumes = s.volumes.filter((v: Manifest) => v.name !== 'data');
      delete s.affinity;
      delete y.spec.replicas;
      delete y.spec.strategy;
      return y;
    };
    expect(strip(d)).toEqual(strip(server));
  });
});

describe('tls and release overlays', () => {
  it('tls: a cert-manager Certificate for the public host, and VETHWATCH_PUBLIC_URL=https://that host', () => {
    const cert = find(tls, 'Certificate', 'vethwatch');
    expect(cert.apiVersion).toBe('cert-manager.io/v1');
    expect(Object.keys(cert.spec).sort()).toEqual(['dnsNames', 'issuerRef', 'privateKey', 'secretName']);
    expect(cert.spec.secretName).toBe('vethwatch-tls');
    expect(cert.spec.issuerRef).toEqual({ group: 'cert-manager.io', kind: 'ClusterIssuer', name: expect.any(String) });
    const url = new URL(find(tls, 'Deployment', 'vethwatch-server').spec.template.spec.containers[0].env.find((e: Manifest) => e.name === 'VETHWATCH_PUBLIC_URL').value);
    expect(url.protocol).toBe('https:');
    expect(cert.spec.dnsNames).toEqual([url.hostname]);
  });

  it('release: both images pinned by digest, and the remediation image follows the agent image', () => {
    const digest = /^[^@\s]+@sha256:[0-9a-f]{64}$/;
    const images = release.flatMap((m) => (m.spec?.template?.spec?.containers ?? []).map((c: Manifest) => c.image));
    expect(images).toHaveLength(2);
    for (const image of images) expect(image).toMatch(digest);
    const agentImage = find(release, 'DaemonSet', 'vethwatch-agent').spec.template.spec.containers[0].image;
    expect(find(release, 'ConfigMap', 'vethwatch-remediation').data.image).toBe(agentImage);
    expect(agentImage).not.toBe(agent.spec.template.spec.containers[0].image);
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
    const key = (g: object) => JSON.stringify(g);
    const grants = grantsFor(base, SERVER_SA).map((g) => ({ ...g, verbs: [...g.verbs].sort() }));
    expect(grants.map(key).sort()).toEqual([
      { namespace: null, apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'], resourceNames: null },
      { namespace: null, apiGroups: [''], resources: ['nodes/status'], verbs: ['patch'], resourceNames: null },
      { namespace: null, apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'], resourceNames: null },
      { namespace: 'vethwatch', apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get', 'watch'], resourceNames: null },
      { namespace: 'vethwatch', apiGroups: [''], resources: ['pods'], verbs: ['list'], resourceNames: null },
      { namespace: 'vethwatch', apiGroups: [''], resources: ['pods/log'], verbs: ['get'], resourceNames: null },
      { namespace: 'default', apiGroups: [''], resources: ['events'], verbs: ['create'], resourceNames: null },
      // Exactly the DaemonSet names lib/kube/cniDaemonSets.ts reads, in any namespace (the CNIs' own).
      { namespace: null, apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['get'], resourceNames: [...new Set(KNOWN_CNI_DAEMONSETS.map((d) => d.name))] },
    ].map(key).sort());
    expect(allows(grantsFor(base, SERVER_SA), { verb: 'get', group: 'apps', resource: 'daemonsets', namespace: 'kube-system', name: 'kube-proxy' })).toBe(false);
    expect(allows(grantsFor(base, SERVER_SA), { verb: 'create', group: 'batch', resource: 'jobs', namespace: 'default', name: null })).toBe(false);
    expect(allows(grantsFor(base, SERVER_SA), { verb: 'get', group: '', resource: 'secrets', namespace: 'vethwatch', name: 'x' })).toBe(false);
  });

  it('grants the agent nothing', () => {
    expect(grantsFor(base, AGENT_SA)).toEqual([]);
  });
});
