// Remediation of a fragile node: the /etc drop-in is written (as for an at-risk node), the edited package file is
// left alone, and restoring the package's own copy is offered with the exact command, never done.
import { describe, expect, it } from 'vitest';
import { buildLinkFiles, buildNewVethVerdict, buildReport, DEFAULT_LINK_PATH } from '../report/fixtures';
import { planSchema } from '../report/remediation';
import type { FragileFix, Report } from '../report/schema';
import { DROP_IN_CONTENT } from './dropIn';
import { needsRemediation } from './fleet';
import { buildPlan, planFromReport } from './plan';

const DROP_IN = '/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf';
const FIX: FragileFix = {
  kind: 'package-edited',
  path: DEFAULT_LINK_PATH,
  package: { name: 'udev', version: '252.39-1~deb12u2' },
  undoneBy: 'the next upgrade or reinstall of udev restores MACAddressPolicy=persistent',
  message: 'New veths are safe only because ... was edited in place',
};

function fragileReport(fragile: FragileFix[] = [FIX]): Report {
  const [stock] = buildLinkFiles('persistent');
  const edited = { ...stock, differsFromPackage: true, macAddressPolicy: 'none' };
  const newVeth = { ...buildNewVethVerdict('persistent'), macAddressPolicy: 'none' as const, udevRewritesMac: false };
  return buildReport({ veths: 2, linkPolicy: { newVeth, files: [edited], packageEvents: [], fragile } });
}

const plan = (report: Report, existingDropIn: string | null = null) =>
  planSchema.parse(buildPlan({ report, dropInPath: DROP_IN, existingDropIn, hostLinks: [], udevd: { running: false, detail: 'no udevd' }, now: '2026-11-26T12:00:00.000Z' }));

describe('buildPlan: a fragile node', () => {
  it('writes the /etc drop-in, touches nothing under /usr/lib, and says why', () => {
    const p = plan(fragileReport());
    expect(p.dropIn).toMatchObject({ action: 'write', path: DROP_IN, content: DROP_IN_CONTENT });
    expect(p.dropIn.reason).toContain(`${DEFAULT_LINK_PATH} (the next upgrade or reinstall of udev restores MACAddressPolicy=persistent)`);
    expect(p.repairs).toEqual([]);
    expect(JSON.stringify(p)).not.toMatch(/"command":\["(cp|rm|dpkg|apt-get)"/);
  });

  it('says a reinstall is then harmless and offers the exact restore command, not by default', () => {
    const advice = plan(fragileReport()).advice;
    expect(advice).toContain(`${DEFAULT_LINK_PATH} stays as edited; with ${DROP_IN} in place an upgrade or reinstall of udev is now harmless for new veths.`);
    const offer = advice.find((a) => a.startsWith('Optional, not done by remediate'));
    expect(offer).toContain('`apt-get install --reinstall udev=252.39-1~deb12u2`');
    expect(offer).toContain('`dpkg -i /var/cache/apt/archives/udev_<version>_<arch>.deb`');
  });

  it('a node that is only safe (not fragile) still needs nothing', () => {
    const p = plan(fragileReport([]));
    expect(p.dropIn.action).toBe('keep');
    expect(p.advice).toEqual([]);
  });

  it('with our drop-in already there but still fragile, keeps it and warns', () => {
    const p = plan(fragileReport(), DROP_IN_CONTENT);
    expect(p.dropIn.action).toBe('keep');
    expect(p.warnings.join('\n')).toContain('the fix is still fragile');
  });

  it('the server preview plans the same write', () => {
    expect(planFromReport(fragileReport(), '/', new Date('2026-11-26T12:00:00.000Z')).dropIn.action).toBe('write');
  });
});

describe('fix all: a fragile node is among the nodes that need remediation', () => {
  it('by its stored reason, like at-risk and broken nodes', () => {
    expect(needsRemediation({ mismatchCount: 0, policyRewrites: false, fragileReason: 'New veths are safe only because ...' })).toBe(true);
    expect(needsRemediation({ mismatchCount: 0, policyRewrites: false, fragileReason: null })).toBe(false);
  });
});
