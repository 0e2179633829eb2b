import 'server-only';
import os from 'node:os';
import { type CoreV1Event, PatchStrategy, setHeaderOptions, type V1Node, type V1NodeCondition } from '@kubernetes/client-node';
import type { KubeClients } from './config';
import { KubeConflictError, kubeCall } from './errors';
import { shortHash } from './names';
import { isoTime, kubeTime } from './time';

export const VETH_CONDITION_TYPE = 'VethMACAddressMismatch';
export const MISMATCH_EVENT_REASON = 'VethMACAddressMismatch';
/** Events about cluster-scoped objects must live in "default" (core/v1 Event validation). */
export const NODE_EVENT_NAMESPACE = 'default';

export interface VethConditionInput {
  /**
   * 'True': the node has (or is set up to produce) veths whose MAC no longer matches the pod's gateway entry;
   * 'Unknown': we cannot tell (e.g. its agent stopped reporting), as the kubelet marks Ready when it goes silent.
   */
  status: 'True' | 'False' | 'Unknown';
  /** CamelCase, e.g. "MismatchedVeths", "PolicyRewritesVethMac", "FragileFix" (lib/cluster/messages.ts), "NoMismatch". */
  reason: string;
  message: string;
}

export interface VethConditionResult {
  node: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  /** Whether this call changed the status (and so set lastTransitionTime). */
  transitioned: boolean;
  lastTransitionTime: string | null;
  lastHeartbeatTime: string;
}

/** A condition or event we were asked to write is malformed; nothing was sent. */
export class InvalidConditionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidConditionError';
  }
}

const REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

function checkReason(reason: string): void {
  if (!REASON.test(reason) || reason.length > 128) {
    throw new InvalidConditionError(`reason must be CamelCase (letters, digits, _ , :), at most 128 characters; got ${JSON.stringify(reason)}`);
  }
}

function checkMessage(message: string, max: number): void {
  if (message.length > max) throw new InvalidConditionError(`message is ${message.length} characters; at most ${max} allowed`);
}

/**
 * The strategic-merge patch for nodes/status that sets our condition. Conditions merge by `type`, so other
 * conditions (Ready, MemoryPressure...) are untouched. lastTransitionTime is sent only when the status changes
 * (so it keeps meaning "since when"); lastHeartbeatTime every time. The resourceVersion makes the patch
 * conditional: if the node changed since we read it, the API server answers 409 and we read again.
 */
export function buildVethConditionPatch(
  current: V1NodeCondition | undefined,
  input: VethConditionInput,
  now: Date,
  resourceVersion: string,
): { patch: object; transitioned: boolean; lastTransitionTime: string | null } {
  const heartbeat = kubeTime(now);
  const transitioned = !current || current.status !== input.status;
  const condition: Record<string, string> = {
    type: VETH_CONDITION_TYPE,
    status: input.status,
    reason: input.reason,
    message: input.message,
    lastHeartbeatTime: heartbeat,
  };
  if (transitioned) condition.lastTransitionTime = heartbeat;
  return {
    patch: { metadata: { resourceVersion }, status: { conditions: [condition] } },
    transitioned,
    lastTransitionTime: transitioned ? heartbeat : isoTime(current?.lastTransitionTime),
  };
}

export async function setVethCondition(
  kube: KubeClients,
  node: string,
  input: VethConditionInput,
  opts: { now?: () => Date; maxAttempts?: number } = {},
): Promise<VethConditionResult> {
  if (input.status !== 'True' && input.status !== 'False' && input.status !== 'Unknown') {
    throw new InvalidConditionError(`status must be 'True', 'False' or 'Unknown', got ${String(input.status)}`);
  }
  checkReason(input.reason);
  checkMessage(input.message, 32768);
  const attempts = opts.maxAttempts ?? 3;
  const patchOptions = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
  for (let attempt = 1; ; attempt++) {
    const current: V1Node = await kubeCall(`read Node ${node}`, () => kube.core.readNode({ name: node }));
    const existing = current.status?.conditions?.find((c) => c.type === VETH_CONDITION_TYPE);
    const now = (opts.now ?? (() => new Date()))();
    const { patch, transitioned, lastTransitionTime } = buildVethConditionPatch(existing, input, now, current.metadata?.resourceVersion ?? '');
    try {
      await kubeCall(`patch Node ${node} status`, () => kube.core.patchNodeStatus({ name: node, body: patch }, patchOptions));
      return { node, status: input.status, reason: input.reason, transitioned, lastTransitionTime, lastHeartbeatTime: kubeTime(now) };
    } catch (err) {
      if (err instanceof KubeConflictError && err.reason === 'Conflict' && attempt < attempts) continue;
      throw err;
    }
  }
}

export interface MismatchEventInput {
  node: string;
  /** The Node's uid; the node name is used when omitted, as the kubelet does for its node events. */
  nodeUid?: string;
  message: string;
  reason?: string;
  type?: 'Warning' | 'Normal';
  now?: Date;
}

export interface EventRef {
  name: string;
  namespace: string;
}

/**
 * Records a core/v1 Event on the Node (shown by `kubectl describe node` and `kubectl events`). Node events must
 * be created in the "default" namespace: the API server rejects an Event about a cluster-scoped object anywhere
 * else, so RBAC for events/create is granted there.
 */
export async function createMismatchEvent(kube: KubeClients, input: MismatchEventInput): Promise<EventRef> {
  const reason = input.reason ?? MISMATCH_EVENT_REASON;
  checkReason(reason);
  checkMessage(input.message, 1024);
  const now = input.now ?? new Date();
  const stamp = kubeTime(now);
  const name = `${input.node.slice(0, 200)}.${shortHash(`${input.node}\0${reason}\0${now.getTime()}\0${input.message}`, 16)}`;
  const body = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: NODE_EVENT_NAMESPACE },
    involvedObject: { apiVersion: 'v1', kind: 'Node', name: input.node, uid: input.nodeUid ?? input.node },
    reason,
    message: input.message,
    type: input.type ?? 'Warning',
    source: { component: 'vethwatch' },
    reportingComponent: 'vethwatch',
    reportingInstance: os.hostname().slice(0, 128),
    firstTimestamp: stamp,
    lastTimestamp: stamp,
    count: 1,
  };
  const created = await kubeCall(`create Event for Node ${input.node}`, () =>
    // Timestamps go as RFC 3339 strings (the serializer passes strings through) to keep second precision.
    kube.core.createNamespacedEvent({ namespace: NODE_EVENT_NAMESPACE, body: body as unknown as CoreV1Event }),
  );
  return { name: created.metadata?.name ?? name, namespace: created.metadata?.namespace ?? NODE_EVENT_NAMESPACE };
}
