// The wire format of `npm run agent -- verify --watch`: proof over time that udev keeps the MAC a new veth was made
// with. The agent posts one document per run to VERIFICATION_PATH; the server validates it with this schema and
// keeps the latest few per node (lib/store/preventionVerifications.ts). Client-safe.
import { z } from 'zod';
import { nodeNameSchema } from '../report/schema';

export const VERIFICATION_PATH = '/api/v1/agent/verifications';
/** 10 080 probes is a week at one a minute; each probe is ~150 bytes of JSON. */
export const MAX_PROBES = 10_080;
export const MAX_VERIFICATION_BYTES = 4 * 1024 * 1024;
/** Verifications kept per node; older ones are deleted as new ones arrive. */
export const VERIFICATIONS_KEPT = 20;

const mac = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
const isoTime = z.iso.datetime({ offset: true });

export const probeSchema = z.object({
  at: isoTime,
  ifname: z.string().min(1).max(15),
  /** The MAC the kernel gave the veth in its namespace, before it was moved to the host. */
  macBefore: mac,
  /** After the move and `udevadm settle`: the MAC udev left it with. */
  macAfter: mac.nullable(),
  /** sysfs addr_assign_type after udev: 3 means userspace (udev) set it. */
  addrAssignType: z.number().int().min(0).max(3).nullable(),
  kept: z.boolean(),
  error: z.string().max(1024).nullable().default(null),
});
export type Probe = z.infer<typeof probeSchema>;

export const VERIFICATION_RESULTS = ['kept', 'rewritten', 'inconclusive'] as const;
export type VerificationResult = (typeof VERIFICATION_RESULTS)[number];

export const verificationSchema = z
  .object({
    verificationId: z.uuid(),
    node: nodeNameSchema,
    startedAt: isoTime,
    finishedAt: isoTime,
    everySeconds: z.number().int().min(1).max(3600),
    durationSeconds: z.number().int().min(1).max(7 * 86400),
    /** A udevd answered `udevadm control --ping`: only then does a kept MAC prove anything. */
    udevd: z.boolean(),
    probes: z.array(probeSchema).max(MAX_PROBES),
    result: z.enum(VERIFICATION_RESULTS),
  })
  .superRefine((v, ctx) => {
    // The result is derived, so a client cannot claim "kept" over a rewritten probe.
    if (v.result !== verificationResult(v)) ctx.addIssue({ code: 'custom', path: ['result'], message: `result must be "${verificationResult(v)}" for these probes` });
  });
export type Verification = z.infer<typeof verificationSchema>;

/** kept: every probe ran, udevd was there, and no MAC changed; rewritten: any MAC changed; else inconclusive. */
export function verificationResult(v: { udevd: boolean; probes: ReadonlyArray<Pick<Probe, 'kept' | 'macAfter' | 'error'>> }): VerificationResult {
  if (v.probes.some((p) => p.macAfter !== null && !p.kept)) return 'rewritten';
  if (!v.udevd || v.probes.length === 0 || v.probes.some((p) => p.error !== null || p.macAfter === null)) return 'inconclusive';
  return 'kept';
}

/** What the node page shows: the run without its probe list. */
export interface VerificationSummary {
  verificationId: string;
  startedAt: string;
  finishedAt: string;
  receivedAt: string;
  everySeconds: number;
  udevd: boolean;
  probes: number;
  kept: number;
  rewritten: number;
  result: VerificationResult;
}

export function summarize(v: Verification, receivedAt: string): VerificationSummary {
  return {
    verificationId: v.verificationId,
    startedAt: v.startedAt,
    finishedAt: v.finishedAt,
    receivedAt,
    everySeconds: v.everySeconds,
    udevd: v.udevd,
    probes: v.probes.length,
    kept: v.probes.filter((p) => p.kept).length,
    rewritten: v.probes.filter((p) => p.macAfter !== null && !p.kept).length,
    result: v.result,
  };
}
