// Which CNI wired this node: from the CNI config the container runtime loads (the first file by name in
// /etc/cni/net.d, its first plugin's type) or, without one, from the interfaces the CNI leaves on the host.
// Pure: text and names in, a kind out. Background per CNI: docs/cnis.md.
import type { CniKind } from '../../lib/report/schema';

/** Names the runtime (containerd, CRI-O via libcni) treats as CNI config files. */
export const CNI_CONFIG_SUFFIXES = ['.conflist', '.conf', '.json'] as const;

/** The first plugin `type` of each CNI's own config (chained plugins such as portmap come after it). */
const KIND_BY_PLUGIN_TYPE: Readonly<Record<string, CniKind>> = {
  'aws-cni': 'aws-vpc-cni',
  'azure-vnet': 'azure-cni',
  calico: 'calico',
  'cilium-cni': 'cilium',
  flannel: 'flannel',
  bridge: 'bridge',
  antrea: 'antrea',
};

/** Spiderpool puts its coordinator after the main plugin (macvlan, ipvlan, sriov...): any place in the chain counts. */
const SPIDERPOOL_TYPES = new Set(['coordinator', 'spiderpool-coordinator']);

export interface ConfigIdentity {
  kind: CniKind;
  pluginType: string | null;
}

/** Pure: the CNI a config file's text names; null when it is not JSON or names no plugin type. */
export function cniFromConfigText(text: string): ConfigIdentity | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null) return null;
  const obj = json as { plugins?: unknown; type?: unknown };
  // A .conflist has plugins[]; a single-plugin .conf has the type at the top.
  const types = Array.isArray(obj.plugins)
    ? obj.plugins.map((p) => (typeof p === 'object' && p !== null && typeof (p as { type?: unknown }).type === 'string' ? (p as { type: string }).type : null))
    : [typeof obj.type === 'string' ? obj.type : null];
  const first = types[0] ?? null;
  if (first === null) return null;
  const pluginType = first.slice(0, 128);
  if (types.some((t) => t !== null && SPIDERPOOL_TYPES.has(t))) return { kind: 'spiderpool', pluginType };
  return { kind: KIND_BY_PLUGIN_TYPE[first] ?? 'unknown', pluginType };
}

/** Pure: the file the runtime loads, the first CNI config file by name. */
export function firstConfigName(names: readonly string[]): string | null {
  return [...names].filter((n) => !n.startsWith('.') && CNI_CONFIG_SUFFIXES.some((s) => n.endsWith(s))).sort()[0] ?? null;
}

/**
 * Pure: the CNI whose host interfaces these are, most specific first (flannel also makes cni0; Cilium and Antrea
 * have their own gateway devices). `vethNames` are host veths with a peer in another namespace.
 */
export function cniFromInterfaces(linkNames: readonly string[], vethNames: readonly string[]): CniKind {
  const has = (re: RegExp) => linkNames.some((n) => re.test(n));
  const vethHas = (re: RegExp) => vethNames.some((n) => re.test(n));
  if (has(/^cilium_host$/) || vethHas(/^lxc/)) return 'cilium';
  if (has(/^antrea-gw\d+$/)) return 'antrea';
  if (has(/^flannel(-v6)?\.\d+$/)) return 'flannel';
  if (has(/^vxlan(-v6)?\.calico$/) || vethHas(/^cali/)) return 'calico';
  if (vethHas(/^azv/)) return 'azure-cni';
  if (vethHas(/^(eni|vlan)[0-9a-f]{11}$/)) return 'aws-vpc-cni';
  if (has(/^cni0$/)) return 'bridge';
  return 'unknown';
}
