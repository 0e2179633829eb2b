// Schema-valid report v1 fixtures for tests and benchmarks, on server and agent side alike. Everything is derived
// deterministically from the node name and veth index, so two reports built with the same options differ only
// in reportId and collectedAt: exactly what an unchanged node sends every interval.
import { createHash, randomUUID } from 'node:crypto';
import {
  REPORT_VERSION,
  reportSchema,
  type LinkFileInfo,
  type LinkVerdict,
  type PackageEvent,
  type Report,
  type Veth,
} from './schema';

/** Debian 12's stock file (udev 252.39), byte for byte: the one that makes udev rewrite veth MACs. */
export const DEBIAN12_DEFAULT_LINK = `# SPDX-License-Identifier: MIT-0
#
# This config file is installed as part of systemd.
# It may be freely copied and edited (following the MIT No Attribution license).
#
# To make local modifications, one of the following methods may be used:
# 1. add a drop-in file that extends this file by creating the
#    /etc/systemd/network/99-default.link.d/ directory and creating a
#    new .conf file there.
# 2. copy this file into /etc/systemd/network or one of the other paths checked
#    by systemd-udevd and edit it there.
# This file should not be edited in place, because it'll be overwritten on upgrades.

[Match]
OriginalName=*

[Link]
NamePolicy=keep kernel database onboard slot path
AlternativeNamesPolicy=database onboard slot path
MACAddressPolicy=persistent
`;

export const MAC_NONE_DROPIN = '[Link]\nMACAddressPolicy=none\n';
export const DEFAULT_LINK_PATH = '/usr/lib/systemd/network/99-default.link';
export const MAC_NONE_DROPIN_PATH = '/etc/systemd/network/99-default.link.d/50-mac-none.conf';

function digest(text: string, algorithm: 'sha1' | 'sha256' = 'sha256'): Buffer {
  return createHash(algorithm).update(text).digest();
}

/** A locally administered unicast MAC derived from a seed, as the CNI (and udev's persistent policy) make them. */
export function fixtureMac(seed: string): string {
  const b = digest(seed).subarray(0, 6);
  b[0] = (b[0] | 0x02) & 0xfe;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** The VPC CNI's host veth name: prefix + the first 11 hex digits of sha1("<namespace>.<pod>"). */
export function cniVethName(prefix: string, namespace: string, pod: string): string {
  return prefix + digest(`${namespace}.${pod}`, 'sha1').toString('hex').slice(0, 11);
}

export type FixturePolicy = 'persistent' | 'none';

export interface BuildVethOptions {
  node: string;
  index: number;
  prefix?: string;
  policy?: FixturePolicy;
  /** udev already rewrote this veth's MAC: the pod's PERMANENT gateway entry still holds the old one. */
  mismatch?: boolean;
}

export function buildVeth({ node, index, prefix = 'eni', policy = 'persistent', mismatch = false }: BuildVethOptions): Veth {
  const namespace = 'default';
  const name = `${node}-pod-${index}`.slice(0, 253);
  const ifname = cniVethName(prefix, namespace, name);
  const original = fixtureMac(`${node}/${ifname}/kernel`);
  const h = digest(`${node}/ip`);
  const mac = mismatch ? fixtureMac(`${node}/${ifname}/udev-persistent`) : original;
  return {
    ifname,
    ifindex: 10 + index,
    mac,
    // A rewritten veth reads 3 (udev set it); an untouched pre-v1.20.1 veth still has the kernel's random MAC (1).
    addrAssignType: mismatch ? 3 : 1,
    linkFile: DEFAULT_LINK_PATH,
    macAddressPolicy: policy,
    udevRewritesMac: policy === 'persistent' && !mismatch,
    netns: `cni-${digest(`${node}/${index}/netns`).toString('hex').slice(0, 8)}-0000-4000-8000-000000000000`,
    peerIfname: 'eth0',
    podIP: `10.${h[0]}.${Math.floor(index / 250) % 250}.${(index % 250) + 2}`,
    pod: { namespace, name },
    gatewayIp: '169.254.1.1',
    gatewayLladdr: original,
    gatewayState: ['PERMANENT'],
    arpStatus: mismatch ? 'mismatch' : 'ok',
  };
}

export function buildLinkFiles(policy: FixturePolicy): LinkFileInfo[] {
  const stock: LinkFileInfo = {
    path: DEFAULT_LINK_PATH,
    kind: 'link',
    dropInFor: null,
    masked: false,
    maskedBy: null,
    size: Buffer.byteLength(DEBIAN12_DEFAULT_LINK),
    mtime: '2025-06-26T17:01:45.000Z',
    sha256: digest(DEBIAN12_DEFAULT_LINK).toString('hex'),
    package: { name: 'udev', version: '252.39-1~deb12u2' },
    differsFromPackage: false,
    macAddressPolicy: 'persistent',
    macAddress: null,
    content: DEBIAN12_DEFAULT_LINK,
  };
  if (policy === 'persistent') return [stock];
  return [
    stock,
    {
      path: MAC_NONE_DROPIN_PATH,
      kind: 'dropin',
      dropInFor: '99-default.link',
      masked: false,
      maskedBy: null,
      size: Buffer.byteLength(MAC_NONE_DROPIN),
      mtime: '2026-01-15T09:30:00.000Z',
      sha256: digest(MAC_NONE_DROPIN).toString('hex'),
      package: null,
      differsFromPackage: null,
      macAddressPolicy: 'none',
      macAddress: null,
      content: MAC_NONE_DROPIN,
    },
  ];
}

export function buildNewVethVerdict(policy: FixturePolicy): LinkVerdict {
  return {
    linkFile: DEFAULT_LINK_PATH,
    dropIns: policy === 'none' ? [MAC_NONE_DROPIN_PATH] : [],
    macAddressPolicy: policy,
    macAddress: null,
    udevRewritesMac: policy === 'persistent',
  };
}

export const UDEV_INSTALL_EVENT: PackageEvent = {
  at: '2025-07-01T08:00:00.000Z',
  action: 'install',
  package: 'udev',
  arch: 'amd64',
  fromVersion: null,
  toVersion: '252.39-1~deb12u2',
  source: 'dpkg.log',
};

export type BuildReportOptions = Partial<Omit<Report, 'veths' | 'collectedAt'>> & {
  /** A count of generated veths, or the veths themselves. Default 3. */
  veths?: number | Veth[];
  /** How many of the generated veths (the first ones) are broken. Default 0. */
  mismatched?: number;
  /** The effective policy for new veths and the link files that produce it. Default 'persistent'. */
  policy?: FixturePolicy;
  intervalSeconds?: number;
  collectedAt?: string | Date;
};

/**
 * A valid report (it goes through the schema, so defaults are applied and a bad override throws here). Any
 * top-level report field can be overridden; `veths`, `mismatched`, `policy` and `intervalSeconds` are shortcuts.
 */
export function buildReport(options: BuildReportOptions = {}): Report {
  const { veths = 3, mismatched = 0, policy = 'persistent', intervalSeconds, collectedAt, ...fields } = options;
  const node = fields.node ?? 'node-1';
  const prefix = fields.cni?.vethPrefix ?? 'eni';
  const vethList =
    typeof veths === 'number'
      ? Array.from({ length: veths }, (_, index) => buildVeth({ node, index, prefix, policy, mismatch: index < mismatched }))
      : veths;
  const report: Report = {
    version: REPORT_VERSION,
    reportId: randomUUID(),
    node,
    collectedAt: (collectedAt instanceof Date ? collectedAt : new Date(collectedAt ?? Date.now())).toISOString(),
    agent: { version: '0.1.0', intervalSeconds: intervalSeconds ?? 30, droppedReports: 0 },
    os: { prettyName: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-41-amd64', systemdVersion: 252 },
    cni: { vethPrefix: prefix, configFile: '/etc/cni/net.d/10-aws.conflist' },
    linkPolicy: {
      newVeth: buildNewVethVerdict(policy),
      files: buildLinkFiles(policy),
      packageEvents: [UDEV_INSTALL_EVENT],
      fragile: [],
    },
    veths: vethList,
    findings: [],
    ...fields,
  };
  if (intervalSeconds !== undefined && fields.agent) report.agent = { ...fields.agent, intervalSeconds };
  return reportSchema.parse(report);
}

/** The same node, a moment later, nothing changed: a new reportId and collectedAt only. */
export function nextReport(previous: Report, secondsLater?: number): Report {
  const at = new Date(Date.parse(previous.collectedAt) + 1000 * (secondsLater ?? previous.agent.intervalSeconds));
  return { ...structuredClone(previous), reportId: randomUUID(), collectedAt: at.toISOString() };
}
