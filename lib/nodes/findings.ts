// The node page's findings: what the agent reported about its link files, plus what its state rests on — each pod
// whose gateway ARP entry is stale or unreadable, and udev's verdict for new veths — so a broken node never reads
// "nothing worth mentioning". Client-safe and pure.
import type { Finding } from '../report/schema';
import { describePolicySource, policySourceOf } from './policySource';
import type { NodeDetail } from './types';

type Input = Pick<NodeDetail, 'veths' | 'newVeth' | 'linkFiles' | 'findings'>;

const severityRank = { error: 0, warning: 1, info: 2 } as const;

export function nodeFindings(node: Input): Finding[] {
  const derived: Finding[] = [];
  for (const v of node.veths) {
    const who = v.pod ? `pod ${v.pod.namespace}/${v.pod.name} (${v.ifname})` : `veth ${v.ifname}`;
    if (v.arpStatus === 'mismatch') {
      derived.push({
        code: 'arp-mismatch',
        severity: 'error',
        message: `The gateway ARP entry of ${who} points at ${v.gatewayLladdr ?? 'an unknown MAC'}, but the host veth has ${v.mac}: the pod's traffic to its gateway is lost.`,
        path: null,
      });
    } else if (v.arpStatus === 'unknown') {
      derived.push({ code: 'arp-unknown', severity: 'warning', message: `The gateway ARP entry of ${who} could not be read.`, path: null });
    }
  }
  const verdict = node.newVeth;
  if (verdict?.udevRewritesMac) {
    const source = policySourceOf(verdict, node.linkFiles);
    derived.push({
      code: 'new-veth-rewritten',
      severity: 'warning',
      message: `udev would rewrite the MAC of new veths (${describePolicySource({ macAddressPolicy: verdict.macAddressPolicy, linkFile: verdict.linkFile, source })}).`,
      path: source ?? verdict.linkFile,
    });
  }
  return [...derived, ...node.findings].sort((a, b) => severityRank[a.severity] - severityRank[b.severity]);
}
