import 'server-only';
// The few calls the rest of the server makes to count things; they hide prom-client and the label rules.
import type { NodeEvent } from '../events/types';
import { AuthError, BadJsonError, ForbiddenError, HttpError, MethodNotAllowedError, PayloadTooLargeError, ValidationError } from '../http/errors';
import { getMetrics, type VethwatchMetrics } from './registry';

export type RejectReason = 'unauthorized' | 'forbidden' | 'bad_json' | 'invalid' | 'too_large' | 'method' | 'error';

export function rejectReason(err: unknown): RejectReason {
  if (err instanceof AuthError) return 'unauthorized';
  if (err instanceof ForbiddenError) return 'forbidden';
  if (err instanceof BadJsonError) return 'bad_json';
  if (err instanceof ValidationError) return 'invalid';
  if (err instanceof PayloadTooLargeError) return 'too_large';
  if (err instanceof MethodNotAllowedError) return 'method';
  return err instanceof HttpError && err.status < 500 ? 'invalid' : 'error';
}

/** An accepted report: its outcome, how long the answer took, and what its events say happened on the node. */
export function recordReportAccepted(outcome: string, seconds: number, events: readonly NodeEvent[], m: VethwatchMetrics = getMetrics()): void {
  m.reportsReceived.inc({ outcome });
  m.ingestDuration.observe({ result: 'accepted' }, seconds);
  for (const e of events) {
    if (e.type === 'veth.mac_changed') m.vethMacChanges.inc({ node: e.node });
    else if ((e.type === 'arp.changed' && e.data.to === 'mismatch') || (e.type === 'veth.appeared' && e.data.arpStatus === 'mismatch')) {
      m.arpMismatchEvents.inc({ node: e.node });
    } else if (e.type === 'linkfile.changed' || e.type === 'linkfile.removed' || (e.type === 'linkfile.appeared' && !e.data.initial)) {
      // A node's first inventory of its link files is not drift.
      m.linkFileDrift.inc({ node: e.node, type: e.type });
    }
  }
}

export function recordReportRejected(reason: RejectReason, seconds: number, m: VethwatchMetrics = getMetrics()): void {
  m.reportsRejected.inc({ reason });
  m.ingestDuration.observe({ result: 'rejected' }, seconds);
}

const RESULT_LABEL = /^[a-z][a-z0-9_-]{0,31}$/;

/**
 * One remediation outcome on a node: "succeeded"/"failed" when its run ends (lib/remediation/finish.ts, or a Job
 * that could not be created), then "verified"/"unverified" when the node's next report judges a succeeded run
 * (lib/remediation/verify.ts). A result that is not a short lowercase word is counted as "other", so a free-text
 * value can never explode the label set; node names are those of nodes that reported.
 */
export function recordRemediationResult(result: string, node: string, m: VethwatchMetrics = getMetrics()): void {
  m.remediations.inc({ node, result: RESULT_LABEL.test(result) ? result : 'other' });
}
