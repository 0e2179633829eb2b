// Helpers for the remediation host tests: observing lab pods, sending real packets from a pod to its host veth,
// and asking real udev what it does to a brand-new veth. Every interface or namespace made here has a `vwt`
// name and is removed in a finally block; traffic only goes to addresses put on the lab's own host veths.
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { run } from '../collect/exec';
import { parseLinks, parseNeighbours } from '../collect/ipJson';
import type { LabPod } from '../lab/lab';
import { runRemediate } from './cli';

export interface PodSnapshot {
  hostIfname: string;
  hostMac: string | null;
  addrAssignType: string | null;
  /** The pod's whole neighbour table, as ip prints it. */
  neighbours: Array<{ dst: string; lladdr: string | null; state: string[] }>;
}

export async function snapshotPod(pod: LabPod): Promise<PodSnapshot> {
  const link = await run('ip', ['-j', 'link', 'show', 'dev', pod.hostIfname]);
  const neigh = await run('ip', ['-n', pod.netns, '-j', 'neigh', 'show']);
  const aat = await readFile(`/sys/class/net/${pod.hostIfname}/addr_assign_type`, 'utf8').catch(() => null);
  return {
    hostIfname: pod.hostIfname,
    hostMac: parseLinks(JSON.parse(link.stdout))[0]?.address ?? null,
    addrAssignType: aat?.trim() ?? null,
    neighbours: parseNeighbours(neigh.stdout.trim() ? JSON.parse(neigh.stdout) : [])
      .map((n) => ({ dst: n.dst, lladdr: n.lladdr, state: n.state }))
      .sort((a, b) => (a.dst < b.dst ? -1 : 1)),
  };
}

/** Every file under a directory with its content, so "changes nothing" can be checked byte for byte. */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        out[p + '/'] = 'dir';
        await walk(p);
      } else {
        const st = await stat(p).catch(() => null);
        out[p] = `${(st?.mode ?? 0).toString(8)} ${await readFile(p, 'utf8').catch(() => '<unreadable>')}`;
      }
    }
  };
  await walk(dir);
  return out;
}

/**
 * Real packets: put `hostAddr/32` on the pod's host veth, accept one TCP connection on it from the host namespace,
 * and have the pod connect and read a token back. The pod's only way out is its default route via 169.254.1.1,
 * whose PERMANENT neighbour entry must name the host veth's MAC, or the veth drops the frames.
 *
 * The address stays until the lab deletes the veth: removing a device's last IPv4 address makes the kernel flush
 * every route through it, including the CNI's `<podIP> dev <veth>` route the replies need.
 */
export async function podReachesHost(pod: LabPod, hostAddr: string, timeoutSeconds = 2): Promise<boolean> {
  const token = `vethwatch-${randomBytes(6).toString('hex')}`;
  await run('ip', ['addr', 'replace', `${hostAddr}/32`, 'dev', pod.hostIfname]);
  const server = net.createServer((sock) => {
    sock.on('error', () => undefined);
    sock.end(token + '\n');
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, hostAddr, () => resolve());
    });
    const port = (server.address() as net.AddressInfo).port;
    const r = await run(
      'ip',
      ['netns', 'exec', pod.netns, 'timeout', String(timeoutSeconds), 'bash', '-c', `exec 3<>/dev/tcp/${hostAddr}/${port}; read -r line <&3; printf '%s' "$line"`],
      { allowFailure: true, timeoutMs: (timeoutSeconds + 5) * 1000 },
    );
    return r.exitCode === 0 && r.stdout === token;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // The pod learns the probe address from the host's ARP request; leave its neighbour table as it was.
    await run('ip', ['-n', pod.netns, 'neigh', 'flush', 'to', hostAddr], { allowFailure: true });
  }
}

export interface FreshVethOutcome {
  before: string;
  after: string;
  addrAssignType: string;
  udevOutput: string;
}

/**
 * A veth made the pre-v1.20.1 CNI way (created in a namespace, kernel-random MAC, host end moved out), then real
 * udev's link setup: `udevadm test-builtin net_setup_link` applies the policy in force to it for real.
 */
export async function freshVethUnderUdev(): Promise<FreshVethOutcome> {
  const id = randomBytes(4).toString('hex');
  const ns = `vwt-${id}`;
  const host = `vwt${id}h`;
  await run('ip', ['netns', 'add', ns]);
  try {
    await run('ip', ['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', host]);
    const inNs = await run('ip', ['-n', ns, '-j', 'link', 'show', 'dev', host]);
    const before = parseLinks(JSON.parse(inNs.stdout))[0].address!;
    await run('ip', ['-n', ns, 'link', 'set', host, 'netns', String(process.pid)]);
    const addrAssignType = (await readFile(`/sys/class/net/${host}/addr_assign_type`, 'utf8')).trim();
    const r = await run('udevadm', ['test-builtin', 'net_setup_link', `/sys/class/net/${host}`], { timeoutMs: 30_000 });
    const after = (await readFile(`/sys/class/net/${host}/address`, 'utf8')).trim();
    return { before, after, addrAssignType, udevOutput: r.stdout + r.stderr };
  } finally {
    await run('ip', ['link', 'del', host], { allowFailure: true });
    await run('ip', ['netns', 'del', ns], { allowFailure: true });
  }
}

/** runRemediate with its stdout captured and parsed. */
export async function remediateJson(argv: string[]): Promise<{ code: number; doc: any; stderr: string }> {
  let out = '';
  let err = '';
  const code = await runRemediate(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, doc: out.trim() ? JSON.parse(out) : null, stderr: err };
}

/**
 * The same veth, but left to a running udevd: moving the host end into this namespace is the `add` event that
 * udevd handles as on a real node. Waits for udevd to finish its queue before reading the MAC.
 */
export async function freshVethUnderUdevd(): Promise<Omit<FreshVethOutcome, 'udevOutput'>> {
  const id = randomBytes(4).toString('hex');
  const ns = `vwt-${id}`;
  const host = `vwt${id}h`;
  await run('ip', ['netns', 'add', ns]);
  try {
    await run('ip', ['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', host]);
    const inNs = await run('ip', ['-n', ns, '-j', 'link', 'show', 'dev', host]);
    const before = parseLinks(JSON.parse(inNs.stdout))[0].address!;
    await run('ip', ['-n', ns, 'link', 'set', host, 'netns', String(process.pid)]);
    await run('udevadm', ['settle', '--timeout=10'], { timeoutMs: 15_000 });
    const after = (await readFile(`/sys/class/net/${host}/address`, 'utf8')).trim();
    const addrAssignType = (await readFile(`/sys/class/net/${host}/addr_assign_type`, 'utf8')).trim();
    return { before, after, addrAssignType };
  } finally {
    await run('ip', ['link', 'del', host], { allowFailure: true });
    await run('ip', ['netns', 'del', ns], { allowFailure: true });
  }
}
