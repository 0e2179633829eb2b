import 'server-only';
import { makeInformer, type V1Node } from '@kubernetes/client-node';
import type { FlannelNodeInfo } from '../fleet/types';
import type { KubeClients } from './config';
import { type KubeError, toKubeError } from './errors';

/** What vethwatch needs to know about a Kubernetes Node. */
export interface NodeInfo {
  name: string;
  uid: string;
  osImage: string | null;
  kernelVersion: string | null;
  kubeletVersion: string | null;
  containerRuntimeVersion: string | null;
  labels: Record<string, string>;
  /** The Ready condition: true/false, or null when the node reports none. Unknown counts as false. */
  ready: boolean | null;
  unschedulable: boolean;
  /** The node's flannel VTEP as its annotations and podCIDR describe it; null when flannel has not annotated it. */
  flannel: FlannelNodeInfo | null;
}

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const FLANNEL_BACKEND_DATA = 'flannel.alpha.coreos.com/backend-data';
const FLANNEL_PUBLIC_IP = 'flannel.alpha.coreos.com/public-ip';
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** The network address of an IPv4 CIDR ("10.244.1.0/24" -> "10.244.1.0"): flannel's VTEP address for the node. */
function ipv4Network(cidr: unknown): string | null {
  if (typeof cidr !== 'string') return null;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return null;
  const ip = octets.reduce((a, o) => a * 256 + o, 0);
  const net = bits === 0 ? 0 : ip - (ip % 2 ** (32 - bits));
  return [24, 16, 8, 0].map((s) => Math.floor(net / 2 ** s) % 256).join('.');
}

/**
 * flannel's annotations, reshaped at the boundary. Annotations are free text anyone with Node patch rights can set,
 * so a VtepMAC that is not a MAC (or backend-data that is not JSON) reads as absent rather than reaching a page.
 */
export function toFlannelInfo(n: Raw): FlannelNodeInfo | null {
  const annotations: Raw = n.metadata?.annotations ?? {};
  const data = annotations[FLANNEL_BACKEND_DATA];
  const publicIp = annotations[FLANNEL_PUBLIC_IP];
  if (typeof data !== 'string' && typeof publicIp !== 'string') return null;
  let vtepMac: string | null = null;
  if (typeof data === 'string' && data.length <= 4096) {
    try {
      const parsed: unknown = JSON.parse(data);
      const raw = (parsed as Raw | null)?.VtepMAC;
      if (typeof raw === 'string' && MAC.test(raw.toLowerCase())) vtepMac = raw.toLowerCase();
    } catch {
      // not JSON: treated as no VtepMAC
    }
  }
  return {
    vtepMac,
    publicIp: typeof publicIp === 'string' && publicIp.length > 0 && publicIp.length <= 64 ? publicIp : null,
    vtepIp: ipv4Network(n.spec?.podCIDR),
  };
}

export function toNodeInfo(node: V1Node | Raw): NodeInfo {
  const n = node as Raw;
  const info = n.status?.nodeInfo ?? {};
  const readyCondition = (Array.isArray(n.status?.conditions) ? n.status.conditions : []).find((c: Raw) => c.type === 'Ready');
  return {
    name: n.metadata?.name ?? '',
    uid: n.metadata?.uid ?? '',
    osImage: info.osImage || null,
    kernelVersion: info.kernelVersion || null,
    kubeletVersion: info.kubeletVersion || null,
    containerRuntimeVersion: info.containerRuntimeVersion || null,
    labels: { ...(n.metadata?.labels ?? {}) },
    ready: readyCondition ? readyCondition.status === 'True' : null,
    unschedulable: n.spec?.unschedulable === true,
    flannel: toFlannelInfo(n),
  };
}

export interface NodeWatchHandlers {
  onAdd?: (node: NodeInfo) => void;
  onUpdate?: (node: NodeInfo) => void;
  onDelete?: (node: NodeInfo) => void;
  /** Each failure (the watcher restarts by itself after it). */
  onError?: (err: KubeError) => void;
}

export interface NodeWatcher {
  /** Resolves after the first successful list. */
  readonly synced: Promise<void>;
  list(): NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** How many times the informer was restarted after an error. */
  readonly restarts: number;
  stop(): Promise<void>;
}

/**
 * A list+watch cache of Nodes (client-node's informer). A watch that ends cleanly is resumed from the last
 * resourceVersion by the informer itself (a 410 makes it relist); a watch or list that fails is reported through
 * onError and restarted here with exponential backoff (restartDelayMs doubling up to maxRestartDelayMs, reset by
 * the next successful list).
 */
export function watchNodes(
  kube: KubeClients,
  handlers: NodeWatchHandlers = {},
  opts: { restartDelayMs?: number; maxRestartDelayMs?: number } = {},
): NodeWatcher {
  const base = opts.restartDelayMs ?? 1000;
  const maxDelay = opts.maxRestartDelayMs ?? 30_000;
  let failures = 0;
  let restarts = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => (markSynced = resolve));

  const listFn = async () => {
    const list = await kube.core.listNode();
    failures = 0;
    markSynced();
    return list;
  };
  const informer = makeInformer<V1Node>(kube.kc, '/api/v1/nodes', listFn);
  informer.on('add', (n) => handlers.onAdd?.(toNodeInfo(n)));
  informer.on('update', (n) => handlers.onUpdate?.(toNodeInfo(n)));
  informer.on('delete', (n) => handlers.onDelete?.(toNodeInfo(n)));
  informer.on('error', (err: unknown) => {
    if (stopped) return;
    handlers.onError?.(toKubeError(err, 'watch Nodes'));
    const delay = Math.min(maxDelay, base * 2 ** failures);
    failures++;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (stopped) return;
      restarts++;
      void informer.start();
    }, delay);
  });
  void informer.start();

  return {
    synced,
    list: () => informer.list().map(toNodeInfo),
    get: (name) => {
      const n = informer.get(name);
      return n ? toNodeInfo(n) : undefined;
    },
    get restarts() {
      return restarts;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await informer.stop();
    },
  };
}
