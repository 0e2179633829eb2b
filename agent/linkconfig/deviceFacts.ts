// Device facts: the hypothetical host veth a pre-v1.20.1 VPC CNI creates, and (for checking the model against
// real udev) the facts of a live interface as `udevadm test-builtin net_setup_link` sees them.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readlink } from 'node:fs/promises';
import { VethPrefixError } from './errors';
import type { DeviceFacts } from './types';

/**
 * The host end of a pod veth as the CNI before v1.20.1 makes it: named prefix + 11 hex digits (the CNI uses
 * sha1(namespace.pod)[:11]), created by the veth driver inside the pod netns without an address (so the kernel
 * picks a random one, addr_assign_type 1) and moved to the host. A fixed, deterministic name and MAC stand in for
 * the real random ones, so the verdict cannot flip between reports.
 */
export function newVethFacts(vethPrefix: string): DeviceFacts {
  if (!/^[!-~]{1,4}$/.test(vethPrefix) || /[:/%]/.test(vethPrefix)) throw new VethPrefixError(vethPrefix);
  const digest = createHash('sha1').update('vethwatch.new-veth-probe').digest();
  const ifname = vethPrefix + digest.toString('hex').slice(0, 11);
  const mac = [...digest.subarray(11, 17)];
  mac[0] = (mac[0] & 0xfe) | 0x02; // eth_random_addr(): unicast, locally administered
  return {
    ifname,
    driver: 'veth',
    kind: 'veth',
    type: 'ether',
    mac: mac.map((b) => b.toString(16).padStart(2, '0')).join(':'),
    permanentMac: null,
    addrAssignType: 1,
    path: null,
    // What udevd has on the "add" event when net_setup_link runs (80-net-setup-link.rules): the kernel's uevent
    // variables plus ID_NET_DRIVER, which the builtin sets just before it picks the .link file. net_id adds
    // nothing for a veth (it skips devices whose iflink is not their own ifindex), path_id fails on it. The
    // ifindex is a stand-in: the real one is only known once the veth exists.
    properties: {
      ACTION: 'add',
      SUBSYSTEM: 'net',
      DEVPATH: `/devices/virtual/net/${ifname}`,
      INTERFACE: ifname,
      IFINDEX: '1000',
      ID_NET_DRIVER: 'veth',
    },
    arphrdType: 1,
  };
}

// arphrd_to_name() for the types one meets; udev lower-cases it for Type=.
const ARPHRD_NAMES: Record<number, string> = {
  1: 'ether',
  32: 'infiniband',
  280: 'can',
  512: 'ppp',
  768: 'tunnel',
  769: 'tunnel6',
  772: 'loopback',
  776: 'sit',
  778: 'ipgre',
  801: 'ieee80211',
  803: 'ieee80211_radiotap',
  804: 'ieee802154',
  823: 'ip6gre',
  65534: 'none',
  65535: 'void',
};

// The ethtool driver name of virtual devices, which have no /sys/class/net/X/device/driver.
const DRIVER_BY_KIND: Record<string, string> = {
  veth: 'veth',
  bridge: 'bridge',
  bond: 'bonding',
  dummy: 'dummy',
  tun: 'tun',
  vxlan: 'vxlan',
  geneve: 'geneve',
  macvlan: 'macvlan',
  macvtap: 'macvlan',
  ipvlan: 'ipvlan',
  wireguard: 'wireguard',
  vlan: '802.1Q VLAN Support',
  vrf: 'vrf',
  netkit: 'netkit',
};

async function text(p: string): Promise<string | null> {
  try {
    return (await readFile(p, 'utf8')).trim();
  } catch {
    return null;
  }
}

function ipDetails(ifname: string): Promise<{ kind: string | null; permaddr: string | null; loopback: boolean }> {
  return new Promise((resolve) => {
    execFile('ip', ['-j', '-d', 'link', 'show', 'dev', ifname], { timeout: 5000 }, (err, stdout) => {
      if (err) return resolve({ kind: null, permaddr: null, loopback: false });
      try {
        const [l] = JSON.parse(String(stdout)) as Array<{ linkinfo?: { info_kind?: string }; permaddr?: string; flags?: string[] }>;
        resolve({ kind: l?.linkinfo?.info_kind ?? null, permaddr: l?.permaddr ?? null, loopback: (l?.flags ?? []).includes('LOOPBACK') });
      } catch {
        resolve({ kind: null, permaddr: null, loopback: false });
      }
    });
  });
}

/**
 * A live interface of the current network namespace, as `udevadm test-builtin net_setup_link` sees it: sysfs
 * attributes, the uevent variables, DEVPATH/SUBSYSTEM/ACTION=add, the udev database entry if udevd wrote one,
 * and ID_NET_DRIVER. Read-only.
 */
export async function readLiveDeviceFacts(ifname: string): Promise<DeviceFacts> {
  const base = `/sys/class/net/${ifname}`;
  const uevent = (await text(`${base}/uevent`)) ?? '';
  const ue: Record<string, string> = {};
  for (const line of uevent.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) ue[line.slice(0, eq)] = line.slice(eq + 1);
  }
  const ifindex = ue.IFINDEX ?? (await text(`${base}/ifindex`));
  const db: Record<string, string> = {};
  const dbText = ifindex ? await text(`/run/udev/data/n${ifindex}`) : null;
  for (const line of (dbText ?? '').split('\n')) if (line.startsWith('E:')) {
    const eq = line.indexOf('=');
    if (eq > 2) db[line.slice(2, eq)] = line.slice(eq + 1);
  }
  const ip = await ipDetails(ifname);
  let driver: string | null = db.ID_NET_DRIVER ?? null;
  if (!driver) {
    try {
      driver = (await readlink(`${base}/device/driver`)).split('/').pop() ?? null;
    } catch {
      driver = ip.kind ? (DRIVER_BY_KIND[ip.kind] ?? null) : null;
    }
  }
  const devpath = (await readlink(base).catch(() => null))?.replace(/^(\.\.\/)+/, '/') ?? `/devices/virtual/net/${ifname}`;
  const arphrd = Number(await text(`${base}/type`));
  const aat = await text(`${base}/addr_assign_type`);
  const properties: Record<string, string> = { ...db, ...ue, DEVPATH: devpath, SUBSYSTEM: 'net', ACTION: 'add' };
  if (driver) properties.ID_NET_DRIVER = driver;
  return {
    ifname,
    driver,
    kind: ip.kind,
    type: ue.DEVTYPE || ARPHRD_NAMES[arphrd] || String(arphrd),
    mac: (await text(`${base}/address`)) ?? '',
    permanentMac: ip.permaddr,
    addrAssignType: aat === null || !/^\d+$/.test(aat) ? null : Number(aat),
    path: db.ID_PATH ?? null,
    properties,
    arphrdType: Number.isFinite(arphrd) ? arphrd : undefined,
    loopback: ip.loopback,
  };
}
