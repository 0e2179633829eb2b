// procNet against the real kernel: finding the process that holds a namespace, and reading the namespace through
// it, in a namespace these tests make (vwt-<random>) and remove.
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostScratch } from '../testutil/hostNet';
import { run } from './exec';
import { NETNS_RUN_DIR } from './netns';
import { ARP_FLAGS_PERMANENT, findHolders, HOLDERLESS_RECHECK_MS, readNetFingerprint, readProcArp } from './procNet';

const scratch = new HostScratch();
let netns: string;
let inode: number;
let holder: ChildProcess | null = null;

beforeAll(async () => {
  netns = await scratch.addNetns();
  inode = statSync(`${NETNS_RUN_DIR}/${netns}`).ino;
  const inNs = (...args: string[]) => run('ip', ['-n', netns, ...args]);
  // No IPv6 duplicate address detection: its end (a tentative address turning final) would change the fingerprint
  // in the middle of the "nothing changes" check.
  await run('ip', ['netns', 'exec', netns, 'sh', '-c', 'echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad && echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad']);
  await inNs('link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'vwtpeer');
  await inNs('link', 'set', 'vwtpeer', 'up');
  await inNs('link', 'set', 'eth0', 'up');
  await inNs('addr', 'add', '10.246.0.2/32', 'dev', 'eth0');
  await inNs('route', 'add', '169.254.1.1', 'dev', 'eth0', 'scope', 'link');
  await inNs('route', 'add', 'default', 'via', '169.254.1.1', 'dev', 'eth0');
  await inNs('neigh', 'add', '169.254.1.1', 'lladdr', '02:00:00:00:00:aa', 'dev', 'eth0', 'nud', 'permanent');
});

afterAll(async () => {
  holder?.kill('SIGKILL');
  await scratch.cleanup();
});

async function startHolder(): Promise<number> {
  holder = spawn('nsenter', [`--net=${NETNS_RUN_DIR}/${netns}`, '--', 'sleep', '300'], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    const found = (await run('readlink', [`/proc/${holder.pid}/ns/net`], { allowFailure: true })).stdout.trim();
    if (found === `net:[${inode}]`) return holder.pid!;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the holder did not enter the namespace');
}

describe('findHolders', () => {
  it('finds no process in a namespace only a bind mount holds, and looks again only after a while', async () => {
    const t0 = Date.now();
    expect(findHolders(new Set([inode]), t0).size).toBe(0);
    const pid = await startHolder();
    // Seen without a process a moment ago: ip reads it until the next look.
    expect(findHolders(new Set([inode]), t0 + 1000).size).toBe(0);
    expect(findHolders(new Set([inode]), t0 + HOLDERLESS_RECHECK_MS).get(inode)).toBe(pid);
    // Remembered from now on, and checked to still be there.
    expect(findHolders(new Set([inode]), t0 + HOLDERLESS_RECHECK_MS + 1).get(inode)).toBe(pid);
  });
});

describe('reading a namespace through its process', () => {
  it('reads the gateway entry as PERMANENT, as ip does', async () => {
    const pid = findHolders(new Set([inode]), Date.now() + 2 * HOLDERLESS_RECHECK_MS).get(inode)!;
    expect(pid).toBeGreaterThan(0);
    const arp = readProcArp(pid);
    expect(arp).toEqual([{ ip: '169.254.1.1', hwType: 1, flags: ARP_FLAGS_PERMANENT, hwAddr: '02:00:00:00:00:aa', dev: 'eth0' }]);
    const viaIp = JSON.parse((await run('ip', ['-n', netns, '-j', 'neigh', 'show'])).stdout);
    expect(viaIp).toEqual([{ dst: '169.254.1.1', dev: 'eth0', lladdr: '02:00:00:00:00:aa', state: ['PERMANENT'] }]);
  });

  it('has a fingerprint that holds while nothing changes, and moves with a route, an address or a name', async () => {
    const pid = findHolders(new Set([inode]), Date.now() + 2 * HOLDERLESS_RECHECK_MS).get(inode)!;
    const inNs = (...args: string[]) => run('ip', ['-n', netns, ...args]);
    const fp = readNetFingerprint(pid);
    expect(fp).not.toBeNull();
    // Traffic (counters) does not move it: packets out of eth0 to the gateway entry, within the namespace.
    const counters = () => run('ip', ['-n', netns, '-j', '-s', 'link', 'show', 'eth0']).then((r) => JSON.stringify(JSON.parse(r.stdout)[0].stats64.tx));
    const before = await counters();
    await run('ip', ['netns', 'exec', netns, 'bash', '-c', 'for i in 1 2 3; do echo x > /dev/udp/169.254.1.1/9; done']);
    expect(await counters()).not.toBe(before);
    expect(readNetFingerprint(pid)).toBe(fp);

    const seen = new Set([fp]);
    const step = async (...args: string[]) => {
      await inNs(...args);
      const now = readNetFingerprint(pid);
      expect(seen.has(now), args.join(' ')).toBe(false);
      seen.add(now);
    };
    await step('route', 'replace', 'default', 'via', '169.254.1.9', 'dev', 'eth0', 'onlink');
    await step('route', 'add', 'default', 'via', '169.254.1.1', 'dev', 'eth0', 'table', '7');
    // Not here: a new gateway for that table-7 route. fib_trie lists other tables' prefixes but not their gateways,
    // so a namespace with IPv4 routes outside main is never kept between scans (veths.ts; scan.host.test.ts).
    await step('addr', 'add', '10.246.0.3/32', 'dev', 'eth0');
    await step('addr', 'add', '2001:db8::2/128', 'dev', 'eth0', 'nodad');
    await step('route', 'add', '2001:db8:1::/64', 'via', 'fe80::1', 'dev', 'eth0', 'table', '7');
    await step('route', 'replace', '2001:db8:1::/64', 'via', 'fe80::2', 'dev', 'eth0', 'table', '7');
    await inNs('link', 'set', 'eth0', 'down');
    seen.add(readNetFingerprint(pid));
    await step('link', 'set', 'eth0', 'name', 'eth9');
  });
});
