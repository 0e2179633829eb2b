// The words vethwatch writes into Kubernetes: the VethMACAddressMismatch condition for each node and the Event for
// each newly cut-off pod. Pure, so the exact text is tested without an API server.
import type { NodeEvent } from '../events/types';
import type { Veth } from '../report/schema';
import { formatDuration } from '../nodes/state';
import type { NodeSummary } from '../nodes/types';

export interface DesiredCondition {
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

const MAX_LISTED_PODS = 20;

function podName(v: Pick<Veth, 'pod' | 'podIP' | 'ifname'>): string {
  return v.pod ? `${v.pod.namespace}/${v.pod.name}` : v.podIP ? `pod ${v.podIP}` : `the pod on ${v.ifname}`;
}

/** The condition for a node, from its fleet row and (when it has mismatches) the veths of its last report. */
export function desiredCondition(node: NodeSummary, veths: readonly Veth[] | null): DesiredCondition {
  if (node.state === 'stale') {
    return {
      status: 'Unknown',
      reason: 'AgentNotReporting',
      message: `The vethwatch agent has not reported for ${formatDuration(node.reportAgeSeconds ?? 0)} (expected every ${formatDuration(node.intervalSeconds)}); last known state: ${node.lastKnownState}.`,
    };
  }
  if (node.mismatchCount > 0) {
    const cut = (veths ?? []).filter((v) => v.arpStatus === 'mismatch');
    const listed = cut
      .slice(0, MAX_LISTED_PODS)
      .map((v) => `${podName(v)} (gateway 169.254.1.1 -> ${v.gatewayLladdr ?? '?'}, host veth ${v.ifname} is ${v.mac})`);
    const more = cut.length > MAX_LISTED_PODS ? `, and ${cut.length - MAX_LISTED_PODS} more` : '';
    const n = node.mismatchCount;
    return {
      status: 'True',
      reason: 'MismatchedVeths',
      message: `${n} ${n === 1 ? 'pod is' : 'pods are'} cut off: the gateway ARP entry points at a MAC the host veth no longer has${listed.length ? `: ${listed.join('; ')}${more}` : ''}. Repair with vethwatch or recreate the pods.`,
    };
  }
  // No pod is cut off yet, but the fix keeping new veths safe is known to undo itself: say so where kubectl shows it.
  if (node.state === 'fragile') return { status: 'False', reason: 'FragileFix', message: node.stateReason };
  return { status: 'False', reason: 'NoMismatch', message: node.stateReason };
}

/** The Event message for an event that reveals a newly cut-off pod; null when the event does not. */
export function mismatchEventMessage(e: NodeEvent): string | null {
  if (e.type === 'arp.changed' && e.data.to === 'mismatch' && e.data.from !== 'mismatch') {
    return `${podName({ pod: e.data.pod, podIP: e.data.podIP, ifname: e.subject ?? e.data.ifname })} is cut off: its gateway ARP entry (169.254.1.1) points at ${e.data.gatewayLladdr ?? '?'}, but host veth ${e.data.ifname} now has ${e.data.hostMac}.`;
  }
  if (e.type === 'veth.appeared' && e.data.arpStatus === 'mismatch') {
    return `${podName({ pod: e.data.pod, podIP: e.data.podIP, ifname: e.data.ifname })} is cut off: its gateway ARP entry (169.254.1.1) points at ${e.data.gatewayLladdr ?? '?'}, but host veth ${e.data.ifname} has ${e.data.mac}.`;
  }
  return null;
}
