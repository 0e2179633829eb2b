// Breaking a lab pod the way a node breaks: real udev applies the link policy in force to the host veth.
import { readFile } from 'node:fs/promises';
import { CommandError, run } from '../collect/exec';
import { LabError } from './errors';

async function sysfsMac(ifname: string): Promise<string> {
  try {
    return (await readFile(`/sys/class/net/${ifname}/address`, 'utf8')).trim();
  } catch (e) {
    throw new LabError(`${ifname} has no /sys/class/net entry: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * `udevadm test-builtin net_setup_link` runs udev's link setup on the device for real (it rewrote the MAC of a
 * fresh veth under the stock 99-default.link). Fails loudly when the MAC stays the same: the policy in force
 * would not have broken the pod either, and pretending otherwise would make the lab lie.
 */
export async function applyLinkPolicy(ifname: string): Promise<{ before: string; after: string }> {
  const r = await runLinkSetup(ifname);
  if (r.after === r.before) {
    throw new LabError(`udev left the MAC of ${ifname} unchanged, so the link policy in force would not break this pod (${r.why || 'no udev explanation printed'})`);
  }
  return { before: r.before, after: r.after };
}

/** udev's link setup on one device, whatever it does: the MAC before and after and udev's own words. */
export async function runLinkSetup(ifname: string): Promise<{ before: string; after: string; why: string }> {
  const before = await sysfsMac(ifname);
  let output: string;
  try {
    const r = await run('udevadm', ['test-builtin', 'net_setup_link', `/sys/class/net/${ifname}`], { timeoutMs: 30_000 });
    output = r.stdout + r.stderr;
  } catch (e) {
    if (e instanceof CommandError) throw new LabError(`udevadm test-builtin net_setup_link ${ifname} failed: ${e.message}`, { cause: e });
    throw e;
  }
  const after = await sysfsMac(ifname);
  const why = output
    .split('\n')
    .filter((l) => /Config file|MAC address|static MAC|addr_assign_type|No matching link configuration/i.test(l))
    .map((l) => l.trim())
    .join(' | ');
  return { before, after, why };
}
