import { describe, expect, it } from 'vitest';
import { buildReport, buildVeth, DEFAULT_LINK_PATH, MAC_NONE_DROPIN_PATH } from '../report/fixtures';
import { planSchema } from '../report/remediation';
import type { LinkFileInfo, Report, Veth } from '../report/schema';
import { DROP_IN_CONTENT } from './dropIn';
import { buildPlan, CNI_ADVICE, dropInObstacles, type HostLink, type PlanInput } from './plan';

const DROP_IN = '/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf';
const NOT_RUNNING = { running: false, detail: 'udevd not running: no /run/udev/control socket' };
const RUNNING = { running: true, detail: 'udevd answered a ping on /run/udev/control' };

/** Every veth of the report plus a physical NIC, as `ip -j link show` would list the host namespace. */
function linksOf(report: Report, extra: HostLink[] = []): HostLink[] {
  return [{ ifname: 'lo', mac: '00:00:00:00:00:00' }, { ifname: 'ens5', mac: '02:11:22:33:44:55' }, ...report.veths.map((v) => ({ ifname: v.ifname, mac: v.mac })), ...extra];
}

function input(report: Report, over: Partial<PlanInput> = {}): PlanInput {
  return {
    report,
    dropInPath: DROP_IN,
    existingDropIn: null,
    hostLinks: linksOf(report),
    udevd: NOT_RUNNING,
    now: '2026-11-26T12:00:00.000Z',
    ...over,
  };
}

function plan(report: Report, over: Partial<PlanInput> = {}) {
  const p = buildPlan(input(report, over));
  planSchema.parse(p);
  return p;
}

function dropInFile(path: string, policy: string | null): LinkFileInfo {
  return {
    path,
    kind: 'dropin',
    dropInFor: '99-default.link',
    masked: false,
    maskedBy: null,
    size: 30,
    mtime: '2026-01-01T00:00:00.000Z',
    sha256: 'a'.repeat(64),
    package: null,
    differsFromPackage: null,
    macAddressPolicy: policy,
    macAddress: null,
    content: null,
  };
}

describe('buildPlan: drop-in and reload', () => {
  it('does nothing on a healthy node whose new veths are already safe', () => {
    const report = buildReport({ veths: 4, policy: 'none' });
    const p = plan(report);
    expect(p.dropIn.action).toBe('keep');
    expect(p.dropIn.reason).toMatch(/^not needed: new veths are already safe/);
    expect(p.dropIn.reason).toContain(MAC_NONE_DROPIN_PATH);
    expect(p.reload.run).toBe(false);
    expect(p.repairs).toEqual([]);
    expect(p.leaveAlone).toHaveLength(4);
    expect(p.leaveAlone.every((l) => l.reason.startsWith('healthy'))).toBe(true);
    expect(p.warnings).toEqual([]);
    expect(p.advice).toEqual([]);
  });

  it('writes the drop-in when the stock policy rewrites new veths, even if no pod is broken yet', () => {
    const p = plan(buildReport({ veths: 2, policy: 'persistent' }));
    expect(p.dropIn).toMatchObject({ path: DROP_IN, action: 'write', content: DROP_IN_CONTENT });
    expect(p.dropIn.content).toMatch(/^\[Link\]\nMACAddressPolicy=none\n$/m);
    expect(p.dropIn.reason).toContain(DEFAULT_LINK_PATH);
    expect(p.dropIn.reason).toContain('persistent');
    expect(p.repairs).toEqual([]);
    expect(p.advice).toEqual([CNI_ADVICE]);
  });

  it('reloads udevd only when it answers, and says why it skipped otherwise', () => {
    const report = buildReport({ policy: 'persistent' });
    expect(plan(report, { udevd: RUNNING }).reload).toEqual({ run: true, reason: expect.stringContaining('answered a ping') });
    const skipped = plan(report, { udevd: NOT_RUNNING }).reload;
    expect(skipped.run).toBe(false);
    expect(skipped.reason).toMatch(/^skipped: udevd not running/);
  });

  it('keeps our own drop-in and does not reload when it is already in place and effective', () => {
    const p = plan(buildReport({ policy: 'none' }), { existingDropIn: DROP_IN_CONTENT, udevd: RUNNING });
    expect(p.dropIn.action).toBe('keep');
    expect(p.dropIn.reason).toMatch(/^already in place/);
    expect(p.reload).toEqual({ run: false, reason: 'not needed: the drop-in is unchanged' });
  });

  it('replaces a drop-in at our path whose content differs while new veths are unsafe', () => {
    const p = plan(buildReport({ policy: 'persistent' }), { existingDropIn: '[Link]\nMACAddressPolicy=persistent\n' });
    expect(p.dropIn.action).toBe('write');
    expect(p.dropIn.reason).toContain('replaces the different content');
  });

  it('warns up front when a later-sorting drop-in would override ours', () => {
    const base = buildReport({ policy: 'persistent' });
    const report: Report = {
      ...base,
      linkPolicy: { ...base.linkPolicy, files: [...base.linkPolicy.files, dropInFile('/etc/systemd/network/99-default.link.d/99-zz-persistent.conf', 'persistent')] },
    };
    expect(dropInObstacles(report)).toEqual([expect.stringContaining('99-zz-persistent.conf sorts after 50-vethwatch-mac-none.conf')]);
    const p = plan(report);
    expect(p.dropIn.action).toBe('write');
    expect(p.warnings).toEqual([expect.stringMatching(/^new veths will still be rewritten: .*99-zz-persistent\.conf/)]);
  });

  it('does not count earlier-sorting or policy-less drop-ins as obstacles', () => {
    const base = buildReport({ policy: 'persistent' });
    const report: Report = {
      ...base,
      linkPolicy: {
        ...base.linkPolicy,
        files: [
          ...base.linkPolicy.files,
          dropInFile('/etc/systemd/network/99-default.link.d/10-early.conf', 'persistent'),
          dropInFile('/etc/systemd/network/99-default.link.d/90-names.conf', null),
          dropInFile('/run/systemd/network/99-default.link.d/95-none.conf', 'none'),
        ],
      },
    };
    expect(dropInObstacles(report)).toEqual([]);
  });

  it('keeps our drop-in but warns when it is in place and new veths are still rewritten', () => {
    const base = buildReport({ policy: 'persistent' });
    const ours = dropInFile(DROP_IN, 'none');
    const later = dropInFile('/etc/systemd/network/99-default.link.d/99-zz.conf', 'persistent');
    const report: Report = {
      ...base,
      linkPolicy: {
        ...base.linkPolicy,
        newVeth: { ...base.linkPolicy.newVeth, dropIns: [ours.path, later.path] },
        files: [...base.linkPolicy.files, ours, later],
      },
    };
    const p = plan(report, { existingDropIn: DROP_IN_CONTENT, udevd: RUNNING });
    expect(p.dropIn.action).toBe('keep');
    expect(p.dropIn.reason).toMatch(/^already in place, but/);
    expect(p.reload.run).toBe(false);
    expect(p.warnings.join('\n')).toContain('99-zz.conf');
  });

  it('warns when new veths match another .link file, which a 99-default.link drop-in cannot change', () => {
    const base = buildReport({ policy: 'persistent' });
    const report: Report = {
      ...base,
      linkPolicy: { ...base.linkPolicy, newVeth: { ...base.linkPolicy.newVeth, linkFile: '/etc/systemd/network/10-veth.link' } },
    };
    const p = plan(report);
    expect(p.warnings).toEqual([expect.stringContaining('new veths match /etc/systemd/network/10-veth.link, not 99-default.link')]);
  });
});

describe('buildPlan: pods', () => {
  it('repairs each mismatched pod by giving its host veth back the MAC the pod expects', () => {
    const report = buildReport({ veths: 5, mismatched: 2, policy: 'persistent' });
    const broken = report.veths.filter((v) => v.arpStatus === 'mismatch');
    const p = plan(report);
    expect(p.repairs).toHaveLength(2);
    for (const v of broken) {
      const r = p.repairs.find((x) => x.hostIfname === v.ifname)!;
      expect(r).toMatchObject({
        method: 'set-host-mac',
        from: v.mac,
        to: v.gatewayLladdr,
        netns: v.netns,
        pod: v.pod,
        podIP: v.podIP,
        command: ['ip', 'link', 'set', 'dev', v.ifname, 'address', v.gatewayLladdr],
      });
    }
    expect(p.leaveAlone.map((l) => l.hostIfname).sort()).toEqual(report.veths.filter((v) => v.arpStatus === 'ok').map((v) => v.ifname).sort());
    expect(p.advice).toEqual([CNI_ADVICE]);
  });

  it('repairs pods even when new veths are already safe', () => {
    const report = buildReport({ veths: 3, mismatched: 1, policy: 'none' });
    const p = plan(report);
    expect(p.dropIn.action).toBe('keep');
    expect(p.repairs).toHaveLength(1);
  });

  it("falls back to replacing the pod's neighbour entry when another interface has the MAC", () => {
    const report = buildReport({ veths: 3, mismatched: 1 });
    const v = report.veths.find((x) => x.arpStatus === 'mismatch')!;
    const p = plan(report, { hostLinks: linksOf(report, [{ ifname: 'vwtdummy0', mac: v.gatewayLladdr! }]) });
    expect(p.repairs).toEqual([
      expect.objectContaining({
        hostIfname: v.ifname,
        method: 'neigh-replace',
        from: v.gatewayLladdr,
        to: v.mac,
        command: ['ip', '-n', v.netns!, 'neigh', 'replace', '169.254.1.1', 'lladdr', v.mac, 'dev', 'eth0', 'nud', 'permanent'],
      }),
    ]);
    expect(p.repairs[0].reason).toContain('already used by vwtdummy0');
  });

  it('gives a shared old MAC back to one pod only; the next one gets its neighbour entry replaced', () => {
    const a = buildVeth({ node: 'node-1', index: 0, mismatch: true });
    const b = { ...buildVeth({ node: 'node-1', index: 1, mismatch: true }), gatewayLladdr: a.gatewayLladdr };
    const report = buildReport({ veths: [a, b] });
    const p = plan(report);
    const first = [a, b].sort((x, y) => (x.ifname < y.ifname ? -1 : 1))[0];
    expect(p.repairs.map((r) => [r.hostIfname, r.method])).toEqual(
      [a, b].map((v) => [v.ifname, v === first ? 'set-host-mac' : 'neigh-replace']).sort((x, y) => (x[0] < y[0] ? -1 : 1)),
    );
  });

  it('uses neigh-replace for a multicast lladdr, which the kernel refuses as a host MAC', () => {
    const v: Veth = { ...buildVeth({ node: 'node-1', index: 0, mismatch: true }), gatewayLladdr: '01:00:5e:00:00:01' };
    const p = plan(buildReport({ veths: [v] }));
    expect(p.repairs[0].method).toBe('neigh-replace');
    expect(p.repairs[0].reason).toContain('cannot be a host MAC');
  });

  it('leaves a pod broken, with a warning, when the MAC is taken and its namespace cannot be entered by name', () => {
    const v: Veth = { ...buildVeth({ node: 'node-1', index: 0, mismatch: true }), netns: 'net:[4026532245]' };
    const report = buildReport({ veths: [v] });
    const p = plan(report, { hostLinks: linksOf(report, [{ ifname: 'other0', mac: v.gatewayLladdr! }]) });
    expect(p.repairs).toEqual([]);
    expect(p.leaveAlone).toEqual([expect.objectContaining({ hostIfname: v.ifname, arpStatus: 'mismatch' })]);
    expect(p.leaveAlone[0].reason).toContain('no name for ip -n');
    expect(p.warnings).toEqual([expect.stringContaining(`${v.ifname} stays broken`)]);
  });

  it('still repairs a pod in a process-only namespace by MAC, which needs no namespace entry', () => {
    const v: Veth = { ...buildVeth({ node: 'node-1', index: 0, mismatch: true }), netns: 'net:[4026532245]' };
    expect(plan(buildReport({ veths: [v] })).repairs[0].method).toBe('set-host-mac');
  });

  it('leaves alone a healthy veth whose MAC userspace set (aat=3), saying why', () => {
    const v: Veth = { ...buildVeth({ node: 'node-1', index: 0 }), addrAssignType: 3 };
    const p = plan(buildReport({ veths: [v], policy: 'none' }));
    expect(p.repairs).toEqual([]);
    expect(p.leaveAlone).toEqual([{ hostIfname: v.ifname, pod: v.pod, arpStatus: 'ok', reason: expect.stringContaining('addr_assign_type 3') }]);
  });

  it('leaves alone pods with a missing or unreadable gateway entry: not this fault', () => {
    const missing: Veth = { ...buildVeth({ node: 'node-1', index: 0 }), gatewayLladdr: null, gatewayState: null, arpStatus: 'missing' };
    const unknown: Veth = { ...buildVeth({ node: 'node-1', index: 1 }), gatewayLladdr: null, gatewayState: null, arpStatus: 'unknown' };
    const p = plan(buildReport({ veths: [missing, unknown], policy: 'none' }));
    expect(p.repairs).toEqual([]);
    const reasons = Object.fromEntries(p.leaveAlone.map((l) => [l.arpStatus, l.reason]));
    expect(reasons.missing).toContain('no PERMANENT gateway neighbour entry');
    expect(reasons.unknown).toContain('could not be read');
  });
});

describe('plan id', () => {
  it('is the same for the same node state, whatever the report id or time', () => {
    const report = buildReport({ veths: 5, mismatched: 2 });
    const again: Report = { ...structuredClone(report), reportId: crypto.randomUUID() };
    expect(plan(report).id).toBe(plan(again, { now: '2027-01-01T00:00:00.000Z' }).id);
    expect(plan(report).id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes when what the plan would change changes', () => {
    const report = buildReport({ veths: 5, mismatched: 2 });
    const id = plan(report).id;
    expect(plan(buildReport({ veths: 5, mismatched: 3 })).id).not.toBe(id);
    expect(plan(report, { dropInPath: '/host/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf' }).id).not.toBe(id);
    const v = report.veths.find((x) => x.arpStatus === 'mismatch')!;
    expect(plan(report, { hostLinks: linksOf(report, [{ ifname: 'x', mac: v.gatewayLladdr! }]) }).id).not.toBe(id);
  });

  it('does not depend on udevd, which only the host knows: the server previews without it, the agent decides the reload', () => {
    const report = buildReport({ veths: 5, mismatched: 2 });
    const down = plan(report, { udevd: NOT_RUNNING });
    const up = plan(report, { udevd: RUNNING });
    expect(down.reload.run).toBe(false);
    expect(up.reload.run).toBe(true);
    expect(up.id).toBe(down.id);
  });

  it('does not change when a healthy pod comes or goes', () => {
    const report = buildReport({ veths: 5, mismatched: 2 });
    const fewer: Report = { ...report, veths: report.veths.filter((v, i) => v.arpStatus === 'mismatch' || i !== 4) };
    expect(fewer.veths).toHaveLength(4);
    expect(plan(fewer).id).toBe(plan(report).id);
  });
});

describe('buildPlan: a policy udev cannot apply', () => {
  it('keeps, and says the persistent policy is inert rather than calling it safe without explanation', () => {
    const base = buildReport({ policy: 'persistent' });
    const report: Report = { ...base, linkPolicy: { ...base.linkPolicy, newVeth: { ...base.linkPolicy.newVeth, udevRewritesMac: false } } };
    const p = plan(report);
    expect(p.dropIn.action).toBe('keep');
    expect(p.dropIn.reason).toContain('which udev cannot apply here');
  });
});

describe('buildPlan: every static neighbour of the pod (veths[].neighbours)', () => {
  const OLD = '0a:00:00:00:00:01';
  const OTHER = '0a:00:00:00:00:02';
  function brokenWith(neighbours: NonNullable<Veth['neighbours']>) {
    const report = buildReport({ veths: 2, mismatched: 1 });
    const v = report.veths.find((x) => x.arpStatus === 'mismatch')!;
    v.gatewayLladdr = neighbours.find((n) => n.ip === v.gatewayIp)?.lladdr ?? null;
    v.neighbours = neighbours;
    return { report, v };
  }
  const entry = (ip: string, lladdr: string, hostMac: string, state = ['PERMANENT']) => ({ ip, lladdr, state, matchesHost: lladdr === hostMac });

  it('restores the MAC when every PERMANENT entry (IPv4 and IPv6) points at it', () => {
    const { report, v } = brokenWith([]);
    v.neighbours = [entry(v.gatewayIp!, OLD, v.mac), entry('fe80::1234:5678:9abc', OLD, v.mac)];
    v.gatewayLladdr = OLD;
    const p = plan(report);
    expect(p.repairs).toEqual([expect.objectContaining({ hostIfname: v.ifname, method: 'set-host-mac', to: OLD, reason: expect.stringMatching(/all 2 of the pod's PERMANENT entries/) })]);
  });

  it('explains and changes nothing for a veth whose PERMANENT entries disagree', () => {
    const { report, v } = brokenWith([]);
    v.neighbours = [entry(v.gatewayIp!, v.mac, v.mac), entry('fe80::1234:5678:9abc', OLD, v.mac)];
    v.gatewayLladdr = v.mac;
    const p = plan(report);
    expect(p.repairs).toEqual([]);
    const left = p.leaveAlone.find((l) => l.hostIfname === v.ifname)!;
    expect(left.reason).toMatch(/PERMANENT entries disagree/);
    expect(p.warnings.some((w) => w.startsWith(`${v.ifname} stays broken`))).toBe(true);
  });

  it('restores the MAC a non-gateway PERMANENT entry points at (Spiderpool-style) when it is the only one', () => {
    const { report, v } = brokenWith([]);
    v.neighbours = [entry('10.6.0.1', OLD, v.mac)];
    v.gatewayLladdr = null;
    expect(plan(report).repairs).toEqual([expect.objectContaining({ method: 'set-host-mac', to: OLD })]);
  });

  it('does not fall back to a neighbour replace that would fix only the gateway of several pinned entries', () => {
    const { report, v } = brokenWith([]);
    v.neighbours = [entry(v.gatewayIp!, OTHER, v.mac), entry('fe80::1', OTHER, v.mac)];
    v.gatewayLladdr = OTHER;
    const p = plan(report, { hostLinks: linksOf(report, [{ ifname: 'vwtdummy0', mac: OTHER }]) });
    expect(p.repairs).toEqual([]);
    expect(p.leaveAlone.find((l) => l.hostIfname === v.ifname)!.reason).toMatch(/more than the gateway entry/);
  });

  it('keeps the old rule for a report from an agent that sends no neighbour list', () => {
    const report = buildReport({ veths: 2, mismatched: 1 });
    const v = report.veths.find((x) => x.arpStatus === 'mismatch')!;
    expect(v.neighbours).toBeUndefined();
    expect(plan(report).repairs).toEqual([expect.objectContaining({ method: 'set-host-mac', to: v.gatewayLladdr })]);
  });
});
