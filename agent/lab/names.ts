// How the VPC CNI names things, so the lab looks like a node to the agent.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * pkg/networkutils/names.go: prefix + first 11 hex of sha1("<namespace>.<pod>"); the n-th extra interface
 * (n > 0) hashes "<namespace>.<pod>.<n>".
 */
export function hostVethName(prefix: string, namespace: string, pod: string, index = 0): string {
  const podPart = index > 0 ? `${pod}.${index}` : pod;
  return prefix + createHash('sha1').update(`${namespace}.${podPart}`).digest('hex').slice(0, 11);
}

/** containerd names pod namespaces cni-<uuid>. */
export function podNetnsName(): string {
  return `cni-${randomUUID()}`;
}

/** Pod IPs from 10.244.0.0/16, used only inside the lab's namespaces and as host /32 routes to their veths. */
export function labPodIP(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= 250 * 256) throw new RangeError(`pod index ${index} out of range`);
  return `10.244.${Math.floor(index / 250)}.${(index % 250) + 2}`;
}

/** What the CNI >= v1.20.1 does (driver.go generateRandomMAC): random, locally administered, unicast. */
export function randomLocalMac(): string {
  const b = randomBytes(6);
  b[0] = (b[0] | 2) & 0xfe;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export function randomPodName(index: number): string {
  return `lab-pod-${String(index).padStart(3, '0')}-${randomBytes(3).toString('hex')}`;
}
