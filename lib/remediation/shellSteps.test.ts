import { describe, expect, it } from 'vitest';
import { buildPlan } from './plan';
import { DROP_IN_CONTENT } from './dropIn';
import { buildReport } from '../report/fixtures';
import { planShellSteps } from './shellSteps';

const DROP_IN = '/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf';

describe('planShellSteps', () => {
  it('gives each step of a real plan its shell equivalent', () => {
    const report = buildReport({ node: 'n', veths: 2, mismatched: 1, policy: 'persistent' });
    const plan = buildPlan({
      report,
      dropInPath: DROP_IN,
      existingDropIn: null,
      hostLinks: report.veths.map((v) => ({ ifname: v.ifname, mac: v.mac })),
      udevd: { running: true, detail: 'ok' },
      now: '2026-12-03T03:00:00.000Z',
    });
    const steps = planShellSteps(plan);
    expect(steps.map((s) => s.step)).toEqual(['drop-in', 'reload', ...plan.repairs.map(() => 'repair')]);
    expect(steps[0].shell).toBe(`mkdir -p /etc/systemd/network/99-default.link.d && cat > ${DROP_IN} <<'EOF'\n${DROP_IN_CONTENT}EOF`);
    expect(steps[1].shell).toBe('udevadm control --reload');
    const broken = report.veths.find((v) => v.arpStatus === 'mismatch')!;
    expect(steps[2].shell).toBe(`ip link set dev ${broken.ifname} address ${broken.gatewayLladdr}`);
  });

  it('keeps a drop-in that is already there out of the steps', () => {
    expect(
      planShellSteps({ dropIn: { path: DROP_IN, content: 'x', action: 'keep', reason: '' }, reload: { run: false, reason: '' }, repairs: [] }),
    ).toEqual([]);
  });
});
