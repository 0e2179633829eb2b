// The data the link-config model works on. DeviceFacts and HostFacts are the shapes fixed in the contract
// between workstreams; the optional fields are additions that only sharpen the answer.
import type { Finding, LinkVerdict, MacPolicy } from '../../lib/report/schema';
import type { HwAddr } from './hwaddr';

export interface DeviceFacts {
  ifname: string;
  /** What ethtool reports (udev's ID_NET_DRIVER), e.g. "veth". */
  driver: string | null;
  /** IFLA_INFO_KIND, e.g. "veth". */
  kind: string | null;
  /** udev's Type= value: DEVTYPE when the device has one, else the ARPHRD name in lower case ("ether"). */
  type: string;
  mac: string;
  permanentMac: string | null;
  /** sysfs addr_assign_type; null when unreadable (udev 252 then treats it as 0, "permanent"). */
  addrAssignType: number | null;
  /** ID_PATH, the Path= match subject; veths have none. */
  path: string | null;
  /** udev properties of the device at the time net_setup_link runs (Property= looks here). */
  properties: Record<string, string>;
  /**
   * ARPHRD_* of the device when `type` is a DEVTYPE (bridge, wlan, ...) rather than the ARPHRD name; udev only
   * generates MACs for ARPHRD_ETHER (1) and ARPHRD_INFINIBAND (32). Defaults from `type`.
   */
  arphrdType?: number;
  /** IFF_LOOPBACK: udev never applies .link files to loopback devices. */
  loopback?: boolean;
}

export interface HostFacts {
  /** uname nodename as udevd sees it (Host= globs it case-insensitively). */
  hostname: string | null;
  /** /etc/machine-id, 32 lower-case hex digits; null when missing or invalid (then no persistent MAC). */
  machineId: string | null;
  /** What udev 252 reads as the kernel command line (PID 1's cmdline when udevd runs in a container). */
  kernelCommandLine: string | null;
  /** uname release. */
  kernelVersion: string | null;
  /** systemd architecture name ("x86-64", "arm64", ...). */
  architecture: string | null;
  /** systemd-detect-virt id ("none", "kvm", "docker", ...). */
  virtualization: string | null;
  /** Virtualization=private-users: whether udevd runs in a user namespace. */
  privateUsers?: boolean | null;
  /** Firmware=: whether /sys/firmware/devicetree and /sys/firmware/efi exist, and SMBIOS fields by name. */
  firmware?: { deviceTree: boolean; uefi: boolean; deviceTreeCompatible: string[]; smbios: Record<string, string> } | null;
}

export type ConditionType =
  | 'Host'
  | 'Virtualization'
  | 'KernelCommandLine'
  | 'KernelVersion'
  | 'Credential'
  | 'Architecture'
  | 'Firmware';

export interface ConditionSpec {
  type: ConditionType;
  parameter: string;
  negate: boolean;
}

/** NetMatch of systemd 252 (src/shared/net-condition.h), the .link subset. Patterns keep their '!' prefix. */
export interface NetMatch {
  hwAddr: HwAddr[] | null;
  permanentHwAddr: HwAddr[] | null;
  path: string[];
  driver: string[];
  iftype: string[];
  kind: string[];
  ifname: string[];
  property: string[];
}

/** What the parsers accumulate for one .link file plus its drop-ins. */
export interface LinkSettings {
  match: NetMatch;
  conditions: ConditionSpec[];
  /** null: not set by any assignment (udev's default is "none"). */
  macAddressPolicy: MacPolicy | null;
  /** [Link] MACAddress=, any length parse_hw_addr_full() accepts. */
  macAddress: HwAddr | null;
}

export type LinkFileStatus =
  | 'loaded'
  | 'masked'
  | 'parse-error'
  | 'empty-match'
  | 'conditions-unmet'
  | 'unreadable';

/** One .link name as udev's loader saw it: the file that won its name, and what became of it. */
export interface LinkCandidate {
  name: string;
  path: string;
  status: LinkFileStatus;
  /** Drop-ins udev parsed after the file, in order (empty unless status is not masked). */
  dropIns: string[];
  settings: LinkSettings | null;
  /** The last of the file and its drop-ins that assigns MACAddressPolicy= (null: none does, udev's default). */
  policySource?: string | null;
  /** Why the status is not "loaded", in udev's words where it has any. */
  reason: string | null;
}

export interface LinkConfig {
  root: string;
  /** The version the caller said the host runs (null: unknown). */
  systemdVersion: number | null;
  /** The version whose behaviour is modelled (252 when unknown). */
  modelVersion: number;
  host: HostFacts;
  /** The search path after symlink resolution and de-duplication, as udev builds it. */
  dirs: string[];
  /** Every .link name, in udev's order (by file name). */
  candidates: LinkCandidate[];
  /** The candidates udev keeps, in match order. */
  entries: LinkCandidate[];
  /** Whether persistent MACs can be derived from the interface name (naming scheme v241+, systemd 242+). */
  stableVirtualMacs: boolean;
  findings: Finding[];
}

export interface LinkExplanation {
  verdict: LinkVerdict;
  /** The MAC udev would set: exact for persistent and static, null for random or no change. */
  newMac: string | null;
  /** udev's own words for what happens to the MAC. */
  reason: string;
}
