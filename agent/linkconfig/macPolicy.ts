// What udev does to the MAC of a device a .link file was applied to: link_generate_new_hw_addr() of systemd 252
// (src/udev/net/link-config.c), and the older get_mac() logic for hosts before 250.
//
// systemd 252, in order:
//  1. the device has no hardware address            -> nothing;
//  2. MACAddressPolicy=none (also: unset, or empty) -> "Using static MAC address.": MACAddress= if set, else
//     nothing. This happens before any addr_assign_type check, so a static MAC is applied even to a device whose
//     MAC userspace already set (aat 3). net_verify_hardware_address() refuses a wrong length, all-zero and
//     broadcast, and clears the multicast bit;
//  3. not Ethernet / InfiniBand                     -> nothing;
//  4. addr_assign_type 3 "already set by userspace", 2 "set based on another device" -> nothing; anything but
//     0/1 -> warning, nothing. An unreadable addr_assign_type stays 0 (the Link struct is zero-initialised);
//  5. (policy is random) == (aat is 1 "random")     -> "already matches policy": persistent leaves aat 0 alone,
//     random leaves aat 1 alone;
//  6. random -> new random MAC; persistent -> siphash24(machine-id || name, key): the name is ID_NET_NAME_ONBOARD,
//     _SLOT, _PATH or _MAC, else (naming scheme v241+) the interface name; no name or no machine-id -> "Could not
//     generate persistent MAC address", nothing;
//  7. the new MAC equal to the current one -> nothing.
import type { MacPolicy } from '../../lib/report/schema';
import { formatHwAddr, hwAddrBytes, hwAddrEqual, hwAddrFromBytes, macFromString, type HwAddr } from './hwaddr';
import { siphash24, uint64LeBytes } from './siphash';
import type { DeviceFacts, LinkSettings } from './types';

const ARPHRD_ETHER = 1;
const ARPHRD_INFINIBAND = 32;
const NET_ADDR_PERM = 0;
const NET_ADDR_RANDOM = 1;
const NET_ADDR_STOLEN = 2;
const NET_ADDR_SET = 3;

/** HASH_KEY in src/shared/netif-util.c. */
const HASH_KEY = Uint8Array.from([
  0xd3, 0x1e, 0x48, 0xfa, 0x90, 0xfe, 0x4b, 0x4c, 0x9d, 0xaf, 0xd5, 0xd7, 0xa1, 0xb1, 0x2e, 0x8a,
]);

// ARPHRD names (arphrd_to_name(), lower-cased) that are not Ethernet; any other Type= value is either "ether"
// or a DEVTYPE (bridge, bond, vlan, wlan, ...) of an Ethernet-like device.
const NON_ETHER_TYPES = new Set([
  'loopback',
  'none',
  'void',
  'ipip',
  'sit',
  'ipgre',
  'tunnel',
  'tunnel6',
  'ip6gre',
  'ppp',
  'slip',
  'can',
  'ieee802154',
  'ieee80211',
  'ieee80211_radiotap',
  'irda',
  'fddi',
  'rawip',
  'wwan',
  'dsa',
  'mctp',
]);

export function arphrdOf(dev: DeviceFacts): number {
  if (dev.arphrdType !== undefined) return dev.arphrdType;
  if (dev.type === 'infiniband') return ARPHRD_INFINIBAND;
  if (NON_ETHER_TYPES.has(dev.type)) return -1;
  return ARPHRD_ETHER;
}

// The hash (BigInt arithmetic) is the costliest step of resolving a veth, and a node asks it about the same
// few hundred names every scan; the answer depends on nothing else.
const persistentMacs = new Map<string, HwAddr>();
const MAX_REMEMBERED_MACS = 4096;

/** net_get_unique_predictable_data() + the bit fix-ups of net_verify_hardware_address() for Ethernet. */
export function persistentMac(machineId: string, stableName: string): HwAddr {
  const key = `${machineId}\0${stableName}`;
  let mac = persistentMacs.get(key);
  if (!mac) {
    mac = computePersistentMac(machineId, stableName);
    if (persistentMacs.size >= MAX_REMEMBERED_MACS) persistentMacs.clear();
    persistentMacs.set(key, mac);
  }
  return { ...mac };
}

function computePersistentMac(machineId: string, stableName: string): HwAddr {
  const id = Buffer.from(machineId, 'hex');
  const data = Buffer.concat([id, Buffer.from(stableName, 'utf8')]);
  const bytes = uint64LeBytes(siphash24(data, HASH_KEY)).slice(0, 6);
  bytes[0] &= 0xfe; // unicast
  bytes[0] |= 0x02; // locally administered
  return hwAddrFromBytes(bytes);
}

/** The name udev hashes for a persistent MAC, or null ("No stable identifying information found"). */
export function stableName(dev: DeviceFacts, stableVirtualMacs: boolean): string | null {
  for (const k of ['ID_NET_NAME_ONBOARD', 'ID_NET_NAME_SLOT', 'ID_NET_NAME_PATH', 'ID_NET_NAME_MAC']) {
    const v = dev.properties[k];
    if (v !== undefined) return v;
  }
  return stableVirtualMacs ? dev.ifname : null;
}

export interface MacContext {
  systemdVersion: number;
  machineId: string | null;
  stableVirtualMacs: boolean;
}

export interface MacDecision {
  rewrites: boolean;
  /** The MAC udev sets when it is knowable (static, persistent); null otherwise. */
  newMac: string | null;
  reason: string;
  policy: MacPolicy;
}

function verifyStatic(static_: HwAddr, current: HwAddr, iftype: number): HwAddr | string {
  if (iftype === ARPHRD_ETHER) {
    if (static_.length !== 6) return `Specified MAC address with invalid length (${static_.length}, expected 6), refusing.`;
    const b = hwAddrBytes(static_);
    if (b.every((x) => x === 0)) return 'Specified MAC address is null, refusing.';
    if (b.every((x) => x === 0xff)) return 'Specified MAC address is broadcast, refusing.';
    if (b[0] & 1) b[0] &= 0xfe; // "has the multicast bit set, clearing the bit."
    return hwAddrFromBytes(b);
  }
  if (iftype === ARPHRD_INFINIBAND) {
    if (static_.length !== 20) return `Specified MAC address with invalid length (${static_.length}, expected 20), refusing.`;
    const b = hwAddrBytes(static_);
    if (b.slice(12).every((x) => x === 0)) return 'The last 8 bytes of the InfiniBand MAC address cannot be null, refusing.';
    return hwAddrFromBytes([...hwAddrBytes(current).slice(0, 12), ...b.slice(12)]);
  }
  return 'Unsupported interface type to set MAC address, refusing.';
}

function decide252(s: LinkSettings, dev: DeviceFacts, ctx: MacContext): MacDecision {
  const policy: MacPolicy = s.macAddressPolicy ?? 'none';
  const current = macFromString(dev.mac);
  const no = (reason: string): MacDecision => ({ rewrites: false, newMac: null, reason, policy });
  if (!current) return no('The device has no hardware address.');
  const iftype = arphrdOf(dev);

  if (policy === 'none') {
    if (!s.macAddress) return no('Using static MAC address. (no MACAddress= set: the MAC is kept)');
    const v = verifyStatic(s.macAddress, current, iftype);
    if (typeof v === 'string') return no(v);
    if (hwAddrEqual(v, current)) return no('Using static MAC address. (MACAddress= equals the current MAC)');
    return { rewrites: true, newMac: formatHwAddr(v), reason: `Applying static MAC address: ${formatHwAddr(v)}`, policy };
  }

  if (iftype !== ARPHRD_ETHER && iftype !== ARPHRD_INFINIBAND) return no('Not an Ethernet or InfiniBand device: the MAC is kept.');

  const aat = dev.addrAssignType ?? NET_ADDR_PERM;
  if (aat === NET_ADDR_SET) return no('MAC address on the device already set by userspace.');
  if (aat === NET_ADDR_STOLEN) return no('MAC address on the device already set based on another device.');
  if (aat !== NET_ADDR_PERM && aat !== NET_ADDR_RANDOM) return no(`Unknown addr_assign_type ${aat}, ignoring`);
  if ((policy === 'random') === (aat === NET_ADDR_RANDOM)) return no(`MAC address on the device already matches policy "${policy}".`);

  if (policy === 'random') return { rewrites: true, newMac: null, reason: 'Applying random MAC address.', policy };

  // InfiniBand hashes into the last 8 bytes; only Ethernet is modelled exactly.
  const name = stableName(dev, ctx.stableVirtualMacs);
  if (name === null) return no('Could not generate persistent MAC address: No stable identifying information found');
  if (ctx.machineId === null) return no('Could not generate persistent MAC address: no machine ID');
  if (iftype === ARPHRD_INFINIBAND) return { rewrites: true, newMac: null, reason: 'Applying persistent MAC address.', policy };
  const mac = persistentMac(ctx.machineId, name);
  if (hwAddrEqual(mac, current)) return no('The persistent MAC address equals the current one.');
  return { rewrites: true, newMac: formatHwAddr(mac), reason: `Applying persistent MAC address: ${formatHwAddr(mac)}`, policy };
}

/**
 * Before 250 (get_mac() era): persistent/random use the same aat rules, except that an unreadable
 * addr_assign_type means "no change" and the device type is not checked; a static MACAddress= is applied for any
 * other policy without validation, and is dropped at load time when the policy is persistent or random.
 */
function decideLegacy(s: LinkSettings, dev: DeviceFacts, ctx: MacContext): MacDecision {
  const policy: MacPolicy = s.macAddressPolicy ?? 'none';
  const current = macFromString(dev.mac);
  const no = (reason: string): MacDecision => ({ rewrites: false, newMac: null, reason, policy });
  if (policy === 'none') {
    if (!s.macAddress) return no('No MACAddress= and no MAC policy: the MAC is kept.');
    if (current && hwAddrEqual(s.macAddress, current)) return no('MACAddress= equals the current MAC.');
    return { rewrites: true, newMac: formatHwAddr(s.macAddress), reason: 'Applying MACAddress=.', policy };
  }
  const aat = dev.addrAssignType;
  if (aat === null) return no('addr_assign_type unreadable: the MAC is kept.');
  if (aat === NET_ADDR_SET) return no('MAC on the device already set by userspace');
  if (aat === NET_ADDR_STOLEN) return no('MAC on the device already set based on another device');
  if (aat !== NET_ADDR_PERM && aat !== NET_ADDR_RANDOM) return no(`Unknown addr_assign_type ${aat}, ignoring`);
  if ((policy === 'random') === (aat === NET_ADDR_RANDOM)) return no(`MAC on the device already matches policy *${policy}*`);
  if (policy === 'random') return { rewrites: true, newMac: null, reason: 'Using random bytes to generate MAC', policy };
  const name = stableName(dev, ctx.stableVirtualMacs);
  if (name === null) return no('Could not generate persistent MAC: No stable identifying information found');
  if (ctx.machineId === null) return no('Could not generate persistent MAC: no machine ID');
  const mac = persistentMac(ctx.machineId, name);
  if (current && hwAddrEqual(mac, current)) return no('The persistent MAC address equals the current one.');
  return { rewrites: true, newMac: formatHwAddr(mac), reason: 'Using generated persistent MAC address', policy };
}

export function decideMac(s: LinkSettings, dev: DeviceFacts, ctx: MacContext): MacDecision {
  return ctx.systemdVersion >= 250 ? decide252(s, dev, ctx) : decideLegacy(s, dev, ctx);
}
