// What a rendered Deployment's container would see, built the way the kubelet builds it: its env with every
// valueFrom resolved (Secrets from values the caller supplies, ConfigMaps from the rendered objects, the downward
// API's metadata.namespace), and its Secret volumes written as files. Mount paths are moved under a scratch root so
// a test can start the real server with exactly this environment. Anything this cannot resolve is an error, never
// a silently missing variable: a manifest naming a Secret key the caller does not know fails the test.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Manifest } from './render';

/**
 * Secret name -> key -> value. `null` means "this key is deliberately not created": an `optional: true` reference
 * then sets nothing (as Kubernetes does), a required one is an error (the pod would not start).
 */
export type SecretValues = Record<string, Record<string, string | null>>;

export class UnresolvableEnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnresolvableEnvError';
  }
}

export interface PodEnv {
  /** The container's env, resolved; values under a mount path point into `root` instead. */
  env: Record<string, string>;
  /** The same env as the manifests spell it (valueFrom resolved, paths not moved). */
  declared: Record<string, string>;
  /** mountPath -> the directory standing in for it under `root`. */
  mounts: Map<string, string>;
}

function find(rendered: Manifest[], kind: string, name: string, namespace: string): Manifest | undefined {
  return rendered.find((m) => m.kind === kind && m.metadata?.name === name && m.metadata?.namespace === namespace);
}

function secretValue(secrets: SecretValues, ref: { name: string; key: string; optional?: boolean }, what: string): string | null {
  const secret = secrets[ref.name];
  if (!secret) throw new UnresolvableEnvError(`${what} names Secret ${ref.name}, which the test does not define`);
  if (!(ref.key in secret)) throw new UnresolvableEnvError(`${what} names key ${ref.key} of Secret ${ref.name}, which the test does not define`);
  const value = secret[ref.key];
  if (value === null && ref.optional !== true) throw new UnresolvableEnvError(`${what} requires key ${ref.key} of Secret ${ref.name}: the pod would not start without it`);
  return value;
}

function resolveEnv(deployment: Manifest, container: Manifest, rendered: Manifest[], secrets: SecretValues): Record<string, string> {
  const namespace = deployment.metadata.namespace as string;
  const out: Record<string, string> = {};
  for (const e of (container.env ?? []) as Manifest[]) {
    const what = `env ${e.name}`;
    if (e.valueFrom === undefined) {
      out[e.name] = String(e.value ?? '');
      continue;
    }
    const from = e.valueFrom;
    let value: string | null;
    if (from.secretKeyRef) {
      value = secretValue(secrets, from.secretKeyRef, what);
    } else if (from.configMapKeyRef) {
      const ref = from.configMapKeyRef;
      const cm = find(rendered, 'ConfigMap', ref.name, namespace);
      if (!cm) throw new UnresolvableEnvError(`${what} names ConfigMap ${ref.name}, which the manifests do not create`);
      value = cm.data?.[ref.key] ?? null;
      if (value === null && ref.optional !== true) throw new UnresolvableEnvError(`${what} requires key ${ref.key} of ConfigMap ${ref.name}, which it lacks`);
    } else if (from.fieldRef?.fieldPath === 'metadata.namespace') {
      value = namespace;
    } else {
      throw new UnresolvableEnvError(`${what}: cannot resolve ${JSON.stringify(from)}`);
    }
    if (value !== null) out[e.name] = value;
  }
  return out;
}

/** Writes the container's volumes under `root`: a Secret volume's keys as files (its defaultMode), others empty. */
function writeMounts(deployment: Manifest, container: Manifest, secrets: SecretValues, root: string): Map<string, string> {
  const volumes = new Map<string, Manifest>(((deployment.spec.template.spec.volumes ?? []) as Manifest[]).map((v) => [v.name, v]));
  const mounts = new Map<string, string>();
  for (const m of (container.volumeMounts ?? []) as Manifest[]) {
    const volume = volumes.get(m.name);
    if (!volume) throw new UnresolvableEnvError(`volumeMount ${m.name} names no volume of the pod`);
    if (m.subPath) throw new UnresolvableEnvError(`volumeMount ${m.name}: subPath is not modelled here`);
    const dir = path.join(root, m.mountPath);
    mkdirSync(dir, { recursive: true });
    mounts.set(m.mountPath, dir);
    if (!volume.secret) continue;
    if (volume.secret.items) throw new UnresolvableEnvError(`volume ${m.name}: Secret items are not modelled here`);
    const secret = secrets[volume.secret.secretName];
    if (!secret) throw new UnresolvableEnvError(`volume ${m.name} names Secret ${volume.secret.secretName}, which the test does not define`);
    for (const [key, value] of Object.entries(secret)) {
      if (value === null) continue;
      const file = path.join(dir, key);
      writeFileSync(file, value);
      chmodSync(file, volume.secret.defaultMode ?? 0o644);
    }
  }
  return mounts;
}

/** The longest mount path `value` lies under (a path equal to it, or below it), if any. */
export function mountFor(value: string, mountPaths: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const p of mountPaths) if ((value === p || value.startsWith(`${p}/`)) && (!best || p.length > best.length)) best = p;
  return best;
}

/** The env and files of `containerName` in Deployment `name`, as the kubelet would give them, under `root`. */
export function podEnv(rendered: Manifest[], name: string, containerName: string, secrets: SecretValues, root: string): PodEnv {
  const deployment = rendered.find((m) => m.kind === 'Deployment' && m.metadata?.name === name);
  if (!deployment) throw new UnresolvableEnvError(`no Deployment ${name} in the rendered manifests`);
  const container = (deployment.spec.template.spec.containers as Manifest[]).find((c) => c.name === containerName);
  if (!container) throw new UnresolvableEnvError(`Deployment ${name} has no container ${containerName}`);
  const declared = resolveEnv(deployment, container, rendered, secrets);
  const mounts = writeMounts(deployment, container, secrets, root);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(declared)) {
    const mount = path.isAbsolute(v) ? mountFor(v, mounts.keys()) : undefined;
    env[k] = mount ? path.join(mounts.get(mount)!, path.relative(mount, v)) : v;
  }
  return { env, declared, mounts };
}
