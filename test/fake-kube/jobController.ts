// What kube-apiserver's Job strategy and the Job controller do to a Job, reduced to one pod: defaulting and the
// generated selector on create, a pod created on the pinned node, and the status/conditions sequence of batch/v1
// (1.31+: SuccessCriteriaMet/FailureTarget first, then Complete/Failed) when a test says how the pod ended.
import { randomUUID } from 'node:crypto';
import { nowIso, type Obj, type Store } from './store';

/** Defaults and the generated selector the API server adds to a Job on create (dry run included). */
export function defaultJob(job: Obj): Obj {
  const uid: string = job.metadata.uid;
  const name: string = job.metadata.name;
  const spec = { ...job.spec };
  spec.parallelism ??= 1;
  spec.completions ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.manualSelector ??= false;
  spec.podReplacementPolicy ??= 'TerminatingOrFailed';
  const generated = { 'batch.kubernetes.io/controller-uid': uid };
  spec.selector ??= { matchLabels: generated };
  const tmpl = structuredClone(spec.template ?? {});
  tmpl.metadata = { ...(tmpl.metadata ?? {}) };
  tmpl.metadata.labels = {
    ...(tmpl.metadata.labels ?? {}),
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
    'controller-uid': uid,
    'job-name': name,
  };
  tmpl.spec = { dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', terminationGracePeriodSeconds: 30, ...tmpl.spec };
  tmpl.spec.containers = (tmpl.spec.containers ?? []).map((c: Obj) => ({
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
    ...c,
  }));
  spec.template = tmpl;
  return { ...job, metadata: { ...job.metadata, generation: 1 }, spec, status: {} };
}

export type PodOutcome =
  | { outcome: 'Succeeded'; exitCode?: 0; terminationMessage?: string; log?: string }
  | { outcome: 'Failed'; exitCode?: number; terminationMessage?: string; log?: string }
  | { outcome: 'DeadlineExceeded'; log?: string };

export class JobController {
  /** Container logs by "namespace/pod/container". */
  readonly logs = new Map<string, string>();

  constructor(private readonly store: Store) {}

  /** The controller's reaction to a new Job: one pod, on the node the template pins, and status.active. */
  onJobCreated(job: Obj): void {
    const tmpl = job.spec.template;
    const podName = `${job.metadata.name}-${randomUUID().replace(/-/g, '').slice(0, 5)}`;
    const pod: Obj = this.store.prepareCreate('pods', {
      metadata: {
        name: podName,
        namespace: job.metadata.namespace,
        labels: { ...tmpl.metadata.labels },
        annotations: { ...(tmpl.metadata.annotations ?? {}) },
        ownerReferences: [
          { apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, uid: job.metadata.uid, controller: true, blockOwnerDeletion: true },
        ],
        finalizers: ['batch.kubernetes.io/job-tracking'],
      },
      spec: structuredClone(tmpl.spec),
      status: {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: nowIso() }],
        containerStatuses: tmpl.spec.containers.map((c: Obj) => ({
          name: c.name,
          image: c.image,
          imageID: '',
          ready: false,
          restartCount: 0,
          started: false,
          state: { waiting: { reason: 'ContainerCreating' } },
        })),
        qosClass: 'Burstable',
      },
    });
    this.store.create('pods', pod);
    const current = this.store.mustGet('jobs', job.metadata.namespace, job.metadata.name);
    current.status = { ...current.status, active: 1, ready: 0, terminating: 0, startTime: nowIso(), uncountedTerminatedPods: {} };
    this.store.update('jobs', current);
  }

  podsOf(namespace: string, jobName: string): Obj[] {
    return this.store.list('pods', namespace, `job-name=${jobName}`);
  }

  private onlyPod(namespace: string, jobName: string): Obj {
    const pods = this.podsOf(namespace, jobName);
    if (pods.length !== 1) throw new Error(`fake-kube: Job ${namespace}/${jobName} has ${pods.length} pods, expected 1`);
    return pods[0];
  }

  /** The container started: pod Running and ready, Job status.ready 1. */
  startPod(namespace: string, jobName: string, log?: string): Obj {
    const pod = this.onlyPod(namespace, jobName);
    const startedAt = nowIso();
    pod.status.phase = 'Running';
    pod.status.startTime = startedAt;
    pod.status.containerStatuses = pod.status.containerStatuses.map((cs: Obj) => ({
      ...cs,
      ready: true,
      started: true,
      state: { running: { startedAt } },
    }));
    if (log !== undefined) this.logs.set(`${namespace}/${pod.metadata.name}/${pod.spec.containers[0].name}`, log);
    const updated = this.store.update('pods', pod);
    const job = this.store.mustGet('jobs', namespace, jobName);
    job.status = { ...job.status, ready: 1 };
    this.store.update('jobs', job);
    return updated;
  }

  /** The container ended; the Job reaches its terminal condition in the two steps batch/v1 takes. */
  finish(namespace: string, jobName: string, result: PodOutcome): void {
    let pod = this.onlyPod(namespace, jobName);
    if (pod.status.phase === 'Pending') pod = this.startPod(namespace, jobName);
    const container = pod.spec.containers[0].name;
    if (result.log !== undefined) this.logs.set(`${namespace}/${pod.metadata.name}/${container}`, result.log);
    const finishedAt = nowIso();
    const startedAt = pod.status.containerStatuses[0].state.running?.startedAt ?? finishedAt;
    const succeeded = result.outcome === 'Succeeded';
    const exitCode = result.outcome === 'Succeeded' ? 0 : result.outcome === 'Failed' ? (result.exitCode ?? 1) : 137;
    let message: string | undefined = 'terminationMessage' in result ? result.terminationMessage : undefined;
    // FallbackToLogsOnError: with no message written and a failed container, the kubelet uses the log's tail.
    const policy = pod.spec.containers[0].terminationMessagePolicy;
    if (message === undefined && !succeeded && policy === 'FallbackToLogsOnError') {
      const log = this.logs.get(`${namespace}/${pod.metadata.name}/${container}`);
      if (log) message = log.split('\n').slice(-80).join('\n').slice(-2048);
    }
    const terminated: Obj = {
      exitCode,
      reason: succeeded ? 'Completed' : 'Error',
      startedAt,
      finishedAt,
      containerID: `containerd://${randomUUID().replace(/-/g, '')}`,
    };
    if (message !== undefined) terminated.message = message;
    pod.status.phase = succeeded ? 'Succeeded' : 'Failed';
    if (result.outcome === 'DeadlineExceeded') {
      pod.status.reason = 'DeadlineExceeded';
      pod.status.message = 'Pod was active on the node longer than the specified deadline';
    }
    pod.status.containerStatuses = pod.status.containerStatuses.map((cs: Obj) => ({ ...cs, ready: false, started: false, state: { terminated } }));
    pod.metadata.finalizers = [];
    this.store.update('pods', pod);

    const now = nowIso();
    const cond = (type: string, reason?: string, msg?: string) => ({
      type,
      status: 'True',
      lastProbeTime: now,
      lastTransitionTime: now,
      ...(reason ? { reason } : {}),
      ...(msg ? { message: msg } : {}),
    });
    let job = this.store.mustGet('jobs', namespace, jobName);
    if (succeeded) {
      job.status = { ...job.status, active: 0, ready: 0, succeeded: 1, conditions: [cond('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods')] };
      this.store.update('jobs', job);
      job = this.store.mustGet('jobs', namespace, jobName);
      job.status = { ...job.status, completionTime: now, conditions: [...job.status.conditions, cond('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods')] };
      this.store.update('jobs', job);
      return;
    }
    const [reason, msg] =
      result.outcome === 'DeadlineExceeded'
        ? ['DeadlineExceeded', 'Job was active longer than specified deadline']
        : ['BackoffLimitExceeded', 'Job has reached the specified backoff limit'];
    job.status = { ...job.status, active: 0, ready: 0, failed: 1, conditions: [cond('FailureTarget', reason, msg)] };
    this.store.update('jobs', job);
    job = this.store.mustGet('jobs', namespace, jobName);
    job.status = { ...job.status, conditions: [...job.status.conditions, cond('Failed', reason, msg)] };
    this.store.update('jobs', job);
  }
}
