// How each CNI the lab imitates wires a pod and its own host devices (docs/cnis.md has the upstream references):
// interface names, the MAC it sets or leaves to the kernel, static neighbour entries, and its CNI config file.
// Pure data and names; wiring.ts and devices.ts do the ip work.
import { createHash } from 'node:crypto';

export const LAB_CNIS = ['aws', 'azure', 'calico', 'flannel', 'bridge'] as const;
export type LabCni = (typeof LAB_CNIS)[number];

/** Azure CNI (>= 1.4.42, transparent mode) gives every host veth this one MAC at creation. */
export const AZURE_HOST_MAC = 'aa:aa:aa:aa:aa:aa';
/** Azure CNI's IPv6 default gateway, pinned PERMANENT in every pod (still PERMANENT after the fix). */
export const AZURE_V6_GATEWAY = 'fe80::1234:5678:9abc';
/** Calico forces every host veth to this MAC after creating it; pods reach it through proxy ARP. */
export const CALICO_HOST_MAC = 'ee:ee:ee:ee:ee:ee';
/** The lab's bridge CNIs use 10.244.0.0/24 on cni0, the gateway being its first address. */
export const BRIDGE_GATEWAY = '10.244.0.1';
/** A pretend remote flannel node, so flannel.1 carries FDB and neighbour entries as on a real node. */
export const FLANNEL_REMOTE = { vtepMac: '0a:58:0a:f4:01:01', nodeIp: '192.0.2.10', subnet: '10.244.1.0' };

export interface CniStyle {
  /** Host veth name for a pod. */
  hostVethName(namespace: string, pod: string): string;
  /** Whether pods hang off cni0 (bridge, flannel) rather than being routed over a /32 via the host veth. */
  bridged: boolean;
  /** Pod static neighbours as [ip, 'gateway-mac'] pairs pinned to the host veth's MAC at creation. */
  staticToHostVeth: string[];
  /** The MAC a fixed release sets at creation ('random': a fresh random local MAC); null when even fixed releases leave it. */
  fixedMac: 'random' | string | null;
  /** The MAC the CNI sets after creation (Calico), which udev can race. */
  setAfterCreate: string | null;
  configName: string;
  config: unknown;
}

const sha = (s: string) => createHash('sha1').update(s).digest('hex');

export const CNI_STYLES: Readonly<Record<LabCni, CniStyle>> = {
  aws: {
    hostVethName: (ns, pod) => `eni${sha(`${ns}.${pod}`).slice(0, 11)}`,
    bridged: false,
    staticToHostVeth: ['169.254.1.1'],
    fixedMac: 'random',
    setAfterCreate: null,
    configName: '10-aws.conflist',
    config: { cniVersion: '0.4.0', name: 'aws-cni', plugins: [{ name: 'aws-cni', type: 'aws-cni', vethPrefix: 'eni', mtu: '9001' }, { type: 'portmap', capabilities: { portMappings: true } }] },
  },
  azure: {
    hostVethName: (ns, pod) => `azv${sha(`${ns}.${pod}`).slice(0, 11)}`,
    bridged: false,
    staticToHostVeth: ['169.254.1.1', AZURE_V6_GATEWAY],
    fixedMac: AZURE_HOST_MAC,
    setAfterCreate: null,
    configName: '10-azure.conflist',
    config: { cniVersion: '0.3.0', name: 'azure', plugins: [{ type: 'azure-vnet', mode: 'transparent', ipam: { type: 'azure-vnet-ipam' } }, { type: 'portmap', capabilities: { portMappings: true } }] },
  },
  calico: {
    hostVethName: (ns, pod) => `cali${sha(`${ns}.${pod}`).slice(0, 11)}`,
    bridged: false,
    staticToHostVeth: [],
    fixedMac: null,
    setAfterCreate: CALICO_HOST_MAC,
    configName: '10-calico.conflist',
    config: { name: 'k8s-pod-network', cniVersion: '0.3.1', plugins: [{ type: 'calico', datastore_type: 'kubernetes', ipam: { type: 'calico-ipam' } }, { type: 'portmap', capabilities: { portMappings: true } }] },
  },
  flannel: {
    hostVethName: (ns, pod) => `veth${sha(`${ns}.${pod}`).slice(0, 8)}`,
    bridged: true,
    staticToHostVeth: [],
    fixedMac: 'random',
    setAfterCreate: null,
    configName: '10-flannel.conflist',
    config: { name: 'cbr0', cniVersion: '0.3.1', plugins: [{ type: 'flannel', delegate: { hairpinMode: true, isDefaultGateway: true } }, { type: 'portmap', capabilities: { portMappings: true } }] },
  },
  bridge: {
    hostVethName: (ns, pod) => `veth${sha(`${ns}.${pod}`).slice(0, 8)}`,
    bridged: true,
    staticToHostVeth: [],
    fixedMac: 'random',
    setAfterCreate: null,
    configName: '10-bridge.conflist',
    config: { cniVersion: '1.0.0', name: 'mynet', plugins: [{ type: 'bridge', bridge: 'cni0', isGateway: true, ipMasq: true, ipam: { type: 'host-local', ranges: [[{ subnet: '10.244.0.0/24' }]] } }] },
  },
};
