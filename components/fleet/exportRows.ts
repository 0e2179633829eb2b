// The fleet table as CSV (RFC 4180, formula-safe: lib/history/csv.ts) or JSON: exactly the rows the filters leave,
// in the order shown.
import { toCsv, type CsvColumn } from '../../lib/history/csv';
import type { NodeSummary } from '../../lib/nodes/types';

const COLUMNS: CsvColumn<NodeSummary>[] = [
  { header: 'name', value: (n) => n.name },
  { header: 'state', value: (n) => n.state },
  { header: 'state_reason', value: (n) => n.stateReason },
  { header: 'mac_address_policy', value: (n) => n.policy?.macAddressPolicy ?? null },
  { header: 'winning_link_file', value: (n) => n.policy?.linkFile ?? null },
  { header: 'udev_rewrites_mac', value: (n) => (n.policy ? n.policy.udevRewritesMac : null) },
  { header: 'mismatches', value: (n) => n.mismatchCount },
  { header: 'veths', value: (n) => n.vethCount },
  { header: 'os', value: (n) => n.os.prettyName },
  { header: 'kernel', value: (n) => n.os.kernel },
  { header: 'systemd', value: (n) => n.os.systemdVersion },
  { header: 'last_report_at', value: (n) => n.lastReportAt },
  { header: 'interval_seconds', value: (n) => n.intervalSeconds },
  { header: 'link_file_package', value: (n) => n.policyPackage?.name ?? null },
  { header: 'link_file_package_version', value: (n) => n.policyPackage?.version ?? null },
];

export function fleetCsv(nodes: readonly NodeSummary[]): string {
  return toCsv(COLUMNS, nodes);
}

export function fleetJson(nodes: readonly NodeSummary[]): string {
  return JSON.stringify(nodes, null, 2);
}
