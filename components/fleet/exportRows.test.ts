// The fleet CSV the browser builds goes through the one CSV writer, so node-supplied text cannot become a formula.
import { describe, expect, it } from 'vitest';
import type { NodeSummary } from '../../lib/nodes/types';
import { fleetCsv } from './exportRows';

function node(overrides: Partial<NodeSummary>): NodeSummary {
  return {
    name: 'ip-10-0-0-1',
    state: 'healthy',
    stateReason: 'ok',
    policy: null,
    mismatchCount: 0,
    vethCount: 3,
    os: { prettyName: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0', systemdVersion: 252 },
    lastReportAt: '2026-01-01T00:00:00.000Z',
    intervalSeconds: 15,
    policyPackage: null,
    ...overrides,
  } as NodeSummary;
}

describe('fleetCsv', () => {
  it('writes the header and one CRLF record per node', () => {
    const lines = fleetCsv([node({})]).split('\r\n');
    expect(lines[0]).toBe(
      'name,state,state_reason,mac_address_policy,winning_link_file,udev_rewrites_mac,mismatches,veths,os,kernel,systemd,last_report_at,interval_seconds,link_file_package,link_file_package_version',
    );
    expect(lines[1]).toBe('ip-10-0-0-1,healthy,ok,,,,0,3,Debian GNU/Linux 12 (bookworm),6.1.0,252,2026-01-01T00:00:00.000Z,15,,');
    expect(lines[2]).toBe('');
  });

  it('neutralises node-supplied text that starts like a formula (OS name, kernel, package version)', () => {
    const csv = fleetCsv([
      node({
        os: { prettyName: '=HYPERLINK("http://evil","click")', kernel: '+6.1', systemdVersion: 252 },
        policyPackage: { name: '@pkg', version: '-1' },
      } as Partial<NodeSummary>),
    ]);
    const record = csv.split('\r\n')[1];
    expect(record).toContain(`"'=HYPERLINK(""http://evil"",""click"")"`);
    expect(record).toContain(",'+6.1,");
    expect(record.endsWith(",'@pkg,'-1")).toBe(true);
  });
});
