// The server's preview must carry the id the agent computes on the node, or `--plan-id` refuses the Job (exit 3).
// Here the agent's own planner, given the facts it would read on a real node, is compared with the server's plan
// from the report alone.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildLinkFiles, buildNewVethVerdict, buildReport } from '../report/fixtures';
import type { LinkFileInfo, Report } from '../report/schema';
import { DROP_IN_CONTENT, dropInPath } from './dropIn';
import { buildPlan, planFromReport, planIsEmpty } from './plan';

const NOW = new Date('2026-05-01T00:00:00Z');

function agentPlan(report: Report, existingDropIn: string | null, root = '/host') {
  return buildPlan({
    report,
    dropInPath: dropInPath(root),
    existingDropIn,
    // A real node has more links than the veths: the ENI, loopback, a docker bridge.
    hostLinks: [
      { ifname: 'lo', mac: '00:00:00:00:00:00' },
      { ifname: 'ens5', mac: '0a:1b:2c:3d:4e:5f' },
      ...report.veths.map((v) => ({ ifname: v.ifname, mac: v.mac })),
    ],
    udevd: { running: true, detail: 'udevd answered a ping on /host/run/udev/control' },
    now: NOW.toISOString(),
  });
}

function ourDropIn(content: string | null): LinkFileInfo {
  return {
    path: '/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf',
    kind: 'dropin',
    dropInFor: '99-default.link',
    masked: false,
    maskedBy: null,
    size: DROP_IN_CONTENT.length,
    mtime: NOW.toISOString(),
    sha256: createHash('sha256').update(DROP_IN_CONTENT).digest('hex'),
    package: null,
    differsFromPackage: null,
    macAddressPolicy: 'none',
    macAddress: null,
    content,
  };
}

describe('server-side plan', () => {
  it('has the agent\'s id for a broken node (drop-in to write, pods to repair)', () => {
    const report = buildReport({ node: 'n1', mismatched: 2, veths: 5 });
    const server = planFromReport(report, '/host', NOW);
    const agent = agentPlan(report, null);
    expect(server.id).toBe(agent.id);
    expect(server.repairs).toHaveLength(2);
    expect(server.dropIn.action).toBe('write');
    // Only prose may differ (the server cannot quote the udevd ping).
    expect(server.repairs).toEqual(agent.repairs);
    expect(server.reload.run).toBe(agent.reload.run);
    expect(planIsEmpty(server)).toBe(false);
  });

  it('reads our drop-in from the report, by content or, without it, by hash', () => {
    for (const content of [DROP_IN_CONTENT, null]) {
      const files = [...buildLinkFiles('persistent'), ourDropIn(content)];
      // Drop-in present but new veths still rewritten (e.g. not reloaded): keep it, and repair the pod.
      const report = buildReport({ node: 'n1', mismatched: 1, linkPolicy: { newVeth: buildNewVethVerdict('persistent'), files, packageEvents: [], fragile: [] } });
      const server = planFromReport(report, '/host', NOW);
      expect(server.dropIn.action).toBe('keep');
      expect(server.id).toBe(agentPlan(report, DROP_IN_CONTENT).id);
    }
  });

  it('changes nothing for a healthy node, and the root is part of the id', () => {
    const healthy = buildReport({ node: 'n1', policy: 'none' });
    const plan = planFromReport(healthy, '/host', NOW);
    expect(planIsEmpty(plan)).toBe(true);
    const broken = buildReport({ node: 'n1', mismatched: 1 });
    expect(planFromReport(broken, '/', NOW).id).not.toBe(planFromReport(broken, '/host', NOW).id);
  });
});
