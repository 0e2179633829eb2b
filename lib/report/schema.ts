// The agent -> server wire format, version 1. The one schema both sides import: the agent validates
// before it sends, the server validates what it receives. Field meanings: docs/report-format.md.
import { z } from 'zod';

export const REPORT_VERSION = 1 as const;

const mac = z
  .string()
  .regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, 'lower-case colon-separated 48-bit MAC');
const isoTime = z.iso.datetime({ offset: true });
const absPath = z.string().startsWith('/').max(4096);
const shortText = z.string().max(1024);

export const macPolicySchema = z.enum(['persistent', 'random', 'none']);
export type MacPolicy = z.infer<typeof macPolicySchema>;

export const arpStatusSchema = z.enum(['ok', 'mismatch', 'missing', 'unknown']);
export type ArpStatus = z.infer<typeof arpStatusSchema>;

export const packageRefSchema = z.object({
  name: z.string().min(1).max(256),
  version: z.string().max(256).nullable(),
});

/** What udev would do to a veth: the file that wins, its policy, and whether the MAC gets rewritten. */
export const linkVerdictSchema = z.object({
  linkFile: absPath.nullable(),
  dropIns: z.array(absPath).max(256).default([]),
  macAddressPolicy: macPolicySchema.nullable(),
  /** MACAddress= from the winning file and its drop-ins, applied only when the policy is none. */
  macAddress: mac.nullable().default(null),
  udevRewritesMac: z.boolean(),
  /**
   * Optional (agents since the "explanations" change): the file that sets MACAddressPolicy=, i.e. the last of
   * linkFile and its dropIns that assigns it (a drop-in when one does); null when none does (udev's default).
   */
  policySource: absPath.nullable().optional(),
});
export type LinkVerdict = z.infer<typeof linkVerdictSchema>;

export const linkFileSchema = z.object({
  path: absPath,
  kind: z.enum(['link', 'dropin']),
  /** For a drop-in: the .link file name it belongs to, e.g. "99-default.link". */
  dropInFor: z.string().max(256).nullable().default(null),
  masked: z.boolean(),
  /** The path that hides this one: a same-named file earlier in the search path, or /dev/null. */
  maskedBy: z.string().max(4096).nullable(),
  size: z.number().int().nonnegative(),
  mtime: isoTime,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  package: packageRefSchema.nullable(),
  /** Null when no package owns the file or dpkg has no md5sum for it. */
  differsFromPackage: z.boolean().nullable(),
  macAddressPolicy: z.string().max(64).nullable(),
  macAddress: z.string().max(64).nullable(),
  /** The file's text, so the server can diff one version against the next. Capped: link files are tiny. */
  content: z.string().max(65536).nullable().default(null),
});
export type LinkFileInfo = z.infer<typeof linkFileSchema>;

export const packageEventSchema = z.object({
  at: isoTime,
  action: z.enum(['install', 'upgrade', 'remove', 'purge']),
  package: z.string().min(1).max(256),
  arch: z.string().max(64).nullable(),
  fromVersion: z.string().max(256).nullable(),
  toVersion: z.string().max(256).nullable(),
  source: z.enum(['dpkg.log', 'apt-history']),
});
export type PackageEvent = z.infer<typeof packageEventSchema>;

/**
 * A fix that will undo itself: new veths are safe now only because of something a package upgrade, a reboot or a
 * configuration-management run is known to change (agent/fragile.ts). Makes the node "fragile".
 */
export const fragileFixSchema = z.object({
  kind: z.enum(['package-edited', 'runtime-file', 'config-managed', 'machine-id', 'kernel-cmdline']),
  /** The file the safety depends on (/proc/cmdline for the kernel command line). */
  path: absPath.nullable(),
  /** For package-edited: the package (and version) whose upgrade or reinstall restores its own copy. */
  package: packageRefSchema.nullable(),
  /** What will undo the fix, e.g. "the next upgrade or reinstall of udev restores MACAddressPolicy=persistent". */
  undoneBy: shortText,
  message: shortText,
});
export type FragileFix = z.infer<typeof fragileFixSchema>;

export const podRefSchema = z.object({
  namespace: z.string().min(1).max(253),
  name: z.string().min(1).max(253),
});

// --- Beyond the VPC CNI (all optional, so report v1 stays v1 in both directions): docs/report-format.md, docs/cnis.md.
export const CNI_KINDS = ['aws-vpc-cni', 'azure-cni', 'calico', 'cilium', 'flannel', 'bridge', 'antrea', 'spiderpool', 'unknown'] as const;
export const cniKindSchema = z.enum(CNI_KINDS);
export type CniKind = z.infer<typeof cniKindSchema>;
const ifnameText = z.string().min(1).max(15);
const ipText = z.string().min(1).max(64);
/** A static (PERMANENT or NOARP) neighbour entry in a pod, judged against the MAC of the pod's host veth. */
export const podNeighbourSchema = z.object({
  ip: ipText,
  lladdr: mac.nullable(),
  state: z.array(z.string().max(32)).max(16),
  matchesHost: z.boolean(),
});
export type PodNeighbour = z.infer<typeof podNeighbourSchema>;
export const HOST_DEVICE_ROLES = ['cni-bridge', 'overlay', 'gateway', 'health', 'other'] as const;
/** A CNI's own host device that is not a pod veth (cni0, flannel.1, cilium_host, antrea-gw0, ...). */
export const hostDeviceSchema = z.object({
  ifname: ifnameText,
  /** The link kind as `ip -d link` names it (bridge, vxlan, geneve, veth, netkit, ...), "device" when it has none. */
  kind: z.string().regex(/^[a-z0-9_-]{1,32}$/),
  role: z.enum(HOST_DEVICE_ROLES),
  mac: mac.nullable(),
  addrAssignType: z.number().int().min(0).max(3).nullable(),
  udevRewritesMac: z.boolean(),
  linkFile: absPath.nullable(),
});
export type HostDevice = z.infer<typeof hostDeviceSchema>;
/** What the overlay devices (flannel.1, vxlan.calico, ...) say about the other nodes: FDB and neighbour entries. */
export const overlaySchema = z.object({
  fdb: z.array(z.object({ mac, dst: ipText.nullable(), dev: ifnameText })).max(4096),
  neighbours: z.array(z.object({ ip: ipText, lladdr: mac.nullable(), dev: ifnameText, state: z.array(z.string().max(32)).max(16) })).max(4096),
});
export type Overlay = z.infer<typeof overlaySchema>;
/** The additions to `cni`: which CNI wired the node (agent side: config file and interfaces) and its version if known. */
export const cniIdentitySchema = {
  kind: cniKindSchema.optional(),
  version: z.string().max(64).nullable().optional(),
  /** The first plugin's `type` in the first CNI config file, as written. */
  pluginType: z.string().max(128).nullable().optional(),
};
/** The additions to the report's top level. */
export const beyondVpcCniFields = {
  hostDevices: z.array(hostDeviceSchema).max(256).optional(),
  overlay: overlaySchema.optional(),
  /** SHA-256 of MACHINE_ID_SALT + /etc/machine-id: equal IDs on two nodes give equal hashes; the ID never leaves. */
  machineIdHash: z.string().regex(/^[0-9a-f]{64}$/).nullable().optional(),
};
/** Fixed on purpose: the same ID must hash the same on every node so the server can spot clones. */
export const MACHINE_ID_SALT = 'vethwatch/machine-id/v1:';
// --- end of the Beyond the VPC CNI block

export const vethSchema = z.object({
  ifname: z.string().min(1).max(15),
  ifindex: z.number().int().positive(),
  mac: mac,
  /** sysfs addr_assign_type: 0 permanent, 1 random, 2 stolen, 3 set by userspace. */
  addrAssignType: z.number().int().min(0).max(3).nullable(),
  linkFile: absPath.nullable(),
  macAddressPolicy: macPolicySchema.nullable(),
  udevRewritesMac: z.boolean(),
  netns: z.string().max(256).nullable(),
  peerIfname: z.string().max(15).nullable().default(null),
  podIP: z.string().max(64).nullable(),
  pod: podRefSchema.nullable(),
  gatewayIp: z.string().max(64).nullable(),
  gatewayLladdr: mac.nullable(),
  /** Neighbour states as ip prints them, e.g. ["PERMANENT"]. */
  gatewayState: z.array(z.string().max(32)).max(16).nullable(),
  arpStatus: arpStatusSchema,
  /**
   * Optional: what the agent's link watch saw when this veth was created — the MAC in its first netlink event,
   * when (agent clock), and how many ms later its MAC first changed (null: not yet). Absent when the veth was
   * there before the agent started watching.
   */
  creation: z
    .object({
      mac,
      at: isoTime,
      rewrittenAfterMs: z.number().int().nonnegative().max(86_400_000).nullable(),
    })
    .optional(),
  neighbours: z.array(podNeighbourSchema).max(64).optional(),
});
export type Veth = z.infer<typeof vethSchema>;

export const findingSchema = z.object({
  code: z.string().min(1).max(64),
  severity: z.enum(['info', 'warning', 'error']),
  message: shortText,
  path: z.string().max(4096).nullable().default(null),
});
export type Finding = z.infer<typeof findingSchema>;

/**
 * A Kubernetes node name: a lowercase RFC 1123 DNS subdomain (what the API server accepts for a Node), at most 253
 * characters. The node's identity on the server, so one node cannot appear under two spellings.
 */
export const NODE_NAME_RULE = 'lowercase letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit, at most 253 characters';
export const nodeNameSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, `a Kubernetes node name (${NODE_NAME_RULE})`);

/** Transitions are keyed by veth name and link file path, so each must be unique within a report. */
function refuseDuplicates<T>(
  ctx: z.RefinementCtx,
  items: readonly T[],
  key: (item: T) => string,
  path: (i: number) => (string | number)[],
  what: string,
): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) ctx.addIssue({ code: 'custom', path: path(i), message: `duplicate ${what} "${k}"` });
    seen.add(k);
  });
}

export const reportSchema = z.object({
  version: z.literal(REPORT_VERSION),
  /** Unique per report; a resend with the same id is accepted once and acknowledged again after. */
  reportId: z.uuid(),
  node: nodeNameSchema,
  collectedAt: isoTime,
  agent: z.object({
    version: z.string().max(64),
    intervalSeconds: z.number().int().min(1).max(86400),
    /** Reports the spool had to drop (oldest first) since the last accepted report. */
    droppedReports: z.number().int().nonnegative().default(0),
  }),
  os: z.object({
    prettyName: z.string().max(256).nullable(),
    kernel: z.string().max(256).nullable(),
    systemdVersion: z.number().int().positive().nullable(),
  }),
  cni: z.object({
    vethPrefix: z.string().min(1).max(4),
    /** The conflist the prefix came from; null when the default was assumed. */
    configFile: absPath.nullable(),
    ...cniIdentitySchema,
  }),
  linkPolicy: z.object({
    newVeth: linkVerdictSchema,
    files: z.array(linkFileSchema).max(1024),
    packageEvents: z.array(packageEventSchema).max(2000),
    /** Why today's safe verdict will be lost; empty when it will not or new veths are not safe. An addition to version 1: older agents omit it. */
    fragile: z.array(fragileFixSchema).max(16).default([]),
  }),
  veths: z.array(vethSchema).max(4096),
  findings: z.array(findingSchema).max(1000).default([]),
  ...beyondVpcCniFields,
  // Here, not in a server-side extra check, so the agent's check before sending and the server's on receipt agree.
}).superRefine((report, ctx) => {
  refuseDuplicates(ctx, report.veths, (v) => v.ifname, (i) => ['veths', i, 'ifname'], 'veth ifname');
  refuseDuplicates(ctx, report.linkPolicy.files, (f) => f.path, (i) => ['linkPolicy', 'files', i, 'path'], 'link file path');
});

export type Report = z.infer<typeof reportSchema>;
export type ReportInput = z.input<typeof reportSchema>;
