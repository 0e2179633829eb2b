// Reading a pod namespace through a process that lives in it, without running anything: /proc/<pid>/net/* shows
// the network namespace of <pid>. On a node every pod namespace holds at least the pod's pause process, so this
// replaces one `ip -n` process per pod and scan (~2 ms of CPU each: fork, exec, dynamic linking) with a few
// file reads (~50 us each). Kernel state, so never under --root.
//
// Two things come from here:
//  * the ARP table (/proc/<pid>/net/arp), read every scan: the gateway entry is the ground truth. Its flags tell
//    only PERMANENT (0x6) apart from the rest, so any other state is left to ip, which names it exactly.
//  * a fingerprint of everything `ip addr` and `ip route show table all` report that the agent uses: interface
//    names, IPv4 routes of the main table with their gateways, every table's IPv4 prefixes (fib_trie, which also
//    lists local addresses), IPv6 addresses and routes. While it is unchanged, links and routes read by ip earlier
//    still hold, and ip is not run again.
import { closeSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { netnsInode } from './netns';

export interface ProcArpEntry {
  ip: string;
  hwType: number;
  flags: number;
  hwAddr: string;
  dev: string;
}

/** ATF_COM | ATF_PERM: what arp_state_to_flags() prints for an entry in NUD_PERMANENT, and only for it. */
export const ARP_FLAGS_PERMANENT = 0x6;
export const ARPHRD_ETHER = 0x1;

/** Pure: /proc/net/arp ("IP address HW type Flags HW address Mask Device" under one header line). */
export function parseProcArp(text: string): ProcArpEntry[] | null {
  const lines = text.split('\n');
  if (!/^IP address\s+HW type\s+Flags\s+HW address\s+Mask\s+Device\s*$/.test(lines[0] ?? '')) return null;
  const out: ProcArpEntry[] = [];
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const f = line.trim().split(/\s+/);
    if (f.length !== 6) return null;
    const hwType = Number.parseInt(f[1], 16);
    const flags = Number.parseInt(f[2], 16);
    if (!/^0x[0-9a-f]+$/i.test(f[1]) || !/^0x[0-9a-f]+$/i.test(f[2])) return null;
    out.push({ ip: f[0], hwType, flags, hwAddr: f[3].toLowerCase(), dev: f[5] });
  }
  return out;
}

export interface NetFingerprintFiles {
  dev: string;
  route: string;
  fibTrie: string;
  ifInet6: string;
  ipv6Route: string;
}

export const FINGERPRINT_FILES: Record<keyof NetFingerprintFiles, string> = {
  dev: 'dev',
  route: 'route',
  fibTrie: 'fib_trie',
  ifInet6: 'if_inet6',
  ipv6Route: 'ipv6_route',
};

// Each file is cut down with one regular expression over the whole text (a scan does this for every pod).
const ROUTE_COUNTERS = /^((?:\S+\s+){4})\S+\s+\S+/gm; // Iface Destination Gateway Flags [RefCnt Use] Metric ...
const INET6_FLAGS = /^((?:\S+\s+){4})\S+/gm; // address ifindex prefixlen scope [flags] name
const IPV6_ROUTE_COUNTERS = /^((?:\S+\s+){6})\S+\s+\S+/gm; // dst plen src plen nexthop metric [refcnt use] flags dev
const DEV_NAME_ONLY = /^\s*([^\s:]+):.*$/gm; // "  eth0: <counters>" -> "eth0"

/**
 * Pure: one string that changes whenever the namespace's interface names, addresses or routes change, and not
 * with traffic: packet counters (dev), reference and use counts (route, ipv6_route) and address flags such as
 * "tentative" (if_inet6) are left out.
 */
export function netFingerprint(f: NetFingerprintFiles): string {
  return [
    f.dev.replace(DEV_NAME_ONLY, '$1'),
    f.route.replace(ROUTE_COUNTERS, '$1'),
    f.fibTrie,
    f.ifInet6.replace(INET6_FLAGS, '$1'),
    f.ipv6Route.replace(IPV6_ROUTE_COUNTERS, '$1'),
  ].join('\n--\n');
}

// /proc files report size 0, so readFileSync grows a new buffer for each; one shared buffer does for them all.
let procBuf = Buffer.allocUnsafe(64 * 1024);

function readProcNet(pid: number, name: string): string | null {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/net/${name}`, 'r');
  } catch {
    return null;
  }
  try {
    let len = 0;
    for (;;) {
      if (len === procBuf.length) {
        const bigger = Buffer.allocUnsafe(procBuf.length * 2);
        procBuf.copy(bigger, 0, 0, len);
        procBuf = bigger;
      }
      const n = readSync(fd, procBuf, len, procBuf.length - len, null);
      if (n === 0) break;
      len += n;
    }
    return procBuf.toString('latin1', 0, len);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The fingerprint of the namespace `pid` is in; null when any file cannot be read (the process went away). */
export function readNetFingerprint(pid: number): string | null {
  const files: Partial<NetFingerprintFiles> = {};
  for (const [key, name] of Object.entries(FINGERPRINT_FILES) as Array<[keyof NetFingerprintFiles, string]>) {
    const text = readProcNet(pid, name);
    if (text === null) return null;
    files[key] = text;
  }
  return netFingerprint(files as NetFingerprintFiles);
}

export function readProcArp(pid: number): ProcArpEntry[] | null {
  const text = readProcNet(pid, 'arp');
  return text === null ? null : parseProcArp(text);
}

/** The inode of the network namespace `pid` is in; null when it cannot be seen (gone, or not ours to inspect). */
export function netnsInodeOfPid(pid: number): number | null {
  try {
    return netnsInode(readlinkSync(`/proc/${pid}/ns/net`));
  } catch {
    return null;
  }
}

// A pause process lives as long as its pod: remember it, and look through /proc again only for namespaces whose
// remembered process is gone or that are new. A namespace no process holds (a bind mount only: the lab without
// --pause, a namespace the CNI leaked) is looked for again at most every HOLDERLESS_RECHECK_MS, so that a node
// with a few of those does not walk all of /proc every scan; until then ip reads it, which is always right.
const holderByInode = new Map<number, number>();
const holderlessSince = new Map<number, number>();
export const HOLDERLESS_RECHECK_MS = 30_000;

/** netns inode -> a process in it, for the namespaces in `inodes` that have one. */
export function findHolders(inodes: ReadonlySet<number>, now = Date.now()): Map<number, number> {
  const found = new Map<number, number>();
  const lookFor = new Set<number>();
  for (const ino of inodes) {
    const pid = holderByInode.get(ino);
    if (pid !== undefined && netnsInodeOfPid(pid) === ino) {
      found.set(ino, pid);
      continue;
    }
    holderByInode.delete(ino);
    const since = holderlessSince.get(ino);
    if (since === undefined || now - since >= HOLDERLESS_RECHECK_MS) lookFor.add(ino);
  }
  if (lookFor.size > 0) {
    let pids: string[] = [];
    try {
      pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
    } catch {
      /* no /proc: nothing found */
    }
    let left = lookFor.size;
    for (const p of pids) {
      if (left === 0) break;
      const pid = Number(p);
      const ino = netnsInodeOfPid(pid);
      if (ino === null || !lookFor.has(ino) || found.has(ino)) continue;
      found.set(ino, pid);
      holderByInode.set(ino, pid);
      holderlessSince.delete(ino);
      left--;
    }
    for (const ino of lookFor) if (!found.has(ino)) holderlessSince.set(ino, now);
  }
  // Forget namespaces that are gone, so the maps stay the size of the node.
  for (const ino of holderByInode.keys()) if (!inodes.has(ino)) holderByInode.delete(ino);
  for (const ino of holderlessSince.keys()) if (!inodes.has(ino)) holderlessSince.delete(ino);
  return found;
}
