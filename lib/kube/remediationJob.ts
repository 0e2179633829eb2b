// The remediation Job (issue 5), built as data: a one-shot, privileged pod pinned to one node that runs
// `agent remediate --plan-id <id>` with exactly the host paths the remediation reads or writes. Pure: no I/O, so
// every field is unit-tested and the same object is what the API server receives.
import type { V1EnvVar, V1Job, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { isDns1123Label, isDns1123Subdomain, shortHash, toLabelValue } from './names';

export const REMEDIATION_CONTAINER = 'remediate';
/** Host paths are mounted under this prefix and the agent is told `--root /host`. */
export const HOST_ROOT = '/host';

export const REMEDIATION_DEFAULTS = {
  imagePullPolicy: 'IfNotPresent',
  activeDeadlineSeconds: 300,
  ttlSecondsAfterFinished: 3600,
  serviceAccountName: 'vethwatch-agent',
} as const;

export const LABELS = {
  name: 'app.kubernetes.io/name',
  component: 'app.kubernetes.io/component',
  node: 'vethwatch.io/node',
  request: 'vethwatch.io/request',
} as const;

export const ANNOTATIONS = {
  node: 'vethwatch.io/node',
  request: 'vethwatch.io/request',
  plan: 'vethwatch.io/plan',
} as const;

export interface RemediationJobOptions {
  /** Node name; the Job's pod is pinned to it. */
  node: string;
  requestId: string;
  planId: string;
  namespace: string;
  /** The agent image (its entrypoint is the agent CLI). */
  image: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
  serviceAccountName?: string;
  /** Extra environment for the agent. Names the Job sets itself are refused. */
  env?: Record<string, string>;
}

/** Bad options for a remediation Job; nothing was sent anywhere. */
export class InvalidJobOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidJobOptionsError';
  }
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const RESERVED_ENV = new Set(['SYSTEMD_IGNORE_CHROOT']);

/** `vethwatch-remediate-<12 hex>`: one name per (node, request), so a resubmitted request hits 409, not a twin. */
export function remediationJobName(node: string, requestId: string): string {
  return `vethwatch-remediate-${shortHash(`${node}\0${requestId}`, 12)}`;
}

function positiveInt(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new InvalidJobOptionsError(`${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

interface HostMount {
  volume: string;
  hostPath: string;
  type: 'Directory' | 'DirectoryOrCreate';
  mountPath: string;
  readOnly: boolean;
  propagation?: 'HostToContainer';
}

/**
 * The host paths the remediation touches, and why:
 * - / at /host (read-only, HostToContainer): `agent remediate --root /host` reads the link configuration and host
 *   facts under it and runs the host's own udevadm as `chroot /host udevadm control --reload`, so the udevadm
 *   matches the host's udevd and finds its socket at /host/run/udev/control. That needs the host's binaries,
 *   libraries and /run, i.e. its root. HostToContainer so mounts made after the pod started (new pod network
 *   namespaces under /run/netns) show up. Note: without recursive read-only mounts, submounts of / stay writable;
 *   the container is privileged anyway, and lives for one remediation.
 * - /etc/systemd/network at /host/etc/systemd/network (read-write): the one place it writes, the
 *   99-default.link.d drop-in. DirectoryOrCreate: a host without local overrides may lack the directory, and
 *   creating it is part of writing the drop-in.
 * - /var/run/netns at /var/run/netns (read-only, HostToContainer): repairs act on the live kernel with
 *   `ip -n cni-…`, which looks namespaces up by name there.
 */
const HOST_MOUNTS: HostMount[] = [
  { volume: 'host-root', hostPath: '/', type: 'Directory', mountPath: HOST_ROOT, readOnly: true, propagation: 'HostToContainer' },
  { volume: 'host-etc-systemd-network', hostPath: '/etc/systemd/network', type: 'DirectoryOrCreate', mountPath: `${HOST_ROOT}/etc/systemd/network`, readOnly: false },
  { volume: 'host-netns', hostPath: '/var/run/netns', type: 'DirectoryOrCreate', mountPath: '/var/run/netns', readOnly: true, propagation: 'HostToContainer' },
];

export function buildRemediationJob(opts: RemediationJobOptions): V1Job {
  if (!isDns1123Subdomain(opts.node)) throw new InvalidJobOptionsError(`node must be a Kubernetes node name (DNS-1123 subdomain), got ${JSON.stringify(opts.node)}`);
  if (!ID.test(opts.requestId)) throw new InvalidJobOptionsError(`requestId must match ${ID}, got ${JSON.stringify(opts.requestId)}`);
  if (!ID.test(opts.planId)) throw new InvalidJobOptionsError(`planId must match ${ID}, got ${JSON.stringify(opts.planId)}`);
  if (!isDns1123Label(opts.namespace)) throw new InvalidJobOptionsError(`namespace must be a DNS-1123 label, got ${JSON.stringify(opts.namespace)}`);
  if (!opts.image || /\s/.test(opts.image)) throw new InvalidJobOptionsError(`image must be a non-empty image reference, got ${JSON.stringify(opts.image)}`);
  const pullPolicy = opts.imagePullPolicy ?? REMEDIATION_DEFAULTS.imagePullPolicy;
  if (!['Always', 'IfNotPresent', 'Never'].includes(pullPolicy)) throw new InvalidJobOptionsError(`imagePullPolicy must be Always, IfNotPresent or Never, got ${pullPolicy}`);
  const deadline = positiveInt('activeDeadlineSeconds', opts.activeDeadlineSeconds ?? REMEDIATION_DEFAULTS.activeDeadlineSeconds, 1);
  const ttl = positiveInt('ttlSecondsAfterFinished', opts.ttlSecondsAfterFinished ?? REMEDIATION_DEFAULTS.ttlSecondsAfterFinished, 0);
  const serviceAccountName = opts.serviceAccountName ?? REMEDIATION_DEFAULTS.serviceAccountName;
  if (!isDns1123Subdomain(serviceAccountName)) throw new InvalidJobOptionsError(`serviceAccountName must be a DNS-1123 subdomain, got ${serviceAccountName}`);

  const extraEnv: V1EnvVar[] = Object.entries(opts.env ?? {}).map(([name, value]) => {
    if (!ENV_NAME.test(name)) throw new InvalidJobOptionsError(`env name ${JSON.stringify(name)} is not a valid environment variable name`);
    if (RESERVED_ENV.has(name)) throw new InvalidJobOptionsError(`env name ${name} is set by the Job itself`);
    return { name, value };
  });

  const labels = {
    [LABELS.name]: 'vethwatch',
    [LABELS.component]: 'remediation',
    [LABELS.node]: toLabelValue(opts.node),
    [LABELS.request]: toLabelValue(opts.requestId),
  };
  // Labels are for selecting; the exact values live in annotations, which have no 63-character limit.
  const annotations = { [ANNOTATIONS.node]: opts.node, [ANNOTATIONS.request]: opts.requestId, [ANNOTATIONS.plan]: opts.planId };

  const volumes: V1Volume[] = [];
  for (const m of HOST_MOUNTS) {
    if (!volumes.some((v) => v.name === m.volume)) volumes.push({ name: m.volume, hostPath: { path: m.hostPath, type: m.type } });
  }
  volumes.push({ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
  const volumeMounts: V1VolumeMount[] = [
    ...HOST_MOUNTS.map((m) => ({
      name: m.volume,
      mountPath: m.mountPath,
      readOnly: m.readOnly,
      ...(m.propagation ? { mountPropagation: m.propagation } : {}),
    })),
    { name: 'tmp', mountPath: '/tmp' },
  ];

  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: remediationJobName(opts.node, opts.requestId), namespace: opts.namespace, labels, annotations },
    spec: {
      backoffLimit: 0,
      completions: 1,
      parallelism: 1,
      activeDeadlineSeconds: deadline,
      ttlSecondsAfterFinished: ttl,
      template: {
        metadata: { labels, annotations },
        spec: {
          // nodeName bypasses the scheduler: the pod runs on this node even when it is cordoned or full of
          // NoSchedule taints, which is exactly when an operator may be repairing it.
          nodeName: opts.node,
          hostNetwork: true,
          hostPID: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          restartPolicy: 'Never',
          serviceAccountName,
          // No credentials at all: the remediation reports through its termination message and log, which the
          // server reads (getJobPodEvidence); it never calls the Kubernetes API or the vethwatch server.
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 30,
          tolerations: [{ operator: 'Exists' }],
          volumes,
          containers: [
            {
              name: REMEDIATION_CONTAINER,
              image: opts.image,
              imagePullPolicy: pullPolicy,
              // --node: the plan id covers the node name, so it must be the name the agent reported under.
              args: ['remediate', '--plan-id', opts.planId, '--root', HOST_ROOT, '--node', opts.node],
              env: [
                // With hostPID, /proc/1/root is the host's root, not the container's, so a udevadm run from the image
                // concludes it is in a chroot and `udevadm control --reload` silently does nothing (exit 0; verified
                // with udev 252). The chroot into /host (a bind of the host's /) passes that check by itself; this
                // covers any udevadm run outside it.
                { name: 'SYSTEMD_IGNORE_CHROOT', value: '1' },
                ...extraEnv,
              ],
              // Privileged: it rewrites host link settings (ip link set address, neighbour entries inside pod
              // namespaces) and talks to udevd as root. hostPath rw + hostPID already demand the privileged Pod
              // Security level, so this adds little, and the pod lives for one remediation.
              securityContext: { privileged: true, runAsUser: 0, readOnlyRootFilesystem: true },
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
              terminationMessagePolicy: 'FallbackToLogsOnError',
              volumeMounts,
            },
          ],
        },
      },
    },
  };
}
