// One probe: a veth made the way the VPC CNI before v1.20.1 makes it (created in a namespace of its own, with the
// kernel's random MAC, its host end then moved to this host's namespace: the `add` udevd applies the link policy
// on), then `udevadm settle` and a read of the MAC udev left. Names are unique per probe and everything made is
// deleted again, whatever fails. Needs root.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { run } from '../collect/exec';
import type { Probe } from '../../lib/prevention/verification';

/** Prefix of every probe namespace and veth, so a leftover is recognisable (and never a pod's). */
export const PROBE_PREFIX = 'vwv';

export async function udevdAnswers(): Promise<boolean> {
  return (await run('udevadm', ['control', '--ping', '--timeout=2'], { allowFailure: true, timeoutMs: 5_000 })).exitCode === 0;
}

async function readMac(ifname: string): Promise<string> {
  return (await readFile(`/sys/class/net/${ifname}/address`, 'utf8')).trim();
}

export async function runProbe(now: () => Date = () => new Date()): Promise<Probe> {
  const id = randomBytes(5).toString('hex');
  const netns = `${PROBE_PREFIX}-${id}`;
  const ifname = `${PROBE_PREFIX}${id}`; // 13 characters, under IFNAMSIZ
  const at = now().toISOString();
  let macBefore: string | null = null;
  try {
    await run('ip', ['netns', 'add', netns]);
    await run('ip', ['-n', netns, 'link', 'add', ifname, 'type', 'veth', 'peer', 'name', 'eth0']);
    macBefore = (await run('ip', ['-n', netns, 'link', 'show', 'dev', ifname])).stdout.match(/link\/ether ([0-9a-f:]{17})/)?.[1] ?? null;
    if (macBefore === null) throw new Error(`ip printed no MAC for ${ifname}`);
    await run('ip', ['-n', netns, 'link', 'set', ifname, 'netns', String(process.pid)]);
    // udevd handles the add (and the move) asynchronously; settle waits until its queue is empty.
    await run('udevadm', ['settle', '--timeout=10'], { timeoutMs: 15_000 });
    const macAfter = await readMac(ifname);
    const aat = Number((await readFile(`/sys/class/net/${ifname}/addr_assign_type`, 'utf8')).trim());
    return { at, ifname, macBefore, macAfter, addrAssignType: Number.isInteger(aat) && aat >= 0 && aat <= 3 ? aat : null, kept: macAfter === macBefore, error: null };
  } catch (e) {
    return { at, ifname, macBefore: macBefore ?? '00:00:00:00:00:00', macAfter: null, addrAssignType: null, kept: false, error: (e as Error).message.slice(0, 1024) };
  } finally {
    await run('ip', ['link', 'del', ifname], { allowFailure: true });
    await run('ip', ['netns', 'del', netns], { allowFailure: true });
  }
}
