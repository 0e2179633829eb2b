// FROZEN: lib/report/schema.ts as it was before the optional CNI fields (commit 349ae74). Old agents and old servers
// validate with exactly this; compat.test.ts checks that new and old reports cross in both directions. Never edit.
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

export const podRefSchema = z.object({
  namespace: z.string().min(1).max(253),
  name: z.string().min(1).max(253),
});

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
  }),
  linkPolicy: z.object({
    newVeth: linkVerdictSchema,
    files: z.array(linkFileSchema).max(1024),
    packageEvents: z.array(packageEventSchema).max(2000),
  }),
  veths: z.array(vethSchema).max(4096),
  findings: z.array(findingSchema).max(1000).default([]),
  // Here, not in a server-side extra check, so the agent's check before sending and the server's on receipt agree.
}).superRefine((report, ctx) => {
  refuseDuplicates(ctx, report.veths, (v) => v.ifname, (i) => ['veths', i, 'ifname'], 'veth ifname');
  refuseDuplicates(ctx, report.linkPolicy.files, (f) => f.path, (i) => ['linkPolicy', 'files', i, 'path'], 'link file path');
});

export type Report = z.infer<typeof reportSchema>;
export type ReportInput = z.input<typeof reportSchema>;
