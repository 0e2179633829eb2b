// Observing every pod veth on the host: the host end (ip + sysfs + udev DB), which namespace holds its peer,
// and that namespace's links, neighbours and routes. Raw observations only; agent/verdict.ts judges them.
import type { Finding } from '../../lib/report/schema';
import { type HostNetwork, parseHostBatch } from './hostNet';
import type { IpLink, IpRoute } from './ipJson';
import { listNamedNetns, listProcessNetns } from './netns';
import { type NetnsRead, type NetnsTarget, type NetnsView, ReaderError, netnsLabel, readNetnsMany, readTargets, toNetnsRead } from './podNetns';
import { readAddrAssignType } from './sysfs';
import { readUdevProperties } from './udevDb';

export interface VethObservation {
  host: IpLink;
  addrAssignType: number | null;
  udevProperties: Record<string, string>;
  /** Main-table routes out of this veth (the CNI's `<podIP> dev <veth> scope link`). */
  hostRoutes: IpRoute[];
  /** The netns name, or "net:[inode]" for a namespace only a process holds; null when not found. */
  netns: string | null;
  /** The pod end, when its namespace could be read and the pairing is unambiguous. */
  peer: IpLink | null;
  podView: NetnsView | null;
  /** Why peer is null. */
  problem: string | null;
}

export interface ObserveOptions {
  root: string;
  /** Host veths whose names start with one of these are pod veths of the VPC CNI. */
  vethPrefixes: readonly string[];
  concurrency?: number;
}

/** Reader shells run side by side; the machine this was tuned on has 2 cores. */
export const DEFAULT_CONCURRENCY = 2;
const MAX_NETNS_FINDINGS = 50;

/** Pure: the pod end of `host` in a namespace's links (its ifindex is the host's link_index and vice versa). */
export function findPeer(host: IpLink, links: readonly IpLink[]): IpLink | null {
  if (host.linkIndex === null) return null;
  return links.find((l) => l.ifindex === host.linkIndex && (l.linkIndex === null || l.linkIndex === host.ifindex)) ?? null;
}

export async function observeVeths(opts: ObserveOptions): Promise<{ observations: VethObservation[]; findings: Finding[] }> {
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  const findings: Finding[] = [];
  const views = new Map<string, NetnsRead>();
  const readInto = async (targets: NetnsTarget[]) => {
    const results = await readNetnsMany(targets, concurrency);
    targets.forEach((t, i) => views.set(netnsLabel(t), results[i]));
  };

  // On a node /var/run/netns holds the pod namespaces, so read all of them in the same run that lists the host's
  // veths; whichever the veths turn out not to need is simply not used.
  const early = (await listNamedNetns(false)).map((n): NetnsTarget => ({ kind: 'named', name: n.name }));
  const [hostRaw, ...earlyRaw] = await readTargets([{ kind: 'host' }, ...early], concurrency);
  early.forEach((t, i) => views.set(netnsLabel(t), toNetnsRead(earlyRaw[i])));
  if (!hostRaw.ok) throw new ReaderError(`cannot list the host's veths with ip: ${hostRaw.error}`);
  const hostNet: HostNetwork = parseHostBatch(hostRaw.text);

  // A veth whose peer sits in the host namespace too has no pod; veths of other CNIs are not ours to judge.
  const podSide = hostNet.veths.filter((l) => l.linkNetnsid !== null);
  const veths = podSide.filter((l) => opts.vethPrefixes.some((p) => l.ifname.startsWith(p)));
  const others = podSide.length - veths.length;
  if (others > 0) {
    findings.push({
      code: 'veths-not-checked',
      severity: 'info',
      message: `${others} host veth(s) with a peer in another namespace do not start with ${opts.vethPrefixes.map((p) => `"${p}"`).join(' or ')} and were not checked`,
      path: null,
    });
  }

  const neededNsids = new Set(veths.map((v) => v.linkNetnsid as number));
  const namedTargets = new Map<number, string>();
  for (const nsid of neededNsids) {
    const name = hostNet.nsids.get(nsid);
    if (name) namedTargets.set(nsid, name);
  }
  const unnamedNsids = [...neededNsids].filter((n) => !namedTargets.has(n));

  // Sysfs and the udev database for the host ends (the namespaces are already read).
  const hostFacts = veths.map((v) => ({ aat: readAddrAssignType(v.ifname), props: readUdevProperties(opts.root, v.ifindex) }));
  // A namespace mounted after the listing above (a pod started meanwhile).
  const late = [...new Set(namedTargets.values())].filter((name) => !views.has(name));
  if (late.length > 0) await readInto(late.map((name): NetnsTarget => ({ kind: 'named', name })));

  // Peers in namespaces without a /var/run/netns name: look at every namespace some process holds.
  let processLabels: string[] = [];
  if (unnamedNsids.length > 0) {
    const named = await listNamedNetns(true);
    const exclude = new Set(named.flatMap((n) => (n.inode === null ? [] : [n.inode])));
    const procs = await listProcessNetns(exclude);
    await readInto(procs.map((p): NetnsTarget => ({ kind: 'process', pid: p.pid, id: p.id })));
    processLabels = procs.map((p) => p.id);
  }

  const neededNames = new Set(namedTargets.values());
  let unreadableReported = 0;
  for (const [label, res] of views) {
    if (res.ok || !neededNames.has(label)) continue;
    if (unreadableReported++ < MAX_NETNS_FINDINGS) {
      findings.push({ code: 'netns-unreadable', severity: 'warning', message: `cannot read network namespace ${label}: ${res.error}`.slice(0, 1024), path: `/var/run/netns/${label}` });
    }
  }
  if (unreadableReported > MAX_NETNS_FINDINGS) {
    findings.push({ code: 'netns-unreadable', severity: 'warning', message: `${unreadableReported - MAX_NETNS_FINDINGS} more network namespaces could not be read`, path: null });
  }

  const observations = veths.map((host, i): VethObservation => {
    const base = {
      host,
      addrAssignType: hostFacts[i].aat,
      udevProperties: hostFacts[i].props,
      hostRoutes: hostNet.routes.filter((r) => r.dev === host.ifname),
    };
    const name = namedTargets.get(host.linkNetnsid as number);
    if (name !== undefined) {
      const res = views.get(name);
      if (!res || !res.ok) return { ...base, netns: name, peer: null, podView: null, problem: `cannot read namespace ${name}` };
      const peer = findPeer(host, res.view.links);
      return peer
        ? { ...base, netns: name, peer, podView: res.view, problem: null }
        : { ...base, netns: name, peer: null, podView: res.view, problem: `no interface with ifindex ${host.linkIndex} in ${name}` };
    }
    const matches = processLabels.flatMap((label) => {
      const res = views.get(label);
      if (!res || !res.ok) return [];
      const peer = findPeer(host, res.view.links);
      // Without a name there is no nsid to check, so insist on the pairing in both directions.
      return peer && peer.linkIndex === host.ifindex ? [{ label, peer, view: res.view }] : [];
    });
    if (matches.length === 1) return { ...base, netns: matches[0].label, peer: matches[0].peer, podView: matches[0].view, problem: null };
    return {
      ...base,
      netns: null,
      peer: null,
      podView: null,
      problem: matches.length === 0 ? `peer namespace (nsid ${host.linkNetnsid}) not found under /var/run/netns or /proc` : `peer ifindex ${host.linkIndex} matches ${matches.length} namespaces`,
    };
  });

  // An unreadable namespace already has its netns-unreadable finding; these are the pairings that failed.
  for (const o of observations) {
    if (o.problem && (o.netns === null || o.podView)) {
      findings.push({ code: 'veth-peer-not-found', severity: 'warning', message: `${o.host.ifname}: ${o.problem}`, path: null });
    }
  }
  return { observations, findings: findings.slice(0, 900) };
}
