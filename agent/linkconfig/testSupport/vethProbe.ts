// For host tests only: a pod-like veth pair made the way the VPC CNI before v1.20.1 makes it, and real
// `udevadm test-builtin net_setup_link` run on its host end, with what udev printed and did.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface CniVeth {
  netns: string;
  ifname: string;
}

export class HostCommandError extends Error {
  constructor(command: string, detail: string) {
    super(`${command}: ${detail}`);
    this.name = 'HostCommandError';
  }
}

async function run(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await exec(cmd, args, { timeout: 30_000, maxBuffer: 16 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new HostCommandError(`${cmd} ${args.join(' ')}`, (err.stderr || err.message).trim());
  }
}

/**
 * Host end named "eni" + 11 hex digits. The pair is created inside a fresh namespace, where the kernel gives both
 * ends random MACs (addr_assign_type 1), and the host end is then moved to this process's namespace — the
 * pre-v1.20.1 CNI order. With `hostMac` the host end gets that MAC at creation (addr_assign_type 3, v1.20.1+).
 */
export async function createCniVeth(opts: { hostMac?: string } = {}): Promise<CniVeth> {
  const netns = `vwt${randomBytes(5).toString('hex')}`;
  const ifname = `eni${randomBytes(6).toString('hex').slice(0, 11)}`;
  await run('ip', ['netns', 'add', netns]);
  try {
    const addr = opts.hostMac ? ['address', opts.hostMac] : [];
    await run('ip', ['-n', netns, 'link', 'add', ifname, ...addr, 'type', 'veth', 'peer', 'name', 'eth0']);
    await run('ip', ['-n', netns, 'link', 'set', ifname, 'netns', String(process.pid)]);
  } catch (e) {
    await destroyCniVeth({ netns, ifname });
    throw e;
  }
  return { netns, ifname };
}

/** Removes both ends and the namespace; safe to call twice or on a half-made pair. */
export async function destroyCniVeth(v: CniVeth): Promise<void> {
  await exec('ip', ['link', 'del', v.ifname]).catch(() => undefined);
  await exec('ip', ['netns', 'del', v.netns]).catch(() => undefined);
}

export function readSysfs(ifname: string, attr: string): string {
  return readFileSync(`/sys/class/net/${ifname}/${attr}`, 'utf8').trim();
}

export interface UdevObservation {
  /** ID_NET_LINK_FILE udev printed, or null when it found no matching file. */
  linkFile: string | null;
  /** The policies consistent with udev's messages (several when udev's message does not tell them apart). */
  policies: Array<'persistent' | 'random' | 'none'>;
  /** The MAC udev said it applies, when it said one. */
  appliedMac: string | null;
  macBefore: string;
  macAfter: string;
  output: string;
}

/** Runs real udev's net_setup_link on the device (it applies the policy for real) and reads what happened. */
export async function runNetSetupLink(ifname: string): Promise<UdevObservation> {
  const macBefore = readSysfs(ifname, 'address');
  const { stdout, stderr } = await run('udevadm', ['test-builtin', 'net_setup_link', `/sys/class/net/${ifname}`]);
  const macAfter = readSysfs(ifname, 'address');
  const output = `${stderr}\n${stdout}`;

  const lf = /^ID_NET_LINK_FILE=(.+)$/m.exec(stdout);
  const linkFile = lf ? lf[1] : null;
  if (!linkFile && !output.includes('No matching link configuration found'))
    throw new HostCommandError('udevadm test-builtin net_setup_link', `neither a link file nor "no match" in its output:\n${output}`);

  const policies = new Set<'persistent' | 'random' | 'none'>();
  let appliedMac: string | null = null;
  const applied = /Applying (static|persistent|random) MAC address: ([0-9a-f:]+)/.exec(output);
  if (applied) {
    policies.add(applied[1] === 'static' ? 'none' : (applied[1] as 'persistent' | 'random'));
    appliedMac = applied[2];
  }
  if (/Using static MAC address\./.test(output) || /Specified MAC address .*refusing/.test(output)) policies.add('none');
  const matches = /already matches policy "(persistent|random|none)"/.exec(output);
  if (matches) policies.add(matches[1] as 'persistent' | 'random' | 'none');
  if (/Could not generate (valid )?persistent MAC address/.test(output)) policies.add('persistent');
  if (/already set by userspace|already set based on another device|Unknown addr_assign_type|has no hardware address/.test(output) && policies.size === 0) {
    policies.add('persistent');
    policies.add('random');
  }
  if (linkFile && policies.size === 0)
    throw new HostCommandError('udevadm test-builtin net_setup_link', `a link file was applied but no MAC policy message was printed:\n${output}`);
  return { linkFile, policies: [...policies], appliedMac, macBefore, macAfter, output };
}
