// The fake API server must be faithful, or every lib/kube test built on it proves nothing: these pin its wire
// behaviour (status codes, Status bodies, list and watch framing, resourceVersion rules, patch semantics).
import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flannelAnnotations, makeFlannelDaemonSet, makeNode } from './cluster';
import { jsonMergePatch, NODE_MERGE_KEYS, strategicMergePatch } from './patch';
import { matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors';
import { FakeKube } from './server';

let fake: FakeKube;
beforeEach(async () => {
  fake = await FakeKube.start({ token: 'tkn' });
});
afterEach(async () => {
  await fake.close();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${fake.url}${path}`, {
    method,
    headers: { authorization: 'Bearer tkn', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, contentType: res.headers.get('content-type'), json };
}

const job = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, labels },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
});

/** Opens a watch and collects its newline-delimited events until it ends or `until` says stop. */
function openWatch(path: string): Promise<{ status: number; lines: string[]; done: Promise<void>; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${fake.url}${path}`, { headers: { authorization: 'Bearer tkn' } }, (res) => {
      const lines: string[] = [];
      let buf = '';
      const done = new Promise<void>((r) => {
        res.on('end', r);
        res.on('close', r);
      });
      res.on('data', (d: Buffer) => {
        buf += d.toString();
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          lines.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      });
      resolve({ status: res.statusCode ?? 0, lines, done, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

async function waitFor(cond: () => boolean, ms = 3000) {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('waitFor timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('authentication and routing', () => {
  it('answers 401 with an Unauthorized Status without the bearer token', async () => {
    const r = await call('GET', '/api/v1/nodes', undefined, { authorization: 'Bearer wrong' });
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  });

  it('answers 404 for unknown paths and 405 for unsupported verbs', async () => {
    expect((await call('GET', '/api/v1/namespaces/x/secrets')).json).toMatchObject({ code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
    expect((await call('GET', '/apis/batch/v2/namespaces/x/jobs')).status).toBe(404);
    expect((await call('GET', '/api/v1/namespaces/x/nodes')).status).toBe(404);
    expect((await call('DELETE', '/api/v1/nodes/x')).json).toMatchObject({ code: 405, reason: 'MethodNotAllowed' });
  });

  it('records every request', async () => {
    await call('POST', '/apis/batch/v1/namespaces/ns/jobs?dryRun=All', job('j'));
    expect(fake.requests).toEqual([
      { method: 'POST', path: '/apis/batch/v1/namespaces/ns/jobs', query: { dryRun: 'All' }, contentType: 'application/json', authorization: 'Bearer tkn', body: job('j'), status: 201 },
    ]);
  });
});

describe('flannel on Nodes and DaemonSets', () => {
  it('serves Node annotations and podCIDR as stored, and watch events carry them', async () => {
    const annotations = flannelAnnotations({ vtepMac: '0a:00:00:00:00:0a', publicIp: '192.168.1.10' });
    fake.upsertNode(makeNode('node-a', { annotations, podCIDR: '10.244.0.0/24' }));
    const got = await call('GET', '/api/v1/nodes/node-a');
    expect(got.status).toBe(200);
    expect(got.json.kind).toBe('Node');
    expect(got.json.metadata.annotations).toEqual(annotations);
    expect(JSON.parse(got.json.metadata.annotations['flannel.alpha.coreos.com/backend-data'])).toEqual({ VNI: 1, VtepMAC: '0a:00:00:00:00:0a' });
    expect(got.json.spec).toEqual({ podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] });
    const list = await call('GET', '/api/v1/nodes');
    expect(list.json.items[0].metadata.annotations).toEqual(annotations);
  });

  it('serves the kube-flannel DaemonSet in its namespace, lists it across namespaces, and 404s a missing one', async () => {
    fake.put('daemonsets', makeFlannelDaemonSet('v0.26.1'));
    const got = await call('GET', '/apis/apps/v1/namespaces/kube-flannel/daemonsets/kube-flannel-ds');
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ kind: 'DaemonSet', apiVersion: 'apps/v1', metadata: { name: 'kube-flannel-ds', namespace: 'kube-flannel' } });
    expect(got.json.spec.template.spec.containers[0].image).toBe('docker.io/flannel/flannel:v0.26.1');
    const all = await call('GET', '/apis/apps/v1/daemonsets');
    expect(all.json).toMatchObject({ kind: 'DaemonSetList', apiVersion: 'apps/v1' });
    expect(all.json.items.map((d: { metadata: { name: string } }) => d.metadata.name)).toEqual(['kube-flannel-ds']);
    const missing = await call('GET', '/apis/apps/v1/namespaces/kube-system/daemonsets/kube-flannel-ds');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, details: { name: 'kube-flannel-ds', group: 'apps', kind: 'daemonsets' } });
  });
});

describe('create', () => {
  it('creates with 201 and server-set metadata; dryRun=All validates and defaults but stores nothing', async () => {
    const dry = await call('POST', '/apis/batch/v1/namespaces/ns/jobs?dryRun=All', job('j1'));
    expect(dry.status).toBe(201);
    expect(dry.json.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(dry.json.metadata.resourceVersion).toBeUndefined();
    expect(dry.json.spec.backoffLimit).toBe(6);
    expect(dry.json.spec.template.metadata.labels['job-name']).toBe('j1');
    expect((await call('GET', '/apis/batch/v1/namespaces/ns/jobs/j1')).status).toBe(404);
    const real = await call('POST', '/apis/batch/v1/namespaces/ns/jobs', job('j1'));
    expect(real.status).toBe(201);
    expect(real.json).toMatchObject({ kind: 'Job', apiVersion: 'batch/v1', metadata: { name: 'j1', namespace: 'ns', generation: 1 } });
    expect(real.json.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(real.json.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': real.json.metadata.uid } });
  });

  it('answers 409 AlreadyExists as a Status, for dry runs too', async () => {
    await call('POST', '/apis/batch/v1/namespaces/ns/jobs', job('j2'));
    for (const q of ['', '?dryRun=All']) {
      const r = await call('POST', `/apis/batch/v1/namespaces/ns/jobs${q}`, job('j2'));
      expect(r.status).toBe(409);
      expect(r.json).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'jobs.batch "j2" already exists',
        reason: 'AlreadyExists',
        details: { name: 'j2', group: 'batch', kind: 'jobs' },
        code: 409,
      });
    }
  });

  it('answers 403 Forbidden as a Status for a configured rule, per verb and namespace', async () => {
    fake.forbid({ verb: 'create', resource: 'jobs', namespace: 'locked' });
    const r = await call('POST', '/apis/batch/v1/namespaces/locked/jobs', job('j3'));
    expect(r.status).toBe(403);
    expect(r.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'jobs.batch is forbidden: User "system:serviceaccount:vethwatch:vethwatch-server" cannot create resource "jobs" in API group "batch" in the namespace "locked"',
      reason: 'Forbidden',
      details: { group: 'batch', kind: 'jobs' },
      code: 403,
    });
    expect((await call('POST', '/apis/batch/v1/namespaces/open/jobs', job('j3'))).status).toBe(201);
    fake.forbid({ verb: 'patch', resource: 'nodes/status' });
    const p = await call('PATCH', '/api/v1/nodes/n/status', {}, { 'content-type': 'application/merge-patch+json' });
    expect(p.json.message).toBe('nodes is forbidden: User "system:serviceaccount:vethwatch:vethwatch-server" cannot patch resource "nodes/status" in API group "" at the cluster scope');
  });

  it('rejects malformed requests as the API server does', async () => {
    expect((await call('POST', '/apis/batch/v1/namespaces/ns/jobs?dryRun=Yes', job('j4'))).json).toMatchObject({ code: 400, message: 'dryRun: Unsupported value: "Yes": supported values: "All"' });
    expect((await call('POST', '/apis/batch/v1/namespaces/ns/jobs', { ...job('j4'), apiVersion: 'batch/v1beta1' })).json.message).toBe(
      'the API version in the data (batch/v1beta1) does not match the expected API version (batch/v1)',
    );
    expect((await call('POST', '/apis/batch/v1/namespaces/ns/jobs', { ...job('j4'), metadata: { name: 'j4', namespace: 'other' } })).json.message).toBe(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
    expect((await call('POST', '/apis/batch/v1/namespaces/ns/jobs', 'name: x', { 'content-type': 'text/plain' })).status).toBe(415);
    const invalid = await call('POST', '/apis/batch/v1/namespaces/ns/jobs', job('Bad_Name'));
    expect(invalid.status).toBe(422);
    expect(invalid.json.reason).toBe('Invalid');
    expect(invalid.json.message).toMatch(/^Job\.batch "Bad_Name" is invalid: metadata\.name: Invalid value/);
    const long = await call('POST', '/apis/batch/v1/namespaces/ns/jobs', job('j'.repeat(64)));
    expect(long.status).toBe(422);
    const badLabel = await call('POST', '/apis/batch/v1/namespaces/ns/jobs', job('j5', { 'vethwatch.io/node': 'x'.repeat(64) }));
    expect(badLabel.status).toBe(422);
  });
});

describe('list', () => {
  it('filters by label and field selectors; items carry no kind', async () => {
    await call('POST', '/apis/batch/v1/namespaces/a/jobs', job('x1', { app: 'v', tier: 'one' }));
    await call('POST', '/apis/batch/v1/namespaces/a/jobs', job('x2', { app: 'v', tier: 'two' }));
    await call('POST', '/apis/batch/v1/namespaces/b/jobs', job('x3', { app: 'other' }));
    const names = async (q: string) => (await call('GET', `/apis/batch/v1/namespaces/a/jobs${q}`)).json.items.map((i: { metadata: { name: string } }) => i.metadata.name);
    expect(await names('')).toEqual(['x1', 'x2']);
    expect(await names('?labelSelector=tier%3Dtwo')).toEqual(['x2']);
    expect(await names('?labelSelector=app%3Dv%2Ctier%20in%20(one%2Cthree)')).toEqual(['x1']);
    expect(await names('?labelSelector=tier!%3Done')).toEqual(['x2']);
    expect(await names('?fieldSelector=metadata.name%3Dx2')).toEqual(['x2']);
    const list = await call('GET', '/apis/batch/v1/namespaces/a/jobs');
    expect(list.json.kind).toBe('JobList');
    expect(list.json.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(list.json.items[0].kind).toBeUndefined();
    expect((await call('GET', '/apis/batch/v1/jobs')).json.items).toHaveLength(3);
    expect((await call('GET', '/apis/batch/v1/namespaces/a/jobs?labelSelector=%3D%3Dx')).status).toBe(400);
    expect((await call('GET', '/apis/batch/v1/namespaces/a/jobs?fieldSelector=spec.foo%3D1')).json.message).toBe('field label not supported: spec.foo');
  });

  it('creates the Job pod as the controller does, selectable by job-name', async () => {
    const created = await call('POST', '/apis/batch/v1/namespaces/a/jobs', job('withpod'));
    const pods = (await call('GET', '/api/v1/namespaces/a/pods?labelSelector=job-name%3Dwithpod')).json.items;
    expect(pods).toHaveLength(1);
    expect(pods[0].metadata.ownerReferences[0]).toMatchObject({ kind: 'Job', name: 'withpod', uid: created.json.metadata.uid, controller: true });
    expect(pods[0].status.phase).toBe('Pending');
    expect((await call('GET', '/apis/batch/v1/namespaces/a/jobs/withpod')).json.status.active).toBe(1);
  });
});

describe('watch', () => {
  it('streams newline-delimited events from a resourceVersion, with kind on each object', async () => {
    fake.upsertNode(makeNode('n1'));
    const rv = (await call('GET', '/api/v1/nodes')).json.metadata.resourceVersion;
    fake.upsertNode(makeNode('n2')); // after rv: must be replayed
    const w = await openWatch(`/api/v1/nodes?watch=true&resourceVersion=${rv}`);
    expect(w.status).toBe(200);
    fake.upsertNode(makeNode('n1', { ready: 'False' }));
    fake.deleteNode('n2');
    await waitFor(() => w.lines.length === 3);
    const events = w.lines.map((l) => JSON.parse(l));
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'n2'],
      ['MODIFIED', 'n1'],
      ['DELETED', 'n2'],
    ]);
    expect(events[0].object.kind).toBe('Node');
    expect(events[0].object.apiVersion).toBe('v1');
    expect(Number(events[2].object.metadata.resourceVersion)).toBeGreaterThan(Number(events[1].object.metadata.resourceVersion));
    expect(w.lines.every((l) => !l.includes('\n'))).toBe(true);
    w.close();
  });

  it('starts with synthetic ADDED events without a resourceVersion, and honours selectors', async () => {
    await call('POST', '/apis/batch/v1/namespaces/a/jobs', job('keep', { pick: 'yes' }));
    await call('POST', '/apis/batch/v1/namespaces/a/jobs', job('skip', { pick: 'no' }));
    const w = await openWatch('/apis/batch/v1/namespaces/a/jobs?watch=true&labelSelector=pick%3Dyes');
    await waitFor(() => w.lines.length >= 1);
    expect(JSON.parse(w.lines[0])).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'keep' } } });
    fake.finishJob('a', 'skip', { outcome: 'Succeeded' });
    fake.finishJob('a', 'keep', { outcome: 'Succeeded' });
    await waitFor(() => w.lines.some((l) => l.includes('"Complete"')));
    expect(w.lines.map((l) => JSON.parse(l).object.metadata.name).every((n) => n === 'keep')).toBe(true);
    w.close();
  });

  it('answers a compacted resourceVersion with one ERROR event carrying 410 Expired', async () => {
    fake.upsertNode(makeNode('n1'));
    const old = fake.store.resourceVersion;
    fake.upsertNode(makeNode('n2'));
    fake.store.compact();
    const w = await openWatch(`/api/v1/nodes?watch=true&resourceVersion=${old}`);
    await w.done;
    expect(w.status).toBe(200);
    expect(w.lines).toHaveLength(1);
    const e = JSON.parse(w.lines[0]);
    expect(e.type).toBe('ERROR');
    expect(e.object).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
    expect(e.object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  it('ends the stream after timeoutSeconds, and on dropWatches', async () => {
    const w = await openWatch('/api/v1/nodes?watch=true&timeoutSeconds=1');
    await w.done;
    const w2 = await openWatch('/api/v1/nodes?watch=1');
    expect(fake.openWatchCount).toBe(1);
    expect(fake.dropWatches()).toBe(1);
    await w2.done;
    expect(fake.openWatchCount).toBe(0);
  });
});

describe('nodes/status patch', () => {
  beforeEach(() => {
    fake.upsertNode(makeNode('n1'));
  });
  const cond = { type: 'VethMACAddressMismatch', status: 'True', reason: 'X', message: 'm' };

  it('strategic merge merges conditions by type; JSON merge replaces the list', async () => {
    const smp = await call('PATCH', '/api/v1/nodes/n1/status', { status: { conditions: [cond] } }, { 'content-type': 'application/strategic-merge-patch+json' });
    expect(smp.status).toBe(200);
    expect(smp.json.status.conditions.map((c: { type: string }) => c.type)).toEqual(['MemoryPressure', 'Ready', 'VethMACAddressMismatch']);
    const merge = await call('PATCH', '/api/v1/nodes/n1/status', { status: { conditions: [cond] } }, { 'content-type': 'application/merge-patch+json' });
    expect(merge.json.status.conditions.map((c: { type: string }) => c.type)).toEqual(['VethMACAddressMismatch']);
  });

  it('ignores non-status fields, enforces a resourceVersion precondition, and refuses other patch types', async () => {
    const current = (await call('GET', '/api/v1/nodes/n1')).json;
    const r = await call(
      'PATCH',
      '/api/v1/nodes/n1/status',
      { metadata: { resourceVersion: current.metadata.resourceVersion }, spec: { unschedulable: true }, status: { conditions: [cond] } },
      { 'content-type': 'application/strategic-merge-patch+json' },
    );
    expect(r.status).toBe(200);
    expect(r.json.spec.unschedulable).toBeUndefined();
    const stale = await call('PATCH', '/api/v1/nodes/n1/status', { metadata: { resourceVersion: current.metadata.resourceVersion }, status: {} }, { 'content-type': 'application/strategic-merge-patch+json' });
    expect(stale.status).toBe(409);
    expect(stale.json.reason).toBe('Conflict');
    expect((await call('PATCH', '/api/v1/nodes/n1/status', [{ op: 'add', path: '/x', value: 1 }], { 'content-type': 'application/json-patch+json' })).status).toBe(415);
    expect((await call('PATCH', '/api/v1/nodes/missing/status', { status: {} }, { 'content-type': 'application/merge-patch+json' })).status).toBe(404);
  });
});

describe('pods/log', () => {
  it('serves text, honours tailLines and limitBytes, and refuses a waiting container', async () => {
    await call('POST', '/apis/batch/v1/namespaces/a/jobs', job('lj'));
    const pod = fake.store.list('pods', 'a', 'job-name=lj')[0].metadata.name;
    const waiting = await call('GET', `/api/v1/namespaces/a/pods/${pod}/log`);
    expect(waiting.status).toBe(400);
    expect(waiting.json.message).toBe(`container "c" in pod "${pod}" is waiting to start: ContainerCreating`);
    fake.finishJob('a', 'lj', { outcome: 'Succeeded', log: 'one\ntwo\nthree\n' });
    const all = await call('GET', `/api/v1/namespaces/a/pods/${pod}/log?container=c`);
    expect(all).toMatchObject({ status: 200, contentType: 'text/plain', json: 'one\ntwo\nthree\n' });
    expect((await call('GET', `/api/v1/namespaces/a/pods/${pod}/log?tailLines=2`)).json).toBe('two\nthree\n');
    expect((await call('GET', `/api/v1/namespaces/a/pods/${pod}/log?limitBytes=5`)).json).toBe('one\nt');
    expect((await call('GET', `/api/v1/namespaces/a/pods/${pod}/log?container=nope`)).status).toBe(400);
  });
});

describe('events and token reviews', () => {
  it('validates the Event namespace against its involved object', async () => {
    const ev = (ns: string) => ({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e.1' }, involvedObject: { kind: 'Node', name: 'n1' }, reason: 'R', message: 'm' });
    expect((await call('POST', '/api/v1/namespaces/default/events', ev('default'))).status).toBe(201);
    const bad = await call('POST', '/api/v1/namespaces/vethwatch/events', ev('vethwatch'));
    expect(bad.status).toBe(422);
    expect(bad.json.details.causes).toEqual([{ reason: 'FieldValueInvalid', message: 'Invalid value: "": does not match event.namespace', field: 'involvedObject.namespace' }]);
  });

  it('answers TokenReview with 201 and a status', async () => {
    fake.addToken('t1', { username: 'u', audiences: ['a'] });
    const r = await call('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 't1', audiences: ['a', 'b'] } });
    expect(r.status).toBe(201);
    expect(r.json.status).toEqual({ authenticated: true, user: { username: 'u', uid: '', groups: [], extra: {} }, audiences: ['a'] });
  });
});

describe('selectors', () => {
  it('parse the apimachinery grammar', () => {
    const m = (sel: string, labels: Record<string, string>) => matchesLabels(parseLabelSelector(sel), labels);
    expect(m('a=b', { a: 'b' })).toBe(true);
    expect(m('a==b', { a: 'c' })).toBe(false);
    expect(m('a!=b', {})).toBe(true);
    expect(m('a', { a: '' })).toBe(true);
    expect(m('!a', { a: '' })).toBe(false);
    expect(m('a in (x, y),b notin (z)', { a: 'y', b: 'q' })).toBe(true);
    expect(m('a in (x, y),b notin (z)', { a: 'y', b: 'z' })).toBe(false);
    expect(m('vethwatch.io/node=n1', { 'vethwatch.io/node': 'n1' })).toBe(true);
    expect(m('', {})).toBe(true);
    expect(() => parseLabelSelector('a=b c')).toThrow();
    expect(() => parseLabelSelector('Bad_Prefix/a=b')).toThrow();
    expect(() => parseFieldSelector('metadata.name', ['metadata.name'])).toThrow();
  });
});

describe('patch semantics', () => {
  it('JSON merge patch deletes with null and replaces lists', () => {
    expect(jsonMergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null, e: 4 }, l: [3] })).toEqual({ a: 1, b: { d: 3, e: 4 }, l: [3] });
  });
  it('strategic merge patch merges keyed lists element-wise', () => {
    const base = { status: { conditions: [{ type: 'A', status: 'True', x: 1 }, { type: 'B', status: 'False' }], images: [1] } };
    const out = strategicMergePatch(base, { status: { conditions: [{ type: 'A', status: 'False' }, { type: 'C', status: 'True' }], images: [2] } }, NODE_MERGE_KEYS);
    expect(out).toEqual({ status: { conditions: [{ type: 'A', status: 'False', x: 1 }, { type: 'B', status: 'False' }, { type: 'C', status: 'True' }], images: [2] } });
  });
});
