import 'server-only';
// The aws-node DaemonSet's CNI image, read at start and every few minutes. A failed read keeps the last answer
// (an API hiccup must not flip every node's state); "no DaemonSet" is an answer (null).
import type { Logger } from 'pino';
import { getAwsNodeInfo } from '../kube/awsNode';
import type { KubeClients } from '../kube/config';
import type { AwsNodeCni } from '../nodes/types';

export interface AwsNodeCache {
  current(): AwsNodeCni | null;
  /** Reads the DaemonSet now; resolves when done (errors are logged, not thrown). */
  refresh(): Promise<void>;
  /** Resolves after the first read attempt. */
  readonly ready: Promise<void>;
  stop(): void;
}

export function startAwsNodeCache(kube: KubeClients, log: Logger, refreshMs: number): AwsNodeCache {
  let value: AwsNodeCni | null = null;
  let stopped = false;
  let inFlight: Promise<void> | null = null;
  const refresh = () =>
    (inFlight ??= (async () => {
      try {
        const info = await getAwsNodeInfo(kube);
        const next = info ? { image: info.image, version: info.version, setsHostVethMac: info.setsHostVethMac, recommendUpgrade: info.recommendUpgrade } : null;
        if (JSON.stringify(next) !== JSON.stringify(value)) log.info({ awsNode: next }, next ? 'aws-node CNI image read' : 'no aws-node DaemonSet in kube-system');
        value = next;
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'cannot read the aws-node DaemonSet; keeping the last answer');
      } finally {
        inFlight = null;
      }
    })());
  const ready = refresh();
  const timer = setInterval(() => {
    if (!stopped) void refresh();
  }, refreshMs);
  timer.unref();
  return {
    current: () => value,
    refresh,
    ready,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
