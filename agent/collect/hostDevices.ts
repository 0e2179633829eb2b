// The CNI's own host devices that are not pod veths (cni0, flannel.1, vxlan.calico, cilium_host, antrea-gw0,
// lxc_health...): udev applies the same .link files to them, so one whose addr_assign_type is 1 gets a new MAC on
// add or move just like a pod veth. Also the overlay devices' FDB and neighbour entries, which say which MAC the
// other nodes' VTEPs have. Reads sysfs, the udev database and `bridge fdb`; the judging is linkconfig's.
import type { HostDevice, Overlay } from '../../lib/report/schema';
import { type DeviceFacts, type LinkConfig, resolveLink } from '../linkconfig';
import { run } from './exec';
import type { HostNetwork } from './hostNet';
import type { IpLink } from './ipJson';
import { readAddrAssignType } from './sysfs';
import { readUdevProperties } from './udevDb';

type Role = HostDevice['role'];

/** Known CNI device names and what each is for (docs/cnis.md). */
const ROLES: readonly [RegExp, Role][] = [
  [/^(cni0|cbr0)$/, 'cni-bridge'],
  [/^flannel(-v6)?\.\d+$/, 'overlay'],
  [/^vxlan(-v6)?\.calico$/, 'overlay'],
  [/^cilium_(vxlan|geneve)$/, 'overlay'],
  [/^antrea-tun\d+$/, 'overlay'],
  [/^(cilium_host|cilium_net|antrea-gw\d+)$/, 'gateway'],
  [/^lxc_health$/, 'health'],
];

/** Pure: the role of a host device, null when it is not a known CNI device. */
export function hostDeviceRole(ifname: string): Role | null {
  return ROLES.find(([re]) => re.test(ifname))?.[1] ?? null;
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const normalMac = (m: string | null | undefined) => (m && MAC_RE.test(m.toLowerCase()) ? m.toLowerCase() : null);
/** Kinds whose DEVTYPE is the kind itself (udev's Type= sees that, not "ether"). */
const DEVTYPE_KINDS = new Set(['bridge', 'vxlan', 'geneve']);

/** The device as net_setup_link sees it on an `add`: the udev database, the uevent variables, its driver. */
export function hostDeviceFacts(link: IpLink, addrAssignType: number | null, udev: Record<string, string>): DeviceFacts {
  const kind = link.kind ?? 'device';
  const devtype = udev.DEVTYPE ?? (DEVTYPE_KINDS.has(kind) ? kind : undefined);
  return {
    ifname: link.ifname,
    driver: udev.ID_NET_DRIVER ?? link.kind,
    kind: link.kind,
    type: devtype ?? link.linkType ?? 'ether',
    mac: (link.address ?? '').toLowerCase(),
    permanentMac: null,
    addrAssignType,
    path: udev.ID_PATH ?? null,
    properties: {
      ...udev,
      INTERFACE: link.ifname,
      IFINDEX: String(link.ifindex),
      DEVPATH: `/devices/virtual/net/${link.ifname}`,
      SUBSYSTEM: 'net',
      ACTION: 'add',
      ...(devtype ? { DEVTYPE: devtype } : {}),
      ...(link.kind ? { ID_NET_DRIVER: udev.ID_NET_DRIVER ?? link.kind } : {}),
    },
    arphrdType: link.linkType === 'ether' || link.linkType === null ? 1 : 0,
  };
}

export const MAX_HOST_DEVICES = 256;

export function collectHostDevices(root: string, links: readonly IpLink[], config: LinkConfig): HostDevice[] {
  const out: HostDevice[] = [];
  for (const link of links) {
    const role = hostDeviceRole(link.ifname);
    if (role === null || out.length >= MAX_HOST_DEVICES) continue;
    const aat = readAddrAssignType(link.ifname);
    const udev = readUdevProperties(root, link.ifindex);
    const verdict = resolveLink(config, hostDeviceFacts(link, aat, udev));
    const linkFile = udev.ID_NET_LINK_FILE?.startsWith('/') ? udev.ID_NET_LINK_FILE : verdict.linkFile;
    out.push({
      ifname: link.ifname,
      kind: /^[a-z0-9_-]{1,32}$/.test(link.kind ?? '') ? (link.kind as string) : 'device',
      role,
      mac: normalMac(link.address),
      addrAssignType: aat,
      udevRewritesMac: verdict.udevRewritesMac,
      linkFile,
    });
  }
  return out;
}

const MAX_OVERLAY_ENTRIES = 4096;

interface FdbRow {
  mac?: unknown;
  dst?: unknown;
}

/** Pure: `bridge -j fdb show dev <dev>` rows as overlay FDB entries (rows without a usable MAC are skipped). */
export function parseFdb(dev: string, value: unknown): Overlay['fdb'] {
  if (!Array.isArray(value)) return [];
  return (value as FdbRow[]).flatMap((r) => {
    const mac = typeof r?.mac === 'string' ? normalMac(r.mac) : null;
    if (!mac) return [];
    return [{ mac, dst: typeof r.dst === 'string' && r.dst.length <= 64 ? r.dst : null, dev }];
  });
}

/**
 * The FDB and neighbour entries of the overlay devices among `devices`; null when there are none (the report then
 * leaves `overlay` out). A device whose FDB cannot be read contributes its neighbours only.
 */
export async function collectOverlay(devices: readonly HostDevice[], host: Pick<HostNetwork, 'neighbours'>): Promise<Overlay | null> {
  const overlays = devices.filter((d) => d.role === 'overlay').map((d) => d.ifname);
  if (overlays.length === 0) return null;
  const names = new Set(overlays);
  const neighbours = host.neighbours
    .filter((n) => n.dev !== null && names.has(n.dev))
    .map((n) => ({ ip: n.dst, lladdr: normalMac(n.lladdr), dev: n.dev as string, state: n.state.slice(0, 16) }))
    .filter((n) => n.ip.length <= 64)
    .slice(0, MAX_OVERLAY_ENTRIES);
  const fdb: Overlay['fdb'] = [];
  for (const dev of overlays) {
    const r = await run('bridge', ['-j', 'fdb', 'show', 'dev', dev], { allowFailure: true, timeoutMs: 5000 }).catch(() => null);
    if (!r || r.exitCode !== 0) continue;
    try {
      fdb.push(...parseFdb(dev, JSON.parse(r.stdout || '[]')));
    } catch {
      // Unparseable output: this device's FDB is left out rather than guessed.
    }
  }
  return { fdb: fdb.slice(0, MAX_OVERLAY_ENTRIES), neighbours };
}
