// The fleet table as CSV (RFC 4180) or JSON: exactly the rows the filters leave, in the order shown.
import type { NodeSummary } from '../../lib/nodes/types';

const HEADER = [
  'name',
  'state',
  'state_reason',
  'mac_address_policy',
  'winning_link_file',
  'udev_rewrites_mac',
  'mismatches',
  'veths',
  'os',
  'kernel',
  'systemd',
  'last_report_at',
  'interval_seconds',
  'link_file_package',
  'link_file_package_version',
];

function cell(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function fleetCsv(nodes: readonly NodeSummary[]): string {
  const lines = [HEADER.join(',')];
  for (const n of nodes) {
    lines.push(
      [
        n.name,
        n.state,
        n.stateReason,
        n.policy?.macAddressPolicy ?? null,
        n.policy?.linkFile ?? null,
        n.policy ? n.policy.udevRewritesMac : null,
        n.mismatchCount,
        n.vethCount,
        n.os.prettyName,
        n.os.kernel,
        n.os.systemdVersion,
        n.lastReportAt,
        n.intervalSeconds,
        n.policyPackage?.name ?? null,
        n.policyPackage?.version ?? null,
      ]
        .map(cell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

export function fleetJson(nodes: readonly NodeSummary[]): string {
  return JSON.stringify(nodes, null, 2);
}
