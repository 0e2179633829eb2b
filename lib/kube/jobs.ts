import 'server-only';
import { Watch, type V1Job, type V1Pod } from '@kubernetes/client-node';
import type { KubeClients } from './config';
import { KubeError, kubeCall, toKubeError } from './errors';
import { InvalidJobOptionsError, REMEDIATION_CONTAINER } from './remediationJob';
import { isoTime } from './time';
import { sleep } from '../time/sleep';

export {
  buildRemediationJob,
  remediationJobName,
  InvalidJobOptionsError,
  REMEDIATION_DEFAULTS,
  type RemediationJobOptions,
} from './remediationJob';

export interface JobRef {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  createdAt: string | null;
}

/**
 * Creates a Job. With dryRunFirst (the default) the API server first runs the full create with `dryRun=All`
 * (validation, admission webhooks, quota, RBAC) without persisting; its refusal is thrown as the typed error
 * (KubeForbiddenError, KubeInvalidError, KubeConflictError ...) whose `action` starts with "dry-run".
 */
export async function createJob(kube: KubeClients, job: V1Job, opts: { dryRunFirst?: boolean } = {}): Promise<JobRef> {
  const namespace = job.metadata?.namespace;
  const name = job.metadata?.name;
  if (!namespace || !name) throw new InvalidJobOptionsError('createJob: the Job needs metadata.name and metadata.namespace');
  if (opts.dryRunFirst ?? true) {
    await kubeCall(`dry-run create Job ${namespace}/${name}`, () => kube.batch.createNamespacedJob({ namespace, body: job, dryRun: 'All' }));
  }
  const created = await kubeCall(`create Job ${namespace}/${name}`, () => kube.batch.createNamespacedJob({ namespace, body: job }));
  return {
    name: created.metadata?.name ?? name,
    namespace: created.metadata?.namespace ?? namespace,
    uid: created.metadata?.uid ?? '',
    resourceVersion: created.metadata?.resourceVersion ?? '',
    createdAt: isoTime(created.metadata?.creationTimestamp),
  };
}

export type JobPhase = 'Pending' | 'Running' | 'Complete' | 'Failed';

export interface JobStatusSummary {
  name: string;
  namespace: string;
  uid: string;
  phase: JobPhase;
  active: number;
  succeeded: number;
  failed: number;
  startTime: string | null;
  completionTime: string | null;
  /** The terminal condition's reason/message (e.g. BackoffLimitExceeded, DeadlineExceeded); null while running. */
  reason: string | null;
  message: string | null;
}

export interface JobOutcome {
  /** Complete/Failed: the Job's terminal condition. TimedOut: still running when we stopped waiting. Deleted: gone. */
  outcome: 'Complete' | 'Failed' | 'TimedOut' | 'Deleted';
  status: JobStatusSummary;
}

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Summarises a Job from client-node's model or a raw watch object (dates as Date or string alike). */
export function summarizeJob(job: V1Job | Raw): JobStatusSummary {
  const j = job as Raw;
  const st = j.status ?? {};
  const conditions: Raw[] = Array.isArray(st.conditions) ? st.conditions : [];
  const terminal = conditions.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  const active = Number(st.active ?? 0);
  const phase: JobPhase = terminal ? (terminal.type as 'Complete' | 'Failed') : active > 0 && Number(st.ready ?? 0) > 0 ? 'Running' : 'Pending';
  return {
    name: j.metadata?.name ?? '',
    namespace: j.metadata?.namespace ?? '',
    uid: j.metadata?.uid ?? '',
    phase,
    active,
    succeeded: Number(st.succeeded ?? 0),
    failed: Number(st.failed ?? 0),
    startTime: isoTime(st.startTime),
    completionTime: isoTime(st.completionTime),
    reason: terminal?.reason ?? null,
    message: terminal?.message ?? null,
  };
}

export interface WatchJobOptions {
  namespace: string;
  name: string;
  /** Give up (outcome TimedOut) after this long. */
  timeoutMs: number;
  /** Called with every change seen, e.g. to stream progress to the UI. */
  onProgress?: (status: JobStatusSummary) => void;
  signal?: AbortSignal;
}

/**
 * Waits for a Job to reach Complete or Failed. Reads the Job, then watches it from that resourceVersion; a watch
 * that ends (API server timeout, dropped connection, 410 Expired) is resumed by reading again, so no transition
 * is missed. Returns TimedOut rather than throwing when time runs out; throws KubeError if the Job cannot be read.
 */
export async function watchJob(kube: KubeClients, opts: WatchJobOptions): Promise<JobOutcome> {
  const { namespace, name } = opts;
  const deadline = Date.now() + opts.timeoutMs;
  const watcher = new Watch(kube.kc);
  let last: JobStatusSummary | null = null;
  const progress = (s: JobStatusSummary) => {
    last = s;
    opts.onProgress?.(s);
  };
  let failuresInARow = 0;

  while (true) {
    if (opts.signal?.aborted || Date.now() >= deadline) return { outcome: 'TimedOut', status: last ?? (await readSummary(kube, namespace, name)) };
    let job: V1Job;
    try {
      job = await kube.batch.readNamespacedJob({ namespace, name });
    } catch (err) {
      const e = toKubeError(err, `read Job ${namespace}/${name}`);
      if (e.code === 404 && last) return { outcome: 'Deleted', status: last };
      throw e;
    }
    const current = summarizeJob(job);
    progress(current);
    if (current.phase === 'Complete' || current.phase === 'Failed') return { outcome: current.phase, status: current };

    const watchStarted = Date.now();
    const result = await watchOnce(watcher, kube, {
      namespace,
      name,
      resourceVersion: job.metadata?.resourceVersion ?? '',
      untilMs: deadline,
      signal: opts.signal,
      onChange: progress,
    });
    if (result.kind === 'terminal') return { outcome: result.status.phase as 'Complete' | 'Failed', status: result.status };
    if (result.kind === 'deleted') return { outcome: 'Deleted', status: result.status };
    // A refused or broken watch, or one that ended at once: back off (bounded by the deadline) before reading
    // again, so a misbehaving server is not hammered. A watch that ran a while and ended is simply resumed.
    if (result.kind === 'error' || Date.now() - watchStarted < 1000) {
      failuresInARow++;
      await sleep(Math.min(100 * 2 ** Math.min(failuresInARow, 5), Math.max(0, deadline - Date.now())), opts.signal);
    } else failuresInARow = 0;
  }
}

type WatchResult =
  | { kind: 'terminal'; status: JobStatusSummary }
  | { kind: 'deleted'; status: JobStatusSummary }
  | { kind: 'ended' }
  | { kind: 'error'; error: unknown };

function watchOnce(
  watcher: Watch,
  kube: KubeClients,
  o: { namespace: string; name: string; resourceVersion: string; untilMs: number; signal?: AbortSignal; onChange: (s: JobStatusSummary) => void },
): Promise<WatchResult> {
  return new Promise<WatchResult>((resolve) => {
    let settled = false;
    let controller: AbortController | null = null;
    const finish = (r: WatchResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      controller?.abort();
      resolve(r);
    };
    const onAbort = () => finish({ kind: 'ended' });
    const remaining = Math.max(1, o.untilMs - Date.now());
    const timer = setTimeout(() => finish({ kind: 'ended' }), remaining);
    o.signal?.addEventListener('abort', onAbort);
    watcher
      .watch(
        `/apis/batch/v1/namespaces/${encodeURIComponent(o.namespace)}/jobs`,
        {
          fieldSelector: `metadata.name=${o.name}`,
          resourceVersion: o.resourceVersion,
          // Ask the server to end the stream by our deadline too, so nothing lingers on either side.
          timeoutSeconds: Math.max(1, Math.ceil(remaining / 1000)),
          allowWatchBookmarks: true,
        },
        (type: string, obj: Raw) => {
          if (type === 'ERROR') return finish({ kind: 'ended' }); // e.g. 410 Expired: the caller reads afresh
          if (type === 'BOOKMARK') return;
          const status = summarizeJob(obj);
          if (type === 'DELETED') return finish({ kind: 'deleted', status });
          o.onChange(status);
          if (status.phase === 'Complete' || status.phase === 'Failed') finish({ kind: 'terminal', status });
        },
        (err: unknown) => finish(err ? { kind: 'error', error: err } : { kind: 'ended' }),
      )
      .then((c) => {
        controller = c;
        if (settled) c.abort();
      })
      .catch((err: unknown) => finish({ kind: 'error', error: err }));
  });
}

async function readSummary(kube: KubeClients, namespace: string, name: string): Promise<JobStatusSummary> {
  return summarizeJob(await kubeCall(`read Job ${namespace}/${name}`, () => kube.batch.readNamespacedJob({ namespace, name })));
}


export interface JobPodEvidence {
  name: string;
  phase: string;
  nodeName: string | null;
  /** Pod-level reason, e.g. DeadlineExceeded. */
  reason: string | null;
  container: string;
  exitCode: number | null;
  /** Container termination reason: Completed, Error, OOMKilled... */
  terminationReason: string | null;
  /** What the agent wrote to /dev/termination-log (or, on error, the log tail: FallbackToLogsOnError). */
  terminationMessage: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** The container's log (last `tailLines` lines, at most `limitBytes`), or null when it could not be read. */
  log: string | null;
  logError: string | null;
}

/**
 * The evidence a finished (or stuck) Job left: its pods (by the controller's `job-name` label), each container's
 * exit code and termination message, and the log tail. A pod whose log cannot be read yet (still creating, or
 * already garbage-collected) reports logError instead of failing the whole call.
 */
export async function getJobPodEvidence(
  kube: KubeClients,
  opts: { namespace: string; jobName: string; tailLines?: number; limitBytes?: number },
): Promise<JobPodEvidence[]> {
  const { namespace, jobName } = opts;
  const list = await kubeCall(`list pods of Job ${namespace}/${jobName}`, () =>
    kube.core.listNamespacedPod({ namespace, labelSelector: `job-name=${jobName}` }),
  );
  const pods = [...list.items].sort((a, b) => (isoTime(a.metadata?.creationTimestamp) ?? '').localeCompare(isoTime(b.metadata?.creationTimestamp) ?? ''));
  return Promise.all(pods.map((pod) => podEvidence(kube, pod, opts.tailLines ?? 200, opts.limitBytes ?? 64 * 1024)));
}

async function podEvidence(kube: KubeClients, pod: V1Pod, tailLines: number, limitBytes: number): Promise<JobPodEvidence> {
  const name = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? '';
  const statuses = pod.status?.containerStatuses ?? [];
  const cs = statuses.find((s) => s.name === REMEDIATION_CONTAINER) ?? statuses[0];
  const container = cs?.name ?? pod.spec?.containers?.[0]?.name ?? REMEDIATION_CONTAINER;
  const terminated = cs?.state?.terminated ?? cs?.lastState?.terminated;
  let log: string | null = null;
  let logError: string | null = null;
  try {
    log = await kubeCall(`read log of pod ${namespace}/${name}`, () =>
      kube.core.readNamespacedPodLog({ name, namespace, container, tailLines, limitBytes }),
    );
  } catch (err) {
    logError = err instanceof KubeError ? err.statusMessage : String(err);
  }
  return {
    name,
    phase: pod.status?.phase ?? 'Unknown',
    nodeName: pod.spec?.nodeName ?? null,
    reason: pod.status?.reason ?? null,
    container,
    exitCode: terminated?.exitCode ?? null,
    terminationReason: terminated?.reason ?? null,
    terminationMessage: terminated?.message ?? null,
    startedAt: isoTime(terminated?.startedAt ?? cs?.state?.running?.startedAt),
    finishedAt: isoTime(terminated?.finishedAt),
    log,
    logError,
  };
}
