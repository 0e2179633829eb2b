// The host facts a plan needs beyond the report: every MAC in the host namespace and whether udevd is alive.
// Read-only. Links are live kernel state; the udevd socket is looked up under the host root.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { run } from '../collect/exec';
import { parseLinks } from '../collect/ipJson';
import type { HostLink, UdevdStatus } from '../../lib/remediation/plan';

export async function hostLinks(): Promise<HostLink[]> {
  const { stdout } = await run('ip', ['-j', 'link', 'show']);
  return parseLinks(stdout.trim() === '' ? [] : JSON.parse(stdout)).map((l) => ({
    ifname: l.ifname,
    mac: l.address ? l.address.toLowerCase() : null,
  }));
}

/**
 * udevadm talks to udevd through /run/udev/control. With a host root other than `/` (the agent in a pod with the
 * host's `/` mounted), run the host's own udevadm chrooted there, so it finds the host's socket.
 */
export function udevadmCommand(root: string, args: string[]): [string, string[]] {
  const r = path.resolve(root);
  return r === '/' ? ['udevadm', args] : ['chroot', [r, 'udevadm', ...args]];
}

/**
 * The socket alone proves nothing: udevd leaves /run/udev/control behind when it exits. A ping is answered only
 * by a live daemon, and it changes nothing.
 */
export async function udevdStatus(root: string): Promise<UdevdStatus> {
  const socket = path.join(path.resolve(root), 'run/udev/control');
  try {
    const st = await stat(socket);
    if (!st.isSocket()) return { running: false, detail: `udevd not running: ${socket} is not a socket` };
  } catch {
    return { running: false, detail: `udevd not running: no ${socket} socket` };
  }
  const [cmd, args] = udevadmCommand(root, ['control', '--ping', '--timeout=5']);
  const res = await run(cmd, args, { allowFailure: true, timeoutMs: 10_000 }).catch(() => null);
  if (res === null || res.exitCode !== 0) {
    return { running: false, detail: `udevd not running: ${socket} exists but nothing answered a ping` };
  }
  return { running: true, detail: `udevd answered a ping on ${socket}` };
}
