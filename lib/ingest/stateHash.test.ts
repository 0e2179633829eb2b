// The state hash decides which reports are acknowledged without parsing, validation or diffing, so it must never
// call two different states equal (calling equal states different only costs time). The text hash is also what
// lets a body skip JSON.parse: these tests attack it with bodies built to look like a stored one.
import { describe, expect, it } from 'vitest';
import { buildReport, buildVeth, nextReport } from '@/lib/report/fixtures';
import type { Report } from '@/lib/report/schema';
import { reportObjectStateHash, scanReportText, verifiedTextStateHash } from './stateHash';

const text = (r: object) => JSON.stringify(r);
const verified = (r: Report, body = text(r)) => verifiedTextStateHash(body, r);
const scanned = (body: string) => scanReportText(body)?.hash;

describe('scanReportText', () => {
  const a = buildReport({ node: 'n1', veths: 3 });

  it('finds the per-report values', () => {
    const withDrops = { ...a, agent: { ...a.agent, droppedReports: 12 } };
    expect(scanReportText(text(withDrops))).toMatchObject({ reportId: a.reportId, collectedAt: a.collectedAt, node: 'n1', droppedReports: 12 });
    const { droppedReports: _omit, ...agentWithout } = a.agent;
    expect(scanReportText(text({ ...a, agent: agentWithout }))?.droppedReports).toBe(0);
    expect(scanReportText('{"version":1}')).toBeNull();
  });

  it('the same hash for the same state, whatever the id, time and drop count', () => {
    const b = nextReport(a);
    b.agent.droppedReports = 7;
    expect(scanned(text(b))).toBe(verified(a));
  });

  it('a different hash when the state differs, including the node name and the version', () => {
    const h = verified(a);
    const mac = nextReport(a);
    mac.veths[2] = buildVeth({ node: 'n1', index: 2, mismatch: true });
    expect(scanned(text(mac))).not.toBe(h);
    expect(scanned(text({ ...nextReport(a), node: 'n2' }))).not.toBe(h);
    expect(scanned(text({ ...nextReport(a), version: 2 }))).not.toBe(h);
    expect(scanned(text(a).replace('"ok"', '"mismatch"'))).not.toBe(h);
  });

  it('is not fooled by a decoy key placed before the real one', () => {
    const h = verified(a);
    const b = nextReport(a);
    const body = text(b);
    // An extra top-level object carrying its own reportId/collectedAt, ahead of the real keys.
    const decoy = `{"x":{"reportId":"${a.reportId}","collectedAt":"${a.collectedAt}"},${body.slice(1)}`;
    expect(scanned(decoy)).not.toBe(h);
    // The real value escaped so the decoy is the only match.
    const escaped = `{"x":{"reportId":"${b.reportId}"},${body.slice(1).replace(`"${b.reportId}"`, `"\\u0030${b.reportId.slice(1)}"`)}`;
    expect(scanned(escaped)).not.toBe(h);
  });

  it('is not fooled by trailing garbage or a truncated body', () => {
    const h = verified(a);
    const body = text(nextReport(a));
    expect(scanned(`${body} x`)).not.toBe(h);
    expect(scanned(body.slice(0, -1))).not.toBe(h);
  });
});

describe('verifiedTextStateHash', () => {
  const a = buildReport({ node: 'n1', veths: 2 });

  it('is the scan hash when every key is there once with the report values', () => {
    expect(verified(a)).toBe(scanned(text(a)));
    expect(verified(a)?.startsWith('t:')).toBe(true);
  });

  it('is null when a key occurs twice or a value is not where the scan looks', () => {
    const twice = text({ ...a, findings: [{ code: 'c', severity: 'info', message: 'm', path: null }] }).replace(
      '"findings":[',
      `"extra":{"node":"n1"},"findings":[`,
    );
    expect(verifiedTextStateHash(twice, a)).toBeNull();
    const escaped = text(a).replace(`"${a.reportId}"`, `"\\u0030${a.reportId.slice(1)}"`);
    expect(verifiedTextStateHash(escaped, a)).toBeNull();
    expect(verifiedTextStateHash(text(a), { ...a, collectedAt: '2026-01-01T00:00:00+01:00' })).toBeNull();
    const weirdNumber = text(a).replace('"droppedReports":0', '"droppedReports":0e0');
    expect(verifiedTextStateHash(weirdNumber, a)).toBe(scanned(weirdNumber));
    const exponent = text(a).replace('"droppedReports":0', '"droppedReports":1e1');
    expect(verifiedTextStateHash(exponent, { ...a, agent: { ...a.agent, droppedReports: 10 } })).toBeNull();
  });
});

describe('reportObjectStateHash', () => {
  it('ignores reportId, collectedAt and droppedReports; sees everything else', () => {
    const a = buildReport({ veths: 2 });
    const b = nextReport(a);
    b.agent.droppedReports = 4;
    expect(reportObjectStateHash(a)).toBe(reportObjectStateHash(b));
    const c = nextReport(a);
    c.agent.intervalSeconds = 60;
    expect(reportObjectStateHash(c)).not.toBe(reportObjectStateHash(a));
    const d = nextReport(a);
    d.findings = [{ code: 'x', severity: 'warning', message: 'm', path: null }];
    expect(reportObjectStateHash(d)).not.toBe(reportObjectStateHash(a));
    expect(reportObjectStateHash(a)?.startsWith('o:')).toBe(true);
    // The optional v1 additions the cross-node checks read (lib/fleet) are state too.
    for (const extra of [
      { machineIdHash: 'a'.repeat(64) },
      { overlay: { fdb: [{ mac: '0a:00:00:00:00:01', dst: '192.168.1.1', dev: 'flannel.1' }], neighbours: [] } },
      { hostDevices: [{ ifname: 'flannel.1', kind: 'vxlan', role: 'overlay' as const, mac: '0a:00:00:00:00:01', addrAssignType: 3, udevRewritesMac: false, linkFile: null }] },
    ]) {
      expect(reportObjectStateHash({ ...nextReport(a), ...extra })).not.toBe(reportObjectStateHash(a));
    }
  });

  it('is null for bodies that are not report-shaped', () => {
    expect(reportObjectStateHash(null)).toBeNull();
    expect(reportObjectStateHash([1])).toBeNull();
    expect(reportObjectStateHash({ agent: 'x' })).toBeNull();
  });
});
