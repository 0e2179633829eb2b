import 'server-only';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppsV1Api, AuthenticationV1Api, BatchV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { KubeConfigError } from './errors';

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Everything the lib/kube functions need to talk to one cluster. */
export interface KubeClients {
  kc: KubeConfig;
  /** Where the configuration came from. */
  source: 'in-cluster' | 'kubeconfig';
  /** The kubeconfig file used, or null in-cluster. */
  file: string | null;
  /** API server URL. */
  server: string;
  /** The service account's namespace in-cluster, or the kubeconfig context's namespace; null when neither says. */
  namespace: string | null;
  core: CoreV1Api;
  batch: BatchV1Api;
  apps: AppsV1Api;
  authn: AuthenticationV1Api;
}

export interface LoadKubeOptions {
  /** Defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Defaults to os.homedir(); ~/.kube/config is read from here. */
  homeDir?: string;
  /** Prefix for the in-cluster service-account files (tests point it at a temp dir). */
  serviceAccountRoot?: string;
}

/**
 * Finds cluster credentials, in this order:
 *   1. `VETHWATCH_KUBE=0` (or `off`): none, on purpose; the local executor is used.
 *   2. `KUBECONFIG` (path list; the existing files are merged as kubectl does). An operator who set it meant it, so it
 *      wins over in-cluster credentials, and naming only missing files is an error rather than a silent fallback.
 *   3. In-cluster: `KUBERNETES_SERVICE_HOST`/`_PORT` plus the service-account token file.
 *   4. `~/.kube/config`.
 * Returns null when none applies ("no cluster"). Throws KubeConfigError when configuration exists but is unusable.
 */
export function loadKubeConfig(opts: LoadKubeOptions = {}): Omit<KubeClients, 'core' | 'batch' | 'apps' | 'authn'> | null {
  const env = opts.env ?? process.env;
  const switchOff = (env.VETHWATCH_KUBE ?? '').trim().toLowerCase();
  if (switchOff === '0' || switchOff === 'off' || switchOff === 'false') return null;

  const listed = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  if (listed.length > 0) {
    const present = listed.filter((f) => fs.existsSync(f));
    if (present.length === 0) throw new KubeConfigError(`KUBECONFIG names no existing file: ${listed.join(path.delimiter)}`);
    return fromFiles(present);
  }

  const saRoot = `${opts.serviceAccountRoot ?? ''}${SERVICE_ACCOUNT_DIR}`;
  const host = env.KUBERNETES_SERVICE_HOST;
  if (host && fs.existsSync(`${saRoot}/token`)) return inCluster(host, env.KUBERNETES_SERVICE_PORT, saRoot);

  const homeConfig = path.join(opts.homeDir ?? os.homedir(), '.kube', 'config');
  if (fs.existsSync(homeConfig)) return fromFiles([homeConfig]);
  return null;
}

/** Builds the typed API clients for a loaded configuration. */
export function makeKubeClients(loaded: Omit<KubeClients, 'core' | 'batch' | 'apps' | 'authn'>): KubeClients {
  const { kc } = loaded;
  return {
    ...loaded,
    core: kc.makeApiClient(CoreV1Api),
    batch: kc.makeApiClient(BatchV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    authn: kc.makeApiClient(AuthenticationV1Api),
  };
}

/** loadKubeConfig + makeKubeClients: the clients, or null when there is no cluster. */
export function loadKube(opts: LoadKubeOptions = {}): KubeClients | null {
  const loaded = loadKubeConfig(opts);
  return loaded ? makeKubeClients(loaded) : null;
}

function inCluster(host: string, port: string | undefined, saRoot: string) {
  if (!port) throw new KubeConfigError('KUBERNETES_SERVICE_HOST is set but KUBERNETES_SERVICE_PORT is not');
  const serverHost = host.includes(':') ? `[${host}]` : host;
  const server = `https://${serverHost}:${port}`;
  const namespaceFile = `${saRoot}/namespace`;
  const namespace = fs.existsSync(namespaceFile) ? fs.readFileSync(namespaceFile, 'utf8').trim() || null : null;
  const kc = new KubeConfig();
  // Same shape as client-node's loadFromCluster, but from the env we were given. The tokenFile provider re-reads
  // the projected token every 60 s, so kubelet's token rotation is picked up.
  kc.loadFromOptions({
    clusters: [{ name: 'inCluster', server, caFile: `${saRoot}/ca.crt`, skipTLSVerify: false }],
    users: [{ name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile: `${saRoot}/token` } } }],
    contexts: [{ name: 'inClusterContext', cluster: 'inCluster', user: 'inClusterUser', namespace: namespace ?? undefined }],
    currentContext: 'inClusterContext',
  });
  return { kc, source: 'in-cluster' as const, file: null, server, namespace };
}

function fromFiles(files: string[]) {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(files[0]);
    for (const extra of files.slice(1)) {
      const more = new KubeConfig();
      more.loadFromFile(extra);
      kc.mergeConfig(more, true);
    }
  } catch (err) {
    throw new KubeConfigError(`cannot read kubeconfig ${files.join(path.delimiter)}: ${(err as Error).message}`, { cause: err });
  }
  const context = kc.getContextObject(kc.getCurrentContext());
  if (!context) throw new KubeConfigError(`kubeconfig ${files[0]}: current-context "${kc.getCurrentContext()}" is not defined`);
  const cluster = kc.getCluster(context.cluster);
  if (!cluster?.server) throw new KubeConfigError(`kubeconfig ${files[0]}: context "${context.name}" has no cluster with a server`);
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) {
    // client-node would refuse later, on the first request; say so now, with the fix.
    throw new KubeConfigError(
      `kubeconfig ${files[0]}: cluster "${cluster.name}" uses plain http (${cluster.server}); client-node only allows that with insecure-skip-tls-verify: true`,
    );
  }
  return { kc, source: 'kubeconfig' as const, file: files[0], server: cluster.server, namespace: context.namespace ?? null };
}
