import 'server-only';
// Verification from the node's own next report: after a remediation succeeded, the first report the node sends
// after it finished must show no mismatch and a safe policy for new veths; otherwise the remediation is
// 'unverified' and the node keeps its flag (its state comes from that same report). Cheap on the ingest path:
// only remediations in 'succeeded' are looked at, and a report collected while the agent was still working is not
// taken as proof either way.
import { recordRemediationResult } from '../metrics/record';
import { describePolicySource, policySourceOf } from '../nodes/policySource';
import type { Report } from '../report/schema';
import type { Store } from '../store';
import type { NextReportVerification, RemediationRecord } from './types';

export function judgeReport(report: Report, reportId = report.reportId): { verified: boolean; reason: string } {
  const broken = report.veths.filter((v) => v.arpStatus === 'mismatch');
  const problems: string[] = [];
  if (broken.length > 0) problems.push(`${broken.length} veth(s) still mismatch: ${broken.map((v) => v.ifname).join(', ')}`);
  if (report.linkPolicy.newVeth.udevRewritesMac) {
    const v = report.linkPolicy.newVeth;
    problems.push(`udev still rewrites new veths (${describePolicySource({ macAddressPolicy: v.macAddressPolicy, linkFile: v.linkFile, source: policySourceOf(v, report.linkPolicy.files) })})`);
  }
  if (problems.length > 0) return { verified: false, reason: problems.join('; ') };
  return { verified: true, reason: `report ${reportId}: no mismatch among ${report.veths.length} veth(s) and new veths keep their MAC` };
}

/** Was this report made after the remediation finished? Server clock for arrival; the node's clock, or two
 *  report intervals of slack for a node whose clock runs behind. */
function isAfter(rec: RemediationRecord, receivedAt: string, collectedAt: string, intervalSeconds: number): boolean {
  if (!rec.finishedAt || receivedAt <= rec.finishedAt) return false;
  if (collectedAt > rec.finishedAt) return true;
  return Date.parse(receivedAt) > Date.parse(rec.finishedAt) + 2 * intervalSeconds * 1000;
}

/**
 * A verified fix that stopped holding: the node's latest report, received after the verification, shows a problem
 * again. Only the newest verified remediation of a node is judged (an older one was superseded by it), once: the
 * first report that shows the regression is kept.
 */
export async function markRegressed(store: Store, node?: string): Promise<RemediationRecord[]> {
  const verified = await store.remediations.list({ statuses: ['verified'], ...(node ? { node } : {}), limit: 500 });
  const newest = new Map<string, RemediationRecord>();
  for (const rec of verified) {
    const seen = newest.get(rec.node);
    if (!seen || (rec.verifiedAt ?? '') > (seen.verifiedAt ?? '')) newest.set(rec.node, rec);
  }
  const regressed: RemediationRecord[] = [];
  for (const rec of newest.values()) {
    if (rec.regression || !rec.verifiedAt) continue;
    const stored = await store.getNode(rec.node);
    if (!stored || stored.node.lastReportAt <= rec.verifiedAt) continue;
    const judged = judgeReport(stored.report, stored.node.lastReportId);
    if (judged.verified) continue;
    const changed = await store.remediations.update(rec.id, { regressedAt: stored.node.lastReportAt, regressedReason: `report ${stored.node.lastReportId}: ${judged.reason}` }, ['verified']);
    if (!changed) continue;
    const after = await store.remediations.get(rec.id);
    if (after) regressed.push(after);
  }
  return regressed;
}

/** Checks every succeeded remediation (of one node, if given) against its node's latest report. */
export async function verifyPending(store: Store, node?: string): Promise<RemediationRecord[]> {
  const waiting = await store.remediations.list({ statuses: ['succeeded'], ...(node ? { node } : {}), limit: 500 });
  const done: RemediationRecord[] = [];
  for (const rec of waiting) {
    const stored = await store.getNode(rec.node);
    if (!stored) continue;
    const { node: n, report } = stored;
    if (!isAfter(rec, n.lastReportAt, n.collectedAt, n.intervalSeconds)) continue;
    const judged = judgeReport(report, n.lastReportId);
    const nextReport: NextReportVerification = { verified: judged.verified, reportId: n.lastReportId, at: n.lastReportAt, reason: judged.reason };
    const status = judged.verified ? 'verified' : 'unverified';
    const changed = await store.remediations.update(
      rec.id,
      { status, verifiedAt: n.lastReportAt, nextReport, ...(judged.verified ? {} : { error: `not verified by the next report: ${judged.reason}` }) },
      ['succeeded'],
    );
    if (!changed) continue;
    recordRemediationResult(status, rec.node);
    await store.remediations.appendAudit({
      at: new Date().toISOString(),
      actor: 'system',
      via: 'system',
      action: status,
      node: rec.node,
      planId: rec.planId,
      remediationId: rec.id,
      jobName: rec.jobName,
      result: rec.status,
      verification: `${status}: ${judged.reason}`,
    });
    const after = await store.remediations.get(rec.id);
    if (after) done.push(after);
  }
  await markRegressed(store, node);
  return done;
}
