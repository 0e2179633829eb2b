import { describe, expect, it } from 'vitest';
import { buildReport } from '../../lib/report/fixtures';
import type { Report } from '../../lib/report/schema';
import { buildPlan } from '../../lib/remediation/plan';
import { verify } from './verify';

function planFor(report: Report) {
  return buildPlan({
    report,
    dropInPath: '/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf',
    existingDropIn: null,
    hostLinks: report.veths.map((v) => ({ ifname: v.ifname, mac: v.mac })),
    udevd: { running: false, detail: 'udevd not running' },
    now: '2026-11-26T12:00:00.000Z',
  });
}

/** The same node after a successful remediation: policy none, every veth healthy. */
function fixed(before: Report): Report {
  const after = buildReport({ veths: before.veths.length, mismatched: 0, policy: 'none' });
  return { ...after, veths: after.veths.map((v, i) => ({ ...v, ifname: before.veths[i].ifname })) };
}

describe('verify', () => {
  it('passes when new veths are safe and every repaired pod is ok', () => {
    const before = buildReport({ veths: 4, mismatched: 2 });
    const plan = planFor(before);
    const v = verify(plan, fixed(before));
    expect(v).toMatchObject({ ok: true, errors: [] });
    expect(v.repaired.map((r) => r.arpStatusAfter)).toEqual(['ok', 'ok']);
  });

  it('fails when the resolver still says new veths are rewritten (e.g. an overriding drop-in)', () => {
    const before = buildReport({ veths: 2, mismatched: 1 });
    const after = { ...fixed(before), linkPolicy: before.linkPolicy };
    const v = verify(planFor(before), after);
    expect(v.ok).toBe(false);
    expect(v.errors).toEqual([expect.objectContaining({ step: 'verify', hostIfname: null, message: expect.stringContaining('still rewritten') })]);
  });

  it('fails for a repaired pod that is still mismatched, or whose veth vanished', () => {
    const before = buildReport({ veths: 3, mismatched: 2 });
    const plan = planFor(before);
    const [a, b] = plan.repairs.map((r) => r.hostIfname);
    const after = fixed(before);
    after.veths = after.veths
      .filter((v) => v.ifname !== b)
      .map((v) => (v.ifname === a ? { ...v, arpStatus: 'mismatch' as const } : v));
    const v = verify(plan, after);
    expect(v.ok).toBe(false);
    expect(v.errors.map((e) => e.hostIfname).sort()).toEqual([a, b].sort());
    expect(v.repaired.find((r) => r.hostIfname === b)!.arpStatusAfter).toBeNull();
  });

  it('fails when a pod that was healthy is not any more', () => {
    const before = buildReport({ veths: 3, mismatched: 1 });
    const plan = planFor(before);
    const healthy = plan.leaveAlone[0].hostIfname;
    const after = fixed(before);
    after.veths = after.veths.map((v) => (v.ifname === healthy ? { ...v, arpStatus: 'mismatch' as const } : v));
    const v = verify(plan, after);
    expect(v.errors).toEqual([expect.objectContaining({ hostIfname: healthy, message: expect.stringContaining('was healthy') })]);
  });
});
