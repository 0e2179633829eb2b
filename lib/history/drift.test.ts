import { describe, expect, it } from 'vitest';
import type { LinkFileVersion } from '../events/types';
import type { LinkVerdict, PackageEvent } from '../report/schema';
import { deriveDrift } from './drift';
import { storedEvent } from './testing/events';

const PATH = '/usr/lib/systemd/network/99-default.link';
const DROPIN = '/etc/systemd/network/99-default.link.d/50-mac-none.conf';

function version(over: Partial<LinkFileVersion> = {}): LinkFileVersion {
  return {
    sha256: 'a'.repeat(64),
    size: 100,
    mtime: '2025-06-26T17:01:45.000Z',
    content: '[Link]\nMACAddressPolicy=persistent\n',
    macAddressPolicy: 'persistent',
    masked: false,
    package: { name: 'udev', version: '249.11-0ubuntu3.11' },
    differsFromPackage: false,
    ...over,
  };
}

function verdict(policy: LinkVerdict['macAddressPolicy'], over: Partial<LinkVerdict> = {}): LinkVerdict {
  return { linkFile: PATH, dropIns: [], macAddressPolicy: policy, macAddress: null, udevRewritesMac: policy === 'persistent', ...over };
}

function pkg(id: number, at: string, over: Partial<PackageEvent> = {}) {
  const data: PackageEvent = {
    at,
    action: 'install',
    package: 'udev',
    arch: 'amd64',
    fromVersion: null,
    toVersion: '249.11-0ubuntu3.12',
    source: 'dpkg.log',
    ...over,
  };
  return storedEvent(id, 'package.event', at, data, data.package);
}

describe('deriveDrift', () => {
  it('names a content change whose mtime stayed put', () => {
    const changed = storedEvent(5, 'linkfile.changed', '2026-11-26T12:00:00.000Z', { path: PATH, from: version(), to: version({ sha256: 'b'.repeat(64) }) }, PATH);
    const [f] = deriveDrift([changed], { packageEvents: [] });
    expect(f).toMatchObject({ kind: 'content-changed-mtime-unchanged', eventId: 5, path: PATH, attributedTo: null });
    expect(f.message).toBe('content of `99-default.link` changed while its mtime stayed at 2025-06-26T17:01:45.000Z');
  });

  it('names a content change whose mtime went backwards, and blames the package action before it', () => {
    const changed = storedEvent(
      7,
      'linkfile.changed',
      '2026-11-26T12:00:00.000Z',
      { path: PATH, from: version({ mtime: '2026-01-01T00:00:00.000Z' }), to: version({ sha256: 'c'.repeat(64), mtime: '2025-06-26T17:01:45.000Z' }) },
      PATH,
    );
    const [f] = deriveDrift([changed], {
      packageEvents: [pkg(6, '2026-11-26T11:30:00.000Z', { action: 'upgrade', fromVersion: '249.11-0ubuntu3.11' })],
    });
    expect(f.kind).toBe('content-changed-mtime-older');
    expect(f.message).toBe(
      'content of `99-default.link` changed while its mtime went back from 2026-01-01T00:00:00.000Z to 2025-06-26T17:01:45.000Z after `udev` 249.11-0ubuntu3.12 was upgraded at 2026-11-26T11:30:00.000Z',
    );
  });

  it('a content change with a newer mtime is an ordinary edit, not drift', () => {
    const changed = storedEvent(5, 'linkfile.changed', '2026-11-26T12:00:00.000Z', { path: PATH, from: version(), to: version({ sha256: 'b'.repeat(64), mtime: '2026-11-26T11:59:00.000Z' }) }, PATH);
    expect(deriveDrift([changed], { packageEvents: [] })).toEqual([]);
  });

  it('blames a package action on a policy change only when that package owns a file that changed in the same report', () => {
    const policy = storedEvent(20, 'policy.changed', '2026-11-26T12:00:00.000Z', { from: verdict('none'), to: verdict('persistent') });
    const changed = { ...storedEvent(19, 'linkfile.changed', '2026-11-26T12:00:00.000Z', { path: PATH, from: version({ macAddressPolicy: 'none' }), to: version({ sha256: 'b'.repeat(64), mtime: '2026-11-26T10:15:00.000Z' }) }, PATH), reportId: policy.reportId };
    const packageEvents = [
      pkg(10, '2026-11-25T09:00:00.000Z', { toVersion: '249.11-0ubuntu3.10' }),
      pkg(11, '2026-11-26T10:15:00.000Z'),
      pkg(12, '2026-11-26T11:00:00.000Z', { package: 'openssl', toVersion: '3.0.2' }),
      pkg(13, '2026-11-26T13:00:00.000Z', { toVersion: 'later' }),
    ];
    const [f] = deriveDrift([policy, changed], { packageEvents });
    expect(f).toMatchObject({
      kind: 'policy-changed',
      eventId: 20,
      path: PATH,
      message: `policy for new veths went from none to persistent: \`${PATH}\` changed after \`udev\` 249.11-0ubuntu3.12 was installed at 2026-11-26T10:15:00.000Z`,
      attributedTo: { package: 'udev', version: '249.11-0ubuntu3.12', action: 'install', at: '2026-11-26T10:15:00.000Z', eventId: 11 },
      remediation: null,
    });
    expect(f.files).toEqual([expect.objectContaining({ path: PATH, change: 'changed', eventId: 19, package: 'udev' })]);
    // The same policy change with no file change in its report: the upgrade nearby explains nothing.
    expect(deriveDrift([policy], { packageEvents, owners: new Map([[PATH, 'udev']]) })[0]).toMatchObject({
      message: 'policy for new veths went from none to persistent; no link file changed in that report',
      attributedTo: null,
      files: [],
    });
  });

  it('names the removed drop-in, with its diff, and blames no upgrade of a package that does not own it (the 3 a.m. page)', () => {
    const dropIn = '/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf';
    const text = '[Link]\nMACAddressPolicy=none\n';
    const policy = storedEvent(31, 'policy.changed', '2026-11-26T12:00:00.000Z', {
      from: verdict('none', { dropIns: [dropIn], udevRewritesMac: false }),
      to: verdict('persistent'),
    });
    const removed = {
      ...storedEvent(32, 'linkfile.removed', '2026-11-26T12:00:00.000Z', { path: dropIn, ...version({ content: text, macAddressPolicy: 'none', package: null, differsFromPackage: null }) }, dropIn),
      reportId: policy.reportId,
    };
    // udev was upgraded 22 minutes earlier; it owns 99-default.link, which did not change.
    const upgrade = pkg(30, '2026-11-26T11:38:00.000Z', { action: 'upgrade', fromVersion: '249.11-0ubuntu3.11' });
    const [f] = deriveDrift([policy, removed], { packageEvents: [upgrade], owners: new Map([[PATH, 'udev']]) });
    expect(f.kind).toBe('policy-changed');
    expect(f.path).toBe(dropIn);
    expect(f.attributedTo).toBeNull();
    expect(f.message).toBe(`policy for new veths went from none to persistent: \`${dropIn}\` was removed`);
    expect(f.message).not.toContain('udev');
    expect(f.files).toEqual([
      { path: dropIn, change: 'removed', eventId: 32, kind: 'dropin', package: null, diff: `--- a${dropIn}\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-[Link]\n-MACAddressPolicy=none\n` },
    ]);
  });

  it("attributes vethwatch's own drop-in to its remediation (who, when), not to drift or a package", () => {
    const dropIn = '/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf';
    const text = '[Link]\nMACAddressPolicy=none\n';
    const at = '2026-11-26T12:00:00.000Z';
    const policy = storedEvent(41, 'policy.changed', at, { from: verdict('persistent'), to: verdict('none', { dropIns: [dropIn], udevRewritesMac: false }) });
    const appeared = {
      ...storedEvent(42, 'linkfile.appeared', at, { path: dropIn, kind: 'dropin' as const, initial: false, ...version({ content: text, macAddressPolicy: 'none', package: null, differsFromPackage: null }) }, dropIn),
      reportId: policy.reportId,
    };
    const remediation = {
      id: 'rem-1',
      requestedBy: 'alice',
      status: 'verified',
      startedAt: '2026-11-26T11:59:00.000Z',
      finishedAt: '2026-11-26T11:59:02.000Z',
      dropIn: { path: `/host${dropIn}`, content: text, action: 'write' as const },
    };
    const upgrade = pkg(40, '2026-11-26T11:38:00.000Z', { action: 'upgrade' });
    const [f] = deriveDrift([policy, appeared], { packageEvents: [upgrade], owners: new Map([[PATH, 'udev']]), remediations: [remediation] });
    expect(f).toMatchObject({
      kind: 'remediation',
      path: dropIn,
      attributedTo: null,
      remediation: { id: 'rem-1', requestedBy: 'alice', at: '2026-11-26T11:59:02.000Z', status: 'verified' },
      message: `policy for new veths went from persistent to none: \`${dropIn}\` appeared; vethwatch remediation rem-1 (requested by alice) wrote it at 2026-11-26T11:59:02.000Z`,
    });
    expect(f.files[0].diff).toBe(`--- /dev/null\n+++ b${dropIn}\n@@ -0,0 +1,2 @@\n+[Link]\n+MACAddressPolicy=none\n`);
    // A remediation that started after the report, or wrote other content, did not do it.
    for (const other of [{ ...remediation, startedAt: '2026-11-26T12:05:00.000Z' }, { ...remediation, dropIn: { ...remediation.dropIn, content: 'other' } }]) {
      expect(deriveDrift([policy, appeared], { packageEvents: [upgrade], remediations: [other] })[0]).toMatchObject({ kind: 'policy-changed', remediation: null, attributedTo: null });
    }
  });

  it('blames nothing outside the window, or when the files involved are unowned or of unknown ownership', () => {
    const policy = storedEvent(20, 'policy.changed', '2026-11-26T12:00:00.000Z', { from: verdict('persistent'), to: verdict('none', { linkFile: DROPIN }) });
    const changed = (over: Partial<LinkFileVersion>) => ({
      ...storedEvent(21, 'linkfile.changed', '2026-11-26T12:00:00.000Z', { path: PATH, from: version(over), to: version({ ...over, sha256: 'f'.repeat(64) }) }, PATH),
      reportId: policy.reportId,
    });
    const old = [pkg(1, '2026-11-24T12:00:00.000Z')];
    expect(deriveDrift([policy, changed({})], { packageEvents: old })[0].attributedTo).toBeNull();
    const recent = [pkg(2, '2026-11-26T11:00:00.000Z')];
    expect(deriveDrift([policy, changed({})], { packageEvents: recent })[0].attributedTo?.eventId).toBe(2);
    expect(deriveDrift([policy, changed({ package: null })], { packageEvents: recent })[0].attributedTo).toBeNull();
    const { package: _p, ...legacy } = version();
    const unknown = { ...storedEvent(21, 'linkfile.changed', '2026-11-26T12:00:00.000Z', { path: PATH, from: legacy, to: { ...legacy, sha256: 'f'.repeat(64) } }, PATH), reportId: policy.reportId };
    expect(deriveDrift([policy, unknown], { packageEvents: recent })[0].attributedTo).toBeNull();
  });

  it("the node's first verdict is not drift", () => {
    const first = storedEvent(1, 'policy.changed', '2026-11-26T12:00:00.000Z', { from: null, to: verdict('persistent') });
    expect(deriveDrift([first], { packageEvents: [] })).toEqual([]);
  });

  it('says what changed when the policy name stays the same', () => {
    const rewrite = storedEvent(2, 'policy.changed', '2026-11-26T12:00:00.000Z', {
      from: verdict('persistent'),
      to: verdict('persistent', { udevRewritesMac: false }),
    });
    expect(deriveDrift([rewrite], { packageEvents: [] })[0].message).toBe('udev stopped rewriting the MAC of new veths (policy persistent); no link file changed in that report');
  });

  it('names a file starting and stopping to match its package copy', () => {
    const upgraded = storedEvent(
      3,
      'linkfile.changed',
      '2026-11-26T12:00:00.000Z',
      { path: PATH, from: version(), to: version({ differsFromPackage: true, package: { name: 'udev', version: '249.11-0ubuntu3.12' } }) },
      PATH,
    );
    const back = storedEvent(4, 'linkfile.changed', '2026-11-26T13:00:00.000Z', { path: PATH, from: version({ differsFromPackage: true }), to: version() }, PATH);
    const findings = deriveDrift([back, upgraded], { packageEvents: [pkg(1, '2026-11-26T11:00:00.000Z', { action: 'upgrade' })] });
    expect(findings.map((f) => [f.kind, f.from, f.to, f.message])).toEqual([
      [
        'differs-from-package',
        'false',
        'true',
        '`99-default.link` now differs from the copy in package `udev` 249.11-0ubuntu3.12 after `udev` 249.11-0ubuntu3.12 was upgraded at 2026-11-26T11:00:00.000Z',
      ],
      [
        'differs-from-package',
        'true',
        'false',
        '`99-default.link` matches the copy in package `udev` 249.11-0ubuntu3.11 again after `udev` 249.11-0ubuntu3.12 was upgraded at 2026-11-26T11:00:00.000Z',
      ],
    ]);
  });

  it('events stored before ownership was recorded fall back to the owners map', () => {
    const { package: _p, differsFromPackage: _d, ...legacy } = version();
    const changed = storedEvent(5, 'linkfile.changed', '2026-11-26T12:00:00.000Z', { path: PATH, from: legacy, to: { ...legacy, sha256: 'e'.repeat(64) } }, PATH);
    const packageEvents = [pkg(4, '2026-11-26T11:00:00.000Z', { package: 'systemd' })];
    expect(deriveDrift([changed], { packageEvents, owners: new Map([[PATH, 'systemd']]) })[0].attributedTo?.package).toBe('systemd');
    expect(deriveDrift([changed], { packageEvents, owners: new Map([[PATH, null]]) })[0].attributedTo).toBeNull();
  });
});
