// Pod names from the VPC CNI's IPAM checkpoint (/var/run/aws-node/ipam.json, CNI v1.12+). It has no veth or MAC
// fields, so the join is pod IP -> allocation.
import { z } from 'zod';
import type { Finding } from '../../lib/report/schema';
import { readHostText, underRoot } from './hostFiles';

export const IPAM_JSON = '/var/run/aws-node/ipam.json';

export interface PodRef {
  namespace: string;
  name: string;
}

const allocation = z
  .object({
    ipv4: z.string().optional(),
    ipv6: z.string().optional(),
    metadata: z.object({ k8sPodNamespace: z.string().optional(), k8sPodName: z.string().optional() }).loose().optional(),
  })
  .loose();
const checkpoint = z.object({ version: z.string().optional(), allocations: z.array(z.unknown()) }).loose();

export interface IpamParse {
  pods: Map<string, PodRef>;
  /** Why the file (or some allocations in it) could not be used; empty when all is well. */
  problems: string[];
}

/** Pure: pod IP -> pod, from the checkpoint's text. Bad allocations are skipped and counted, not fatal. */
export function parseIpamJson(text: string): IpamParse {
  const pods = new Map<string, PodRef>();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { pods, problems: [`not valid JSON: ${(e as Error).message}`] };
  }
  const top = checkpoint.safeParse(json);
  if (!top.success) return { pods, problems: ['no "allocations" array'] };
  let skipped = 0;
  for (const raw of top.data.allocations) {
    const a = allocation.safeParse(raw);
    const ns = a.success ? a.data.metadata?.k8sPodNamespace : undefined;
    const name = a.success ? a.data.metadata?.k8sPodName : undefined;
    const ips = a.success ? [a.data.ipv4, a.data.ipv6].filter((x): x is string => !!x) : [];
    if (!ns || !name || ips.length === 0 || ns.length > 253 || name.length > 253) {
      skipped++;
      continue;
    }
    for (const ip of ips) pods.set(ip, { namespace: ns, name });
  }
  const problems = skipped > 0 ? [`${skipped} allocation(s) without an IP or pod namespace/name were ignored`] : [];
  return { pods, problems };
}

export async function collectIpam(root: string): Promise<{ pods: Map<string, PodRef>; findings: Finding[] }> {
  const read = await readHostText(underRoot(root, IPAM_JSON));
  if (!read.ok) {
    if (read.missing) return { pods: new Map(), findings: [] };
    return { pods: new Map(), findings: [{ code: 'ipam-json-unreadable', severity: 'warning', message: `cannot read ${IPAM_JSON}: ${read.error}`, path: IPAM_JSON }] };
  }
  const { pods, problems } = parseIpamJson(read.text);
  return {
    pods,
    findings: problems.map((p) => ({ code: 'ipam-json-malformed', severity: 'warning' as const, message: `${IPAM_JSON}: ${p}; pod names may be missing`, path: IPAM_JSON })),
  };
}
