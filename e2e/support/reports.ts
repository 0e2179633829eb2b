// Reports for the three states a node can report itself into, built with the project's schema-checked
// fixtures (lib/report/fixtures), so every one is valid wire format.
import { buildReport, type BuildReportOptions } from '../../lib/report/fixtures';
import type { Report } from '../../lib/report/schema';

type Extra = Omit<BuildReportOptions, 'node' | 'policy' | 'mismatched'>;

/** udev leaves new veth MACs alone (drop-in sets MACAddressPolicy=none) and every pod's gateway entry is right. */
export function healthyReport(node: string, extra: Extra = {}): Report {
  return buildReport({ veths: 2, ...extra, node, policy: 'none' });
}

/** Every pod still fine, but the stock persistent policy will rewrite the MAC of the next veth. */
export function atRiskReport(node: string, extra: Extra = {}): Report {
  return buildReport({ veths: 2, ...extra, node, policy: 'persistent' });
}

/** udev already rewrote some veths: those pods' PERMANENT gateway entries point at a MAC that is gone. */
export function brokenReport(node: string, mismatched = 1, extra: Extra = {}): Report {
  return buildReport({ veths: 3, ...extra, node, policy: 'persistent', mismatched });
}
