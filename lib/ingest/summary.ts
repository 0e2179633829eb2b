import 'server-only';
// What the store keeps per node besides the report itself: the fleet-table columns.
import type { Report } from '../report/schema';
import type { NodeSnapshot } from '../store';
import { policySourceOf } from '../nodes/policySource';

export function toIsoUtc(time: string | Date): string {
  return (time instanceof Date ? time : new Date(time)).toISOString();
}

/** Bounded: the column feeds every fleet row's state reason. */
const MAX_FRAGILE_REASON = 4096;

function fragileReason(report: Report): string | null {
  const fixes = report.linkPolicy.fragile ?? [];
  if (fixes.length === 0) return null;
  const text = fixes.map((f) => f.message).join(' ');
  return text.length > MAX_FRAGILE_REASON ? `${text.slice(0, MAX_FRAGILE_REASON - 3)}...` : text;
}

export function summarizeReport(report: Report, stateHash: string): NodeSnapshot {
  let mismatchCount = 0;
  let unknownArpCount = 0;
  for (const v of report.veths) {
    if (v.arpStatus === 'mismatch') mismatchCount += 1;
    else if (v.arpStatus === 'unknown') unknownArpCount += 1;
  }
  const verdict = report.linkPolicy.newVeth;
  const owner = verdict.linkFile === null ? null : (report.linkPolicy.files.find((f) => f.path === verdict.linkFile)?.package ?? null);
  return {
    collectedAt: toIsoUtc(report.collectedAt),
    lastReportId: report.reportId,
    stateHash,
    intervalSeconds: report.agent.intervalSeconds,
    agentVersion: report.agent.version,
    osPrettyName: report.os.prettyName,
    osKernel: report.os.kernel,
    osSystemdVersion: report.os.systemdVersion,
    policyMac: verdict.macAddressPolicy,
    policyLinkFile: verdict.linkFile,
    policyRewrites: verdict.udevRewritesMac,
    policyPackage: owner?.name ?? null,
    policyPackageVersion: owner?.name ? owner.version : null,
    policySource: policySourceOf(verdict, report.linkPolicy.files),
    vethCount: report.veths.length,
    mismatchCount,
    unknownArpCount,
    fragileReason: fragileReason(report),
    cniKind: report.cni.kind ?? null,
  };
}
