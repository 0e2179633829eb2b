// One full collection: OS, CNI config, link policy, every pod veth and its pod's gateway entry, assembled into
// a report v1 and checked against the shared schema before anyone sees it. Reads only; never writes to the host.
import { randomUUID } from 'node:crypto';
import packageJson from '../package.json' with { type: 'json' };
import { type Finding, REPORT_VERSION, type Report, reportSchema } from '../lib/report/schema';
import { CNI_FACTS } from '../lib/report/cnis';
import type { CniKind } from '../lib/report/schema';
import { collectCniConfig } from './collect/cniConfig';
import { cniFromInterfaces } from './collect/cniKind';
import { collectHostDevices, collectOverlay } from './collect/hostDevices';
import { collectMachineIdHash } from './collect/machineId';
import { collectIpam } from './collect/ipam';
import { collectLinkPolicy } from './collect/linkPolicy';
import { collectOs } from './collect/os';
import { type VethObservation, observeVeths } from './collect/veths';
import { type DeviceFacts, resolveLink } from './linkconfig';
import { resolveNodeName } from './nodeName';
import { buildVeth, cniFindings } from './verdict';
import { assessFragility, fragilityInput } from './fragile';

export interface ScanOptions {
  /** Where host files live ("/" on the node itself, e.g. "/host" in a container). Kernel state is always live. */
  root: string;
  /** Where the CNI config files are, not under root (default <root>/etc/cni/net.d). */
  cniConfDir?: string;
  node?: string;
  intervalSeconds: number;
  droppedReports?: number;
  /** Namespace reader shells run side by side (default 2). */
  concurrency?: number;
  /** Read pod namespaces through their processes when links and routes are unchanged (default true). */
  procFastPath?: boolean;
}

export class ScanError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScanError';
  }
}

const MAX_FINDINGS = 1000;
// Security-groups-for-pods in strict mode names its pod veths vlan<hash>, whatever vethPrefix says.
const SGP_STRICT_PREFIX = 'vlan';

function awsPrefixes(vethPrefix: string): string[] {
  return vethPrefix === SGP_STRICT_PREFIX ? [vethPrefix] : [vethPrefix, SGP_STRICT_PREFIX];
}

/** Host veth name prefixes of each CNI's pods ("" when the CNI names them after the pod: every veth is checked). */
const POD_VETH_PREFIXES: Readonly<Record<Exclude<CniKind, 'aws-vpc-cni' | 'unknown'>, string[]>> = {
  'azure-cni': ['azv'],
  calico: ['cali'],
  cilium: ['lxc'],
  flannel: ['veth'],
  bridge: ['veth'],
  antrea: [''],
  spiderpool: [''],
};

/** The agent's version is the package version (bundled in at build time, read at run time under tsx). */
export function agentVersion(): string {
  const v: unknown = (packageJson as { version?: unknown }).version;
  return typeof v === 'string' ? v.slice(0, 64) : '0.0.0';
}

/**
 * The host veth as udev's net_setup_link sees it on an `add` event, built from what the scan already read (the
 * same shape as linkconfig's readLiveDeviceFacts, without its per-interface ip call): the udev database entry,
 * the uevent variables of a virtual net device, and the veth driver.
 */
export function deviceFactsFor(obs: VethObservation): DeviceFacts {
  const { ifname, ifindex } = obs.host;
  return {
    ifname,
    driver: obs.udevProperties.ID_NET_DRIVER ?? 'veth',
    kind: obs.host.kind ?? 'veth',
    type: obs.host.linkType ?? 'ether',
    mac: (obs.host.address ?? '').toLowerCase(),
    permanentMac: null,
    addrAssignType: obs.addrAssignType,
    path: obs.udevProperties.ID_PATH ?? null,
    properties: {
      ...obs.udevProperties,
      INTERFACE: ifname,
      IFINDEX: String(ifindex),
      DEVPATH: `/devices/virtual/net/${ifname}`,
      SUBSYSTEM: 'net',
      ACTION: 'add',
      ID_NET_DRIVER: obs.udevProperties.ID_NET_DRIVER ?? 'veth',
    },
    arphrdType: 1,
  };
}

export async function scan(opts: ScanOptions): Promise<Report> {
  const root = opts.root || '/';
  const node = opts.node ?? resolveNodeName({ env: process.env.NODE_NAME }).name;
  const collectedAt = new Date().toISOString();

  const [os, cni, ipam, machineIdHash] = await Promise.all([collectOs(root), collectCniConfig(root, opts.cniConfDir), collectIpam(root), collectMachineIdHash(root)]);
  // The config file decides the CNI when there is one; its pod veth prefix then decides which veths are pods'.
  // Without one the VPC CNI's prefixes are assumed as before, and the interfaces name the kind afterwards.
  const configKind = cni.first?.kind ?? null;
  const podPrefixes = configKind === null || configKind === 'aws-vpc-cni' || configKind === 'unknown' ? awsPrefixes(cni.vethPrefix) : POD_VETH_PREFIXES[configKind];
  const [policy, observed] = await Promise.all([
    collectLinkPolicy(root, { systemdVersion: os.systemdVersion, vethPrefix: podPrefixes.find((p) => p !== '') ?? 'veth' }),
    observeVeths({ root, vethPrefixes: podPrefixes, concurrency: opts.concurrency, procFastPath: opts.procFastPath }),
  ]);
  const hostLinks = observed.hostNet.links;
  const kind: CniKind =
    configKind ?? cniFromInterfaces(hostLinks.map((l) => l.ifname), observed.hostNet.veths.filter((v) => v.linkNetnsid !== null).map((v) => v.ifname));
  const gatewayIsHostVeth = CNI_FACTS[kind].gatewayIsHostVeth;

  const veths = observed.observations.map((o) => buildVeth(o, resolveLink(policy.config, deviceFactsFor(o)), ipam.pods, { gatewayIsHostVeth }));
  const hostDevices = collectHostDevices(root, hostLinks, policy.config);
  const overlay = await collectOverlay(hostDevices, observed.hostNet);

  const fragile = assessFragility(fragilityInput(root, policy.config, cni.vethPrefix, policy.newVeth, policy.files));
  const fragileFindings: Finding[] = fragile.map((f) => ({ code: `fragile-${f.kind}`, severity: 'warning', message: f.message, path: f.path }));
  const findings: Finding[] = [...os.findings, ...cni.findings, ...ipam.findings, ...policy.findings, ...fragileFindings, ...observed.findings, ...cniFindings(kind, veths)];
  if (findings.length > MAX_FINDINGS) {
    const dropped = findings.length - (MAX_FINDINGS - 1);
    findings.length = MAX_FINDINGS - 1;
    findings.push({ code: 'findings-truncated', severity: 'info', message: `${dropped} more findings were dropped`, path: null });
  }

  const report = {
    version: REPORT_VERSION,
    reportId: randomUUID(),
    node,
    collectedAt,
    agent: { version: agentVersion(), intervalSeconds: opts.intervalSeconds, droppedReports: opts.droppedReports ?? 0 },
    os: { prettyName: os.prettyName, kernel: os.kernel, systemdVersion: os.systemdVersion },
    cni: {
      vethPrefix: podPrefixes.find((p) => p !== '' && p !== SGP_STRICT_PREFIX) ?? cni.vethPrefix,
      configFile: cni.configFile ?? cni.first?.file ?? null,
      kind,
      version: null,
      pluginType: cni.first?.pluginType ?? null,
    },
    linkPolicy: { newVeth: policy.newVeth, files: policy.files, packageEvents: policy.packageEvents, fragile },
    veths,
    findings,
    hostDevices,
    ...(overlay ? { overlay } : {}),
    machineIdHash,
  };
  // A report that fails the shared schema is a bug here, not something to send and let the server reject.
  const parsed = reportSchema.safeParse(report);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ScanError(`the collected report does not match report v${REPORT_VERSION}: ${issues.join('; ')}`, { cause: parsed.error });
  }
  return parsed.data;
}
