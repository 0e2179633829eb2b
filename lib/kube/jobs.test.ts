import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeCluster, startFakeCluster } from '@/test/fake-kube/cluster';
import { KubeConflictError, KubeForbiddenError, KubeInvalidError, KubeNotFoundError } from './errors';
import { buildRemediationJob, createJob, getJobPodEvidence, InvalidJobOptionsError, summarizeJob, watchJob } from './jobs';

const NODE = 'ip-10-0-12-34.eu-west-1.compute.internal';
const NS = 'vethwatch';
const jobFor = (requestId: string) =>
  buildRemediationJob({ node: NODE, requestId, planId: `plan-${requestId}`, namespace: NS, image: 'ghcr.io/vethwatch/agent:0.1.0' });

let c: FakeCluster;
beforeEach(async () => {
  c = await startFakeCluster();
});
afterEach(async () => {
  await c.close();
});

describe('createJob', () => {
  it('runs a server-side dry run, then the real create, with the same body', async () => {
    const job = jobFor('req-1');
    const ref = await createJob(c.kube, job);
    const posts = c.fake.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => [r.path, r.query, r.contentType, r.status])).toEqual([
      [`/apis/batch/v1/namespaces/${NS}/jobs`, { dryRun: 'All' }, 'application/json', 201],
      [`/apis/batch/v1/namespaces/${NS}/jobs`, {}, 'application/json', 201],
    ]);
    // What went over the wire is exactly the built Job (client-node serializes it; nothing added or dropped).
    expect(posts[0].body).toEqual(JSON.parse(JSON.stringify(job)));
    expect(posts[1].body).toEqual(posts[0].body);
    expect(posts[0].authorization).toBe(`Bearer ${c.fake.token}`);
    expect(ref.name).toBe(job.metadata!.name);
    expect(ref.namespace).toBe(NS);
    expect(ref.uid).toMatch(/^[0-9a-f-]{36}$/);
    const stored = c.fake.store.get('jobs', NS, ref.name)!;
    expect(stored.metadata.uid).toBe(ref.uid);
    expect(stored.spec.template.spec.nodeName).toBe(NODE);
  });

  it('does not persist anything when only the dry run happens', async () => {
    c.fake.forbid({ verb: 'create', resource: 'jobs', namespace: NS });
    await expect(createJob(c.kube, jobFor('req-2'))).rejects.toBeInstanceOf(KubeForbiddenError);
    expect(c.fake.store.list('jobs', NS)).toEqual([]);
    expect(c.fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('refuses a Job without name or namespace before any request', async () => {
    const job = jobFor('req-0');
    delete job.metadata!.namespace;
    await expect(createJob(c.kube, job)).rejects.toBeInstanceOf(InvalidJobOptionsError);
    expect(c.fake.requests).toHaveLength(0);
  });

  it('skips the dry run when asked', async () => {
    await createJob(c.kube, jobFor('req-3'), { dryRunFirst: false });
    expect(c.fake.requests.filter((r) => r.method === 'POST').map((r) => r.query)).toEqual([{}]);
  });

  it('maps 409 AlreadyExists to KubeConflictError, caught by the dry run', async () => {
    await createJob(c.kube, jobFor('req-4'));
    c.fake.clearRequests();
    const err = await createJob(c.kube, jobFor('req-4')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeConflictError);
    const e = err as KubeConflictError;
    expect(e.code).toBe(409);
    expect(e.reason).toBe('AlreadyExists');
    expect(e.statusMessage).toBe(`jobs.batch "${jobFor('req-4').metadata!.name}" already exists`);
    expect(e.action).toMatch(/^dry-run create Job vethwatch\//);
    expect(e.details).toEqual({ name: jobFor('req-4').metadata!.name, group: 'batch', kind: 'jobs' });
    expect(c.fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('maps 403 to KubeForbiddenError carrying the Status message', async () => {
    c.fake.forbid({ verb: 'create', resource: 'jobs', namespace: NS });
    const err = (await createJob(c.kube, jobFor('req-5')).catch((e: unknown) => e)) as KubeForbiddenError;
    expect(err).toBeInstanceOf(KubeForbiddenError);
    expect(err.code).toBe(403);
    expect(err.statusMessage).toBe(
      'jobs.batch is forbidden: User "system:serviceaccount:vethwatch:vethwatch-server" cannot create resource "jobs" in API group "batch" in the namespace "vethwatch"',
    );
    expect(err.message).toContain(err.statusMessage);
  });

  it('surfaces an admission denial from the dry run with its own message', async () => {
    const denial = 'admission webhook "policy.example.com" denied the request: privileged containers are not allowed in namespace vethwatch';
    c.fake.forbid({ verb: 'create', resource: 'jobs', message: denial });
    const err = (await createJob(c.kube, jobFor('req-6')).catch((e: unknown) => e)) as KubeForbiddenError;
    expect(err).toBeInstanceOf(KubeForbiddenError);
    expect(err.statusMessage).toBe(denial);
    expect(err.action).toMatch(/^dry-run/);
  });

  it('maps a validation failure (422) to KubeInvalidError with the causes', async () => {
    const job = jobFor('req-7');
    job.spec!.template.spec!.restartPolicy = 'Always';
    const err = (await createJob(c.kube, job).catch((e: unknown) => e)) as KubeInvalidError;
    expect(err).toBeInstanceOf(KubeInvalidError);
    expect(err.code).toBe(422);
    expect(err.details?.causes).toEqual([
      { reason: 'FieldValueNotSupported', message: 'Unsupported value: "Always": supported values: "OnFailure", "Never"', field: 'spec.template.spec.restartPolicy' },
    ]);
    expect(c.fake.store.list('jobs', NS)).toEqual([]);
  });
});

describe('watchJob', () => {
  it('follows a Job to Complete and reports progress', async () => {
    const ref = await createJob(c.kube, jobFor('w-1'));
    const seen: string[] = [];
    setTimeout(() => c.fake.startJobPod(NS, ref.name), 50);
    setTimeout(() => c.fake.finishJob(NS, ref.name, { outcome: 'Succeeded', terminationMessage: '{"fixed":3}' }), 150);
    const out = await watchJob(c.kube, { namespace: NS, name: ref.name, timeoutMs: 5000, onProgress: (s) => seen.push(s.phase) });
    expect(out.outcome).toBe('Complete');
    expect(out.status).toMatchObject({ name: ref.name, namespace: NS, uid: ref.uid, phase: 'Complete', active: 0, succeeded: 1, failed: 0, reason: 'CompletionsReached' });
    expect(out.status.completionTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(seen[0]).toBe('Pending');
    expect(seen).toContain('Running');
    expect(seen.at(-1)).toBe('Complete');
    const watches = c.fake.requests.filter((r) => r.query.watch === 'true');
    expect(watches).toHaveLength(1);
    expect(watches[0].path).toBe(`/apis/batch/v1/namespaces/${NS}/jobs`);
    expect(watches[0].query.fieldSelector).toBe(`metadata.name=${ref.name}`);
    // Watches from the version it read, so nothing between the read and the watch is lost.
    const read = c.fake.requests.find((r) => r.path.endsWith(`/jobs/${ref.name}`))!;
    expect(read.method).toBe('GET');
    expect(watches[0].query.resourceVersion).toMatch(/^\d+$/);
  });

  it('does not stop at FailureTarget; returns Failed with the reason', async () => {
    const ref = await createJob(c.kube, jobFor('w-2'));
    setTimeout(() => c.fake.finishJob(NS, ref.name, { outcome: 'Failed', exitCode: 3, terminationMessage: 'udevadm: not root' }), 50);
    const out = await watchJob(c.kube, { namespace: NS, name: ref.name, timeoutMs: 5000 });
    expect(out.outcome).toBe('Failed');
    expect(out.status).toMatchObject({ phase: 'Failed', failed: 1, reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
  });

  it('reports DeadlineExceeded', async () => {
    const ref = await createJob(c.kube, jobFor('w-3'));
    setTimeout(() => c.fake.finishJob(NS, ref.name, { outcome: 'DeadlineExceeded' }), 50);
    const out = await watchJob(c.kube, { namespace: NS, name: ref.name, timeoutMs: 5000 });
    expect(out.outcome).toBe('Failed');
    expect(out.status.reason).toBe('DeadlineExceeded');
  });

  it('returns at once for a Job that already finished', async () => {
    const ref = await createJob(c.kube, jobFor('w-4'));
    c.fake.finishJob(NS, ref.name, { outcome: 'Succeeded' });
    c.fake.clearRequests();
    const out = await watchJob(c.kube, { namespace: NS, name: ref.name, timeoutMs: 5000 });
    expect(out.outcome).toBe('Complete');
    expect(c.fake.requests.filter((r) => r.query.watch)).toHaveLength(0);
  });

  it('times out with the last status seen', async () => {
    const ref = await createJob(c.kube, jobFor('w-5'));
    const started = Date.now();
    const out = await watchJob(c.kube, { namespace: NS, name: ref.name, timeoutMs: 400 });
    expect(out.outcome).toBe('TimedOut');
    expect(out.status.phase).toBe('Pending');
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    // Our side closed its watch (the server's own timeoutSeconds would take up to a second longer).
    await waitFor(() => c.fake.openWatchCount === 0, 500);
  });

  it('resumes after the watch is dropped, cleanly or abruptly, without missing the transition', async () => {
    const ref = await createJob(c.kube, jobFor('w-6'));
    const done = watchJob(c.kube, { namespace: NS, name: ref.name, timeoutMs: 8000 });
    await waitFor(() => c.fake.openWatchCount === 1);
    c.fake.dropWatches();
    c.fake.startJobPod(NS, ref.name); // happens while no watch is open
    await waitFor(() => c.fake.openWatchCount === 1);
    c.fake.dropWatches({ abrupt: true });
    c.fake.finishJob(NS, ref.name, { outcome: 'Succeeded' });
    const out = await done;
    expect(out.outcome).toBe('Complete');
    expect(c.fake.requests.filter((r) => r.query.watch === 'true').length).toBeGreaterThanOrEqual(2);
  });

  it('re-reads after 410 Expired', async () => {
    const ref = await createJob(c.kube, jobFor('w-7'));
    c.fake.expireNextWatches(1);
    setTimeout(() => c.fake.finishJob(NS, ref.name, { outcome: 'Succeeded' }), 300);
    expect((await watchJob(c.kube, { namespace: NS, name: ref.name, timeoutMs: 8000 })).outcome).toBe('Complete');
    const reads = c.fake.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/jobs/${ref.name}`));
    const watches = c.fake.requests.filter((r) => r.query.watch === 'true');
    expect(watches).toHaveLength(2);
    expect(reads).toHaveLength(2);
  });

  it('returns Deleted when the Job disappears', async () => {
    const ref = await createJob(c.kube, jobFor('w-8'));
    const done = watchJob(c.kube, { namespace: NS, name: ref.name, timeoutMs: 5000 });
    await waitFor(() => c.fake.openWatchCount === 1);
    c.fake.store.delete('jobs', NS, ref.name);
    expect((await done).outcome).toBe('Deleted');
  });

  it('throws KubeNotFoundError for a Job that never existed', async () => {
    await expect(watchJob(c.kube, { namespace: NS, name: 'vethwatch-remediate-000000000000', timeoutMs: 1000 })).rejects.toBeInstanceOf(KubeNotFoundError);
  });
});

describe('getJobPodEvidence', () => {
  it('returns the pod, exit code, termination message and log tail', async () => {
    const ref = await createJob(c.kube, jobFor('e-1'));
    const log = Array.from({ length: 300 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    c.fake.finishJob(NS, ref.name, { outcome: 'Failed', exitCode: 2, terminationMessage: '{"error":"drop-in not written"}', log });
    c.fake.clearRequests();
    const ev = await getJobPodEvidence(c.kube, { namespace: NS, jobName: ref.name });
    expect(ev).toHaveLength(1);
    const [p] = ev;
    expect(p.name.startsWith(`${ref.name}-`)).toBe(true);
    expect(p).toMatchObject({
      phase: 'Failed',
      nodeName: NODE,
      container: 'remediate',
      exitCode: 2,
      terminationReason: 'Error',
      terminationMessage: '{"error":"drop-in not written"}',
      logError: null,
    });
    expect(p.log!.split('\n').filter(Boolean)).toHaveLength(200);
    expect(p.log!.startsWith('line 101\n')).toBe(true);
    expect(c.fake.requests.map((r) => [r.path, r.query])).toEqual([
      [`/api/v1/namespaces/${NS}/pods`, { labelSelector: `job-name=${ref.name}` }],
      [`/api/v1/namespaces/${NS}/pods/${p.name}/log`, { container: 'remediate', tailLines: '200', limitBytes: '65536' }],
    ]);
  });

  it('falls back to the log tail as termination message when the agent wrote none (FallbackToLogsOnError)', async () => {
    const ref = await createJob(c.kube, jobFor('e-2'));
    c.fake.finishJob(NS, ref.name, { outcome: 'Failed', exitCode: 1, log: 'starting\nError: cannot open /host/etc/systemd/network\n' });
    const [p] = await getJobPodEvidence(c.kube, { namespace: NS, jobName: ref.name });
    expect(p.terminationMessage).toContain('Error: cannot open /host/etc/systemd/network');
  });

  it('reports a log that cannot be read yet instead of failing', async () => {
    const ref = await createJob(c.kube, jobFor('e-3'));
    const [p] = await getJobPodEvidence(c.kube, { namespace: NS, jobName: ref.name });
    expect(p.phase).toBe('Pending');
    expect(p.log).toBeNull();
    expect(p.logError).toBe(`container "remediate" in pod "${p.name}" is waiting to start: ContainerCreating`);
    expect(p.exitCode).toBeNull();
  });

  it('is empty for a Job without pods, and typed-errors when pods may not be listed', async () => {
    expect(await getJobPodEvidence(c.kube, { namespace: NS, jobName: 'nope' })).toEqual([]);
    c.fake.forbid({ verb: 'list', resource: 'pods' });
    await expect(getJobPodEvidence(c.kube, { namespace: NS, jobName: 'nope' })).rejects.toBeInstanceOf(KubeForbiddenError);
  });
});

describe('summarizeJob', () => {
  it('reads raw watch objects and typed models alike', () => {
    const raw = { metadata: { name: 'j', namespace: 'n', uid: 'u' }, status: { active: 1, ready: 1, startTime: '2025-01-01T00:00:00Z' } };
    expect(summarizeJob(raw)).toMatchObject({ phase: 'Running', startTime: '2025-01-01T00:00:00.000Z' });
    const typed = { metadata: { name: 'j' }, status: { startTime: new Date('2025-01-01T00:00:00Z'), conditions: [{ type: 'Failed', status: 'True', reason: 'X' }] } };
    expect(summarizeJob(typed)).toMatchObject({ phase: 'Failed', startTime: '2025-01-01T00:00:00.000Z', reason: 'X' });
    expect(summarizeJob({ metadata: {}, status: { conditions: [{ type: 'Complete', status: 'False' }] } }).phase).toBe('Pending');
  });
});

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('waitFor: condition not met');
    await new Promise((r) => setTimeout(r, 10));
  }
}
