// Observing every pod veth on the host: the host end (ip + sysfs + udev DB), which namespace holds its peer,
// and that namespace's links, neighbours and routes. Raw observations only; agent/verdict.ts judges them.
//
// Run mode keeps each pod namespace's links and routes between scans (they are set once, when the CNI wires the
// pod) and reads the namespace through its pause process where it can (see procNet.ts): the ARP table every
// scan, and links and routes again with ip only when the namespace's fingerprint changes. Whatever the fast path
// cannot tell exactly as ip would (a gateway entry that is not PERMANENT, an IPv6 gateway, a peer not found)
// sends that namespace to ip in the same scan. A scan without root, or a namespace only a bind mount holds, reads
// everything with ip as before.
import { isIPv4 } from 'node:net';
import type { Finding } from '../../lib/report/schema';
import { type HostNetwork, parseHostBatch } from './hostNet';
import type { IpLink, IpNeigh, IpRoute } from './ipJson';
import { type NamedNetns, listNamedNetns, listProcessNetns } from './netns';
import { gatewayIpFor } from './podGateway';
import { type NetnsRead, type NetnsTarget, type NetnsView, ReaderError, netnsLabel, readNetnsMany, readTargets, toNetnsRead } from './podNetns';
import { ARP_FLAGS_PERMANENT, ARPHRD_ETHER, findHolders, netnsInodeOfPid, type ProcArpEntry, readNetFingerprint, readProcArp } from './procNet';
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
  /** Host veths whose names start with one of these are pod veths of the node's CNI ("" takes every one). */
  vethPrefixes: readonly string[];
  concurrency?: number;
  /** Read pod namespaces through their processes where possible (default true); false: ip for every one. */
  procFastPath?: boolean;
}

export interface ObserveStats {
  /** Pod namespaces (those holding a peer) read with ip this scan. */
  viaIp: number;
  /** Pod namespaces read from /proc/<pid>/net with links and routes kept from an earlier scan. */
  viaProc: number;
}

/** Links and routes of a named pod namespace as ip last read them, with the fingerprint taken just before. */
interface KeptStructure {
  inode: number;
  fingerprint: string;
  links: IpLink[];
  routes: IpRoute[];
  /**
   * The last ip read showed a static entry /proc/net/arp cannot show as such (IPv6, or NOARP, which it prints
   * like a dynamic entry): ip reads this namespace every scan, so such entries are always judged.
   */
  staticBeyondArp: boolean;
}

/** PERMANENT or NOARP: entries the CNI (or someone) pinned, which nothing refreshes when the host MAC changes. */
export function isStaticNeighbour(n: Pick<IpNeigh, 'state'>): boolean {
  return n.state.includes('PERMANENT') || n.state.includes('NOARP');
}

const kept = new Map<string, KeptStructure>();
let lastStats: ObserveStats = { viaIp: 0, viaProc: 0 };

/** How the last observeVeths() in this process read its pod namespaces (for tests and benchmarks). */
export function lastObserveStats(): ObserveStats {
  return { ...lastStats };
}

/** Forget every kept namespace structure: the next scan reads every namespace with ip. */
export function forgetPodNamespaces(): void {
  kept.clear();
}

interface FastNetns {
  structure: KeptStructure;
  arp: ProcArpEntry[];
}

/**
 * The namespaces whose structure from an earlier scan still holds, with their ARP tables; and for every namespace
 * with a process, its fingerprint now, before ip reads any of them (a change after it shows in the next scan).
 */
function readThroughProcesses(named: readonly NamedNetns[]): { fast: Map<string, FastNetns>; before: Map<string, { inode: number; fingerprint: string }> } {
  const fast = new Map<string, FastNetns>();
  const before = new Map<string, { inode: number; fingerprint: string }>();
  const inodes = new Set(named.flatMap((n) => (n.inode === null ? [] : [n.inode])));
  const holders = findHolders(inodes);
  for (const n of named) {
    const pid = n.inode === null ? undefined : holders.get(n.inode);
    if (pid === undefined || n.inode === null) continue;
    const fingerprint = readNetFingerprint(pid);
    if (fingerprint === null) continue;
    const s = kept.get(n.name);
    const arp = s && s.inode === n.inode && s.fingerprint === fingerprint ? readProcArp(pid) : null;
    // The process may have exited and its pid been reused meanwhile: what was read counts only if it is still there.
    if (netnsInodeOfPid(pid) !== n.inode) continue;
    before.set(n.name, { inode: n.inode, fingerprint });
    if (s && arp) fast.set(n.name, { structure: s, arp });
  }
  return { fast, before };
}

/**
 * Whether the fingerprint covers these routes. It has the gateways of IPv4 routes in the main table and of all
 * IPv6 routes, but only the prefixes of other IPv4 tables (fib_trie): a namespace with such routes (a multi-NIC
 * pod's table n) is read with ip every scan, or a new gateway there would go unseen.
 */
export function keepable(routes: readonly IpRoute[]): boolean {
  return routes.every((r) => r.table === null || r.table === 'main' || r.table === 'local' || r.dst.includes(':') || (r.gateway ?? '').includes(':'));
}

/**
 * The entries of `host`'s pod that the verdict reads, as `ip -j neigh show` would list them, from the ARP table:
 * the gateway entry ([] for none, PERMANENT) and every other PERMANENT entry on the pod's end; null when only ip
 * can tell (a gateway entry in another state, an IPv6 gateway, no peer).
 */
function staticEntriesFromArp(host: IpLink, f: FastNetns): IpNeigh[] | null {
  const peer = findPeer(host, f.structure.links);
  if (!peer) return null;
  const gatewayIp = gatewayIpFor(peer, f.structure.routes);
  if (!isIPv4(gatewayIp)) return null;
  const onPeer = f.arp.filter((e) => e.dev === peer.ifname);
  const entries = onPeer.filter((e) => e.ip === gatewayIp);
  if (entries.length > 1) return null;
  const [e] = entries;
  if (e && (e.flags !== ARP_FLAGS_PERMANENT || e.hwType !== ARPHRD_ETHER)) return null;
  const others = onPeer.filter((o) => o.ip !== gatewayIp && o.flags === ARP_FLAGS_PERMANENT && o.hwType === ARPHRD_ETHER);
  return [...(e ? [e] : []), ...others].map((x) => ({ dst: x.ip, dev: peer.ifname, lladdr: x.hwAddr, state: ['PERMANENT'] }));
}

/** Reader shells run side by side; the machine this was tuned on has 2 cores. */
export const DEFAULT_CONCURRENCY = 2;
const MAX_NETNS_FINDINGS = 50;

/** Pure: the pod end of `host` in a namespace's links (its ifindex is the host's link_index and vice versa). */
export function findPeer(host: IpLink, links: readonly IpLink[]): IpLink | null {
  if (host.linkIndex === null) return null;
  return links.find((l) => l.ifindex === host.linkIndex && (l.linkIndex === null || l.linkIndex === host.ifindex)) ?? null;
}

/** Host veths that belong to the CNI's own plumbing, not to a pod (reported under hostDevices instead). */
const NOT_POD_VETHS = new Set(['lxc_health']);

export async function observeVeths(opts: ObserveOptions): Promise<{ observations: VethObservation[]; findings: Finding[]; stats: ObserveStats; hostNet: HostNetwork }> {
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  const findings: Finding[] = [];
  const views = new Map<string, NetnsRead>();
  const readInto = async (targets: NetnsTarget[]) => {
    const results = await readNetnsMany(targets, concurrency);
    targets.forEach((t, i) => views.set(netnsLabel(t), results[i]));
  };

  // On a node /var/run/netns holds the pod namespaces. Those not read through a process are read with ip in the
  // same run that lists the host's veths; whichever the veths turn out not to need is simply not used.
  const named = await listNamedNetns(true);
  const namedNames = new Set(named.map((n) => n.name));
  for (const name of kept.keys()) if (!namedNames.has(name)) kept.delete(name);
  const { fast, before } = opts.procFastPath === false ? { fast: new Map<string, FastNetns>(), before: new Map() } : readThroughProcesses(named);
  /** What ip read of a named namespace; kept for the next scan when its fingerprint was taken first. */
  const remember = (name: string, read: NetnsRead) => {
    const b = before.get(name);
    if (read.ok && b && keepable(read.view.routes)) {
      const staticBeyondArp = read.view.neighbours.some((n) => isStaticNeighbour(n) && (!isIPv4(n.dst) || n.state.includes('NOARP')));
      kept.set(name, { ...b, links: read.view.links, routes: read.view.routes, staticBeyondArp });
    }
    else kept.delete(name);
  };

  const early = named.filter((n) => !fast.has(n.name)).map((n): NetnsTarget => ({ kind: 'named', name: n.name }));
  const [hostRaw, ...earlyRaw] = await readTargets([{ kind: 'host' }, ...early], concurrency);
  early.forEach((t, i) => {
    const read = toNetnsRead(earlyRaw[i]);
    views.set(netnsLabel(t), read);
    remember(netnsLabel(t), read);
  });
  if (!hostRaw.ok) throw new ReaderError(`cannot list the host's veths with ip: ${hostRaw.error}`);
  const hostNet: HostNetwork = parseHostBatch(hostRaw.text);

  // A veth whose peer sits in the host namespace too has no pod; veths of other CNIs are not ours to judge.
  const podSide = hostNet.veths.filter((l) => l.linkNetnsid !== null);
  const veths = podSide.filter((l) => !NOT_POD_VETHS.has(l.ifname) && opts.vethPrefixes.some((p) => l.ifname.startsWith(p)));
  const others = podSide.filter((l) => !NOT_POD_VETHS.has(l.ifname)).length - veths.length;
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

  // Namespaces read through their processes: each pod's gateway entry, unless only ip can tell it.
  const fastNeighbours = new Map<string, IpNeigh[]>();
  const toIp = new Set<string>();
  for (const v of veths) {
    const name = namedTargets.get(v.linkNetnsid as number);
    const f = name === undefined ? undefined : fast.get(name);
    if (name === undefined || !f) continue;
    const entry = f.structure.staticBeyondArp ? null : staticEntriesFromArp(v, f);
    if (entry === null) toIp.add(name);
    else fastNeighbours.set(name, [...(fastNeighbours.get(name) ?? []), ...entry]);
  }
  for (const [name, f] of fast) {
    if (!toIp.has(name)) views.set(name, { ok: true, view: { links: f.structure.links, routes: f.structure.routes, neighbours: fastNeighbours.get(name) ?? [] } });
  }

  // Sysfs and the udev database for the host ends (the namespaces are already read).
  const hostFacts = veths.map((v) => ({ aat: readAddrAssignType(v.ifname), props: readUdevProperties(opts.root, v.ifindex) }));
  // Namespaces ip must read after all, and any mounted after the listing above (a pod started meanwhile).
  const late = [...new Set([...toIp, ...[...new Set(namedTargets.values())].filter((name) => !views.has(name))])];
  if (late.length > 0) {
    await readInto(late.map((name): NetnsTarget => ({ kind: 'named', name })));
    for (const name of late) remember(name, views.get(name)!);
  }
  const neededNames = new Set(namedTargets.values());
  const stats: ObserveStats = { viaIp: 0, viaProc: 0 };
  for (const name of neededNames) {
    if (fast.has(name) && !toIp.has(name)) stats.viaProc++;
    else stats.viaIp++;
  }

  // Peers in namespaces without a /var/run/netns name: look at every namespace some process holds.
  let processLabels: string[] = [];
  if (unnamedNsids.length > 0) {
    const named = await listNamedNetns(true);
    const exclude = new Set(named.flatMap((n) => (n.inode === null ? [] : [n.inode])));
    const procs = await listProcessNetns(exclude);
    await readInto(procs.map((p): NetnsTarget => ({ kind: 'process', pid: p.pid, id: p.id })));
    processLabels = procs.map((p) => p.id);
  }

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
  lastStats = stats;
  return { observations, findings: findings.slice(0, 900), stats, hostNet };
}
