import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeKube } from '@/test/fake-kube/server';
import { KubeConfigError, KubeUnauthorizedError, kubeCall } from './errors';
import { loadKube, loadKubeConfig } from './config';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-kcfg-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function kubeconfig(file: string, server: string, opts: { skip?: boolean; namespace?: string; token?: string; name?: string } = {}) {
  const name = opts.name ?? 'c';
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters:
- name: ${name}
  cluster:
    server: ${server}
${opts.skip ? '    insecure-skip-tls-verify: true\n' : ''}users:
- name: ${name}-u
  user:
    token: ${opts.token ?? 't'}
contexts:
- name: ${name}
  context:
    cluster: ${name}
    user: ${name}-u
${opts.namespace ? `    namespace: ${opts.namespace}\n` : ''}current-context: ${name}
`,
  );
  return file;
}

function serviceAccount(root: string, namespace = 'vethwatch') {
  const sa = path.join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
  fs.mkdirSync(sa, { recursive: true });
  fs.writeFileSync(path.join(sa, 'token'), 'sa-token');
  fs.writeFileSync(path.join(sa, 'namespace'), namespace);
  fs.writeFileSync(path.join(sa, 'ca.crt'), '');
  return sa;
}

describe('loadKubeConfig', () => {
  it('returns null when there is no cluster configuration at all', () => {
    expect(loadKubeConfig({ env: {}, homeDir: dir, serviceAccountRoot: dir })).toBeNull();
  });

  it('is switched off by VETHWATCH_KUBE=0 even with a kubeconfig present', () => {
    const file = kubeconfig(path.join(dir, 'k'), 'https://example.invalid:6443');
    expect(loadKubeConfig({ env: { VETHWATCH_KUBE: '0', KUBECONFIG: file }, homeDir: dir })).toBeNull();
    expect(loadKubeConfig({ env: { VETHWATCH_KUBE: 'off', KUBECONFIG: file }, homeDir: dir })).toBeNull();
  });

  it('uses in-cluster credentials when the service host and token are there', () => {
    const sa = serviceAccount(dir, 'vethwatch');
    const loaded = loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: '10.100.0.1', KUBERNETES_SERVICE_PORT: '443' }, homeDir: dir, serviceAccountRoot: dir })!;
    expect(loaded.source).toBe('in-cluster');
    expect(loaded.server).toBe('https://10.100.0.1:443');
    expect(loaded.namespace).toBe('vethwatch');
    expect(loaded.file).toBeNull();
    const user = loaded.kc.getCurrentUser()!;
    expect(user.authProvider).toEqual({ name: 'tokenFile', config: { tokenFile: path.join(sa, 'token') } });
    expect(loaded.kc.getCurrentCluster()!.caFile).toBe(path.join(sa, 'ca.crt'));
    const v6 = loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, homeDir: dir, serviceAccountRoot: dir })!;
    expect(v6.server).toBe('https://[fd00::1]:443');
  });

  it('does not take in-cluster without the token file', () => {
    expect(loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: '10.100.0.1', KUBERNETES_SERVICE_PORT: '443' }, homeDir: dir, serviceAccountRoot: dir })).toBeNull();
  });

  it('prefers an explicit KUBECONFIG over in-cluster, and in-cluster over ~/.kube/config', () => {
    serviceAccount(dir);
    kubeconfig(path.join(dir, '.kube/config'), 'https://home.invalid:6443', { name: 'home' });
    const explicit = kubeconfig(path.join(dir, 'explicit'), 'https://explicit.invalid:6443', { name: 'explicit', namespace: 'ops' });
    const env = { KUBERNETES_SERVICE_HOST: '10.100.0.1', KUBERNETES_SERVICE_PORT: '443' };
    const a = loadKubeConfig({ env: { ...env, KUBECONFIG: explicit }, homeDir: dir, serviceAccountRoot: dir })!;
    expect([a.source, a.server, a.namespace, a.file]).toEqual(['kubeconfig', 'https://explicit.invalid:6443', 'ops', explicit]);
    const b = loadKubeConfig({ env, homeDir: dir, serviceAccountRoot: dir })!;
    expect(b.source).toBe('in-cluster');
    const c = loadKubeConfig({ env: {}, homeDir: dir, serviceAccountRoot: dir })!;
    expect([c.source, c.server, c.file]).toEqual(['kubeconfig', 'https://home.invalid:6443', path.join(dir, '.kube/config')]);
  });

  it('merges a KUBECONFIG path list, skipping missing files, first file wins the context', () => {
    const a = kubeconfig(path.join(dir, 'a'), 'https://a.invalid', { name: 'a' });
    const b = kubeconfig(path.join(dir, 'b'), 'https://b.invalid', { name: 'b' });
    const loaded = loadKubeConfig({ env: { KUBECONFIG: [path.join(dir, 'missing'), a, b].join(path.delimiter) }, homeDir: dir })!;
    expect(loaded.server).toBe('https://a.invalid');
    expect(loaded.kc.getClusters().map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('throws a clear KubeConfigError for unusable configuration', () => {
    expect(() => loadKubeConfig({ env: { KUBECONFIG: path.join(dir, 'nope') }, homeDir: dir })).toThrow(/KUBECONFIG names no existing file/);
    const plain = kubeconfig(path.join(dir, 'plain'), 'http://127.0.0.1:8080');
    expect(() => loadKubeConfig({ env: { KUBECONFIG: plain }, homeDir: dir })).toThrow(KubeConfigError);
    expect(() => loadKubeConfig({ env: { KUBECONFIG: plain }, homeDir: dir })).toThrow(/insecure-skip-tls-verify: true/);
    const garbage = path.join(dir, 'garbage');
    fs.writeFileSync(garbage, 'current-context: nowhere\n');
    expect(() => loadKubeConfig({ env: { KUBECONFIG: garbage }, homeDir: dir })).toThrow(/current-context "nowhere" is not defined/);
    expect(() => loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: '10.0.0.1' }, homeDir: dir, serviceAccountRoot: (serviceAccount(dir), dir) })).toThrow(
      /KUBERNETES_SERVICE_PORT is not/,
    );
  });
});

describe('client-node against the fake API server', () => {
  it('talks plain http with the bearer token from the generated kubeconfig, and is refused without it', async () => {
    const fake = await FakeKube.start();
    try {
      const file = fake.writeKubeconfig(dir);
      expect(fs.readFileSync(file, 'utf8')).toContain('insecure-skip-tls-verify: true');
      const kube = loadKube({ env: { KUBECONFIG: file }, homeDir: dir })!;
      expect(kube.server).toBe(fake.url);
      expect(kube.namespace).toBe('vethwatch');
      const list = await kube.core.listNode();
      expect(list.items).toEqual([]);
      expect(fake.requests[0]).toMatchObject({ method: 'GET', path: '/api/v1/nodes', authorization: `Bearer ${fake.token}`, status: 200 });

      const wrong = kubeconfig(path.join(dir, 'wrong'), fake.url, { skip: true, token: 'not-the-token' });
      const bad = loadKube({ env: { KUBECONFIG: wrong }, homeDir: dir })!;
      await expect(kubeCall('list nodes', () => bad.core.listNode())).rejects.toBeInstanceOf(KubeUnauthorizedError);
    } finally {
      await fake.close();
    }
  });
});
