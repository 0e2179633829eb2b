import { describe, expect, it } from 'vitest';
import { buildReport, cniVethName, fixtureMac, nextReport } from './fixtures';
import { reportSchema } from './schema';

describe('report fixtures', () => {
  it('builds schema-valid reports with the requested veths and mismatches', () => {
    const r = buildReport({ node: 'ip-10-0-0-1', veths: 110, mismatched: 3 });
    expect(reportSchema.parse(JSON.parse(JSON.stringify(r)))).toEqual(r);
    expect(r.veths).toHaveLength(110);
    expect(r.veths.filter((v) => v.arpStatus === 'mismatch')).toHaveLength(3);
    expect(new Set(r.veths.map((v) => v.ifname)).size).toBe(110);
    for (const v of r.veths.filter((x) => x.arpStatus === 'mismatch')) expect(v.gatewayLladdr).not.toBe(v.mac);
  });

  it('is deterministic apart from reportId and collectedAt', () => {
    const a = buildReport({ node: 'n', veths: 5 });
    const b = buildReport({ node: 'n', veths: 5 });
    expect({ ...a, reportId: '', collectedAt: '' }).toEqual({ ...b, reportId: '', collectedAt: '' });
    expect(a.reportId).not.toBe(b.reportId);
    const next = nextReport(a, 5);
    expect(Date.parse(next.collectedAt) - Date.parse(a.collectedAt)).toBe(5000);
  });

  it('names veths like the VPC CNI and makes locally administered unicast MACs', () => {
    expect(cniVethName('eni', 'default', 'nginx')).toMatch(/^eni[0-9a-f]{11}$/);
    const first = parseInt(fixtureMac('x').slice(0, 2), 16);
    expect(first & 0x02).toBe(2);
    expect(first & 0x01).toBe(0);
  });

  it('a 110-veth report is about the size the stack notes measured (~48 KB)', () => {
    const size = JSON.stringify(buildReport({ veths: 110 })).length;
    expect(size).toBeGreaterThan(30_000);
    expect(size).toBeLessThan(80_000);
  });

  it('throws on an override that breaks the schema', () => {
    expect(() => buildReport({ node: 'not a node name' })).toThrow();
  });
});
