// The bridge CNIs' own host devices: cni0 (a bridge the pods hang off) and flannel's flannel.1 (a VXLAN device
// with one pretend remote node in its FDB and neighbour table). Made without a MAC as the releases before the fix
// did (the kernel picks a random one, addr_assign_type 1), or with one as the fixed releases do. The lab refuses
// to run beside a real cni0 or flannel.1 and deletes only devices whose ifindex it recorded.
import { CommandError, run } from '../collect/exec';
import { parseJsonStream, parseLinks } from '../collect/ipJson';
import { BRIDGE_GATEWAY, FLANNEL_REMOTE, type LabCni } from './cnis';
import { LabError } from './errors';
import { randomLocalMac } from './names';

export interface LabDevice {
  ifname: string;
  ifindex: number;
  kind: 'bridge' | 'vxlan';
  /** The MAC right after creation: for flannel.1 the VtepMAC flannel publishes in its node annotation. */
  macAtCreation: string;
  mac: string;
  broken: boolean;
}

export function devicesFor(cni: LabCni): Array<'cni0' | 'flannel.1'> {
  if (cni === 'flannel') return ['cni0', 'flannel.1'];
  if (cni === 'bridge') return ['cni0'];
  return [];
}

async function ip(lines: string[], json = false): Promise<string> {
  try {
    return (await run('ip', [...(json ? ['-j', '-d'] : []), '-batch', '-'], { input: lines.join('\n') + '\n', timeoutMs: 30_000 })).stdout;
  } catch (e) {
    if (e instanceof CommandError) throw new LabError(`ip -batch failed: ${e.stderr.trim() || e.message}`, { cause: e });
    throw e;
  }
}

export async function hostLinks(): Promise<Map<string, { ifindex: number; mac: string | null; kind: string | null }>> {
  const links = parseLinks(parseJsonStream(await ip(['link show'], true))[0]);
  return new Map(links.map((l) => [l.ifname, { ifindex: l.ifindex, mac: l.address, kind: l.kind }]));
}

/** Refuses when a device the lab would make already exists: it belongs to a real CNI on this host. */
export async function checkDevicesAbsent(cni: LabCni): Promise<void> {
  const links = await hostLinks();
  const present = devicesFor(cni).filter((d) => links.has(d));
  if (present.length > 0) throw new LabError(`${present.join(' and ')} already exist on this host (a real CNI?); the lab will not touch them`);
}

/** Creates the devices; `fixed`: with a MAC set at creation, as the fixed releases do. */
export async function createDevices(cni: LabCni, fixed: boolean): Promise<LabDevice[]> {
  const names = devicesFor(cni);
  if (names.length === 0) return [];
  const addr = () => (fixed ? ` address ${randomLocalMac()}` : '');
  const lines: string[] = [];
  if (names.includes('cni0')) lines.push(`link add cni0${addr()} type bridge`, `addr add ${BRIDGE_GATEWAY}/24 dev cni0`, 'link set cni0 up');
  if (names.includes('flannel.1')) {
    lines.push(
      `link add flannel.1${addr()} type vxlan id 1 dstport 8472 nolearning`,
      'addr add 10.244.0.0/32 dev flannel.1',
      'link set flannel.1 up',
      `neigh add ${FLANNEL_REMOTE.subnet} lladdr ${FLANNEL_REMOTE.vtepMac} dev flannel.1 nud permanent`,
    );
  }
  await ip(lines);
  if (names.includes('flannel.1')) {
    await run('bridge', ['fdb', 'append', FLANNEL_REMOTE.vtepMac, 'dev', 'flannel.1', 'dst', FLANNEL_REMOTE.nodeIp], { timeoutMs: 10_000 }).catch((e: unknown) => {
      throw new LabError(`bridge fdb append on flannel.1 failed: ${(e as Error).message}`, { cause: e });
    });
  }
  const links = await hostLinks();
  return names.map((ifname) => {
    const l = links.get(ifname);
    if (!l?.mac) throw new LabError(`${ifname} did not appear after creating it`);
    return { ifname, ifindex: l.ifindex, kind: ifname === 'cni0' ? 'bridge' : 'vxlan', macAtCreation: l.mac, mac: l.mac, broken: false };
  });
}

/** Deletes the recorded devices that are still the ones the lab made (same name and ifindex). */
export async function removeDevices(devices: readonly LabDevice[]): Promise<string[]> {
  const links = await hostLinks();
  const notes: string[] = [];
  const ours = devices.filter((d) => {
    const ok = links.get(d.ifname)?.ifindex === d.ifindex;
    if (!ok && links.has(d.ifname)) notes.push(`${d.ifname} is no longer the device the lab made; left alone`);
    return ok;
  });
  if (ours.length > 0) await run('ip', ['-force', '-batch', '-'], { input: ours.map((d) => `link del ${d.ifname}`).join('\n') + '\n', allowFailure: true, timeoutMs: 30_000 });
  return notes;
}
