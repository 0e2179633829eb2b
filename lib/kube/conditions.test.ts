import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeCluster, makeNode, startFakeCluster } from '@/test/fake-kube/cluster';
import { buildVethConditionPatch, createMismatchEvent, InvalidConditionError, setVethCondition, VETH_CONDITION_TYPE } from './conditions';
import { KubeConflictError, KubeInvalidError, KubeNotFoundError } from './errors';

const NODE = 'ip-10-0-1-1.ec2.internal';
let c: FakeCluster;
beforeEach(async () => {
  c = await startFakeCluster();
  c.fake.upsertNode(makeNode(NODE));
});
afterEach(async () => {
  await c.close();
});

const t = (s: string) => () => new Date(s);
const ours = () => c.fake.store.get('nodes', null, NODE)!.status.conditions.find((x: { type: string }) => x.type === VETH_CONDITION_TYPE);

describe('setVethCondition', () => {
  it('adds the condition with a strategic-merge patch on nodes/status, leaving other conditions alone', async () => {
    const rv = c.fake.store.get('nodes', null, NODE)!.metadata.resourceVersion;
    const res = await setVethCondition(c.kube, NODE, { status: 'True', reason: 'MismatchedVeths', message: '3 pod veths have a MAC that differs from the pod gateway entry' }, { now: t('2025-03-01T10:00:00.123Z') });
    expect(res).toEqual({
      node: NODE,
      status: 'True',
      reason: 'MismatchedVeths',
      transitioned: true,
      lastTransitionTime: '2025-03-01T10:00:00Z',
      lastHeartbeatTime: '2025-03-01T10:00:00Z',
    });
    const patch = c.fake.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.path).toBe(`/api/v1/nodes/${NODE}/status`);
    expect(patch.contentType).toBe('application/strategic-merge-patch+json');
    expect(patch.body).toEqual({
      metadata: { resourceVersion: rv },
      status: {
        conditions: [
          {
            type: 'VethMACAddressMismatch',
            status: 'True',
            reason: 'MismatchedVeths',
            message: '3 pod veths have a MAC that differs from the pod gateway entry',
            lastHeartbeatTime: '2025-03-01T10:00:00Z',
            lastTransitionTime: '2025-03-01T10:00:00Z',
          },
        ],
      },
    });
    const conditions = c.fake.store.get('nodes', null, NODE)!.status.conditions;
    expect(conditions.map((x: { type: string }) => x.type)).toEqual(['MemoryPressure', 'Ready', 'VethMACAddressMismatch']);
    expect(conditions[1].status).toBe('True');
  });

  it('moves only the heartbeat when the status is unchanged', async () => {
    await setVethCondition(c.kube, NODE, { status: 'True', reason: 'MismatchedVeths', message: 'a' }, { now: t('2025-03-01T10:00:00Z') });
    c.fake.clearRequests();
    const res = await setVethCondition(c.kube, NODE, { status: 'True', reason: 'MismatchedVeths', message: 'b' }, { now: t('2025-03-01T10:05:00Z') });
    expect(res.transitioned).toBe(false);
    expect(res.lastTransitionTime).toBe('2025-03-01T10:00:00.000Z');
    const body = c.fake.requests.find((r) => r.method === 'PATCH')!.body as { status: { conditions: Array<Record<string, string>> } };
    expect(body.status.conditions[0]).not.toHaveProperty('lastTransitionTime');
    expect(body.status.conditions[0].lastHeartbeatTime).toBe('2025-03-01T10:05:00Z');
    expect(ours()).toMatchObject({ status: 'True', message: 'b', lastTransitionTime: '2025-03-01T10:00:00Z', lastHeartbeatTime: '2025-03-01T10:05:00Z' });
  });

  it('sets a new transition time when the status flips', async () => {
    await setVethCondition(c.kube, NODE, { status: 'True', reason: 'MismatchedVeths', message: 'a' }, { now: t('2025-03-01T10:00:00Z') });
    const res = await setVethCondition(c.kube, NODE, { status: 'False', reason: 'NoMismatch', message: 'all veths match' }, { now: t('2025-03-01T11:00:00Z') });
    expect(res.transitioned).toBe(true);
    expect(ours()).toMatchObject({ status: 'False', reason: 'NoMismatch', lastTransitionTime: '2025-03-01T11:00:00Z', lastHeartbeatTime: '2025-03-01T11:00:00Z' });
  });

  it('re-reads and retries when the node changed between read and patch (409 Conflict)', async () => {
    let calls = 0;
    // Each time the clock is read (after the node read), the kubelet updates the node: the first patch is stale.
    const now = () => {
      if (calls++ === 0) c.fake.upsertNode(makeNode(NODE, { ready: 'False' }));
      return new Date('2025-03-01T10:00:00Z');
    };
    const res = await setVethCondition(c.kube, NODE, { status: 'True', reason: 'MismatchedVeths', message: 'a' }, { now });
    expect(res.transitioned).toBe(true);
    const patches = c.fake.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((p) => p.status)).toEqual([409, 200]);
    expect(ours().status).toBe('True');
  });

  it('gives up with KubeConflictError after maxAttempts', async () => {
    const now = () => {
      c.fake.upsertNode(makeNode(NODE));
      return new Date();
    };
    const err = (await setVethCondition(c.kube, NODE, { status: 'True', reason: 'X', message: '' }, { now, maxAttempts: 2 }).catch((e: unknown) => e)) as KubeConflictError;
    expect(err).toBeInstanceOf(KubeConflictError);
    expect(err.reason).toBe('Conflict');
    expect(err.statusMessage).toBe(`Operation cannot be fulfilled on nodes "${NODE}": the object has been modified; please apply your changes to the latest version and try again`);
    expect(c.fake.requests.filter((r) => r.method === 'PATCH')).toHaveLength(2);
  });

  it('refuses malformed input before any request, and reports an unknown node', async () => {
    await expect(setVethCondition(c.kube, NODE, { status: 'Maybe' as 'True', reason: 'X', message: '' })).rejects.toBeInstanceOf(InvalidConditionError);
    await expect(setVethCondition(c.kube, NODE, { status: 'True', reason: 'has spaces', message: '' })).rejects.toThrow(/CamelCase/);
    await expect(setVethCondition(c.kube, NODE, { status: 'True', reason: 'X', message: 'm'.repeat(32769) })).rejects.toThrow(/at most 32768/);
    expect(c.fake.requests).toHaveLength(0);
    await expect(setVethCondition(c.kube, 'no-such-node', { status: 'True', reason: 'X', message: '' })).rejects.toBeInstanceOf(KubeNotFoundError);
  });
});

describe('buildVethConditionPatch', () => {
  it('is pure: same input, same patch', () => {
    const now = new Date('2025-01-01T00:00:00Z');
    const a = buildVethConditionPatch(undefined, { status: 'False', reason: 'NoMismatch', message: 'ok' }, now, '42');
    expect(a).toEqual(buildVethConditionPatch(undefined, { status: 'False', reason: 'NoMismatch', message: 'ok' }, now, '42'));
    expect(a.transitioned).toBe(true);
  });
});

describe('createMismatchEvent', () => {
  it('creates a core/v1 Warning Event on the Node in the default namespace', async () => {
    const ref = await createMismatchEvent(c.kube, { node: NODE, message: 'eni1a2b3c4d5e6: host MAC 4a:58:7e:b3:25:ae, pod gateway entry ca:27:84:0a:55:10', now: new Date('2025-03-01T10:00:00Z') });
    expect(ref.namespace).toBe('default');
    expect(ref.name).toMatch(new RegExp(`^${NODE.replace(/\./g, '\\.')}\\.[0-9a-f]{16}$`));
    const req = c.fake.requests.find((r) => r.method === 'POST')!;
    expect(req.path).toBe('/api/v1/namespaces/default/events');
    expect(req.contentType).toBe('application/json');
    expect(req.body).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: ref.name, namespace: 'default' },
      involvedObject: { apiVersion: 'v1', kind: 'Node', name: NODE, uid: NODE },
      reason: 'VethMACAddressMismatch',
      type: 'Warning',
      source: { component: 'vethwatch' },
      reportingComponent: 'vethwatch',
      firstTimestamp: '2025-03-01T10:00:00Z',
      lastTimestamp: '2025-03-01T10:00:00Z',
      count: 1,
    });
    const stored = c.fake.store.list('events', 'default', '', [{ field: 'involvedObject.name', op: '=', value: NODE }]);
    expect(stored).toHaveLength(1);
  });

  it('uses the node uid when given, and refuses bad input', async () => {
    await createMismatchEvent(c.kube, { node: NODE, nodeUid: 'abc-123', message: 'x', reason: 'MismatchRepaired', type: 'Normal' });
    expect(c.fake.requests[0].body).toMatchObject({ involvedObject: { uid: 'abc-123' }, reason: 'MismatchRepaired', type: 'Normal' });
    await expect(createMismatchEvent(c.kube, { node: NODE, message: 'x'.repeat(1025) })).rejects.toBeInstanceOf(InvalidConditionError);
    await expect(createMismatchEvent(c.kube, { node: NODE, message: 'x', reason: 'not ok' })).rejects.toBeInstanceOf(InvalidConditionError);
  });

  it('would be refused by the API server in any namespace but default (why the namespace is fixed)', async () => {
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'x.1', namespace: 'vethwatch' },
      involvedObject: { apiVersion: 'v1', kind: 'Node', name: NODE, uid: NODE },
      reason: 'VethMACAddressMismatch',
      message: 'm',
      type: 'Warning',
    };
    const err = await c.kube.core.createNamespacedEvent({ namespace: 'vethwatch', body: body as never }).catch((e: unknown) => e);
    const { toKubeError } = await import('./errors');
    const e = toKubeError(err, 'create');
    expect(e).toBeInstanceOf(KubeInvalidError);
    expect(e.statusMessage).toBe('Event "x.1" is invalid: involvedObject.namespace: Invalid value: "": does not match event.namespace');
  });
});
