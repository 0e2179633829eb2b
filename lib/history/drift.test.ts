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

  it('names a policy change after a package install, picking the nearest preceding action of the owning package', () => {
    const policy = storedEvent(20, 'policy.changed', '2026-11-26T12:00:00.000Z', { from: verdict('none'), to: verdict('persistent') });
    const findings = deriveDrift([policy], {
      owners: new Map([[PATH, 'udev']]),
      packageEvents: [
        pkg(10, '2026-11-25T09:00:00.000Z', { toVersion: '249.11-0ubuntu3.10' }),
        pkg(11, '2026-11-26T10:15:00.000Z'),
        pkg(12, '2026-11-26T11:00:00.000Z', { package: 'openssl', toVersion: '3.0.2' }),
        pkg(13, '2026-11-26T13:00:00.000Z', { toVersion: 'later' }),
      ],
    });
    expect(findings).toEqual([
      {
        kind: 'policy-changed',
        eventId: 20,
        at: '2026-11-26T12:00:00.000Z',
        path: PATH,
        message: 'policy for new veths went from none to persistent after `udev` 249.11-0ubuntu3.12 was installed at 2026-11-26T10:15:00.000Z',
        from: 'none',
        to: 'persistent',
        attributedTo: { package: 'udev', version: '249.11-0ubuntu3.12', action: 'install', at: '2026-11-26T10:15:00.000Z', eventId: 11 },
      },
    ]);
  });

  it('blames nothing outside the window, or when the files involved are known to be unowned', () => {
    const policy = storedEvent(20, 'policy.changed', '2026-11-26T12:00:00.000Z', { from: verdict('persistent'), to: verdict('none', { linkFile: DROPIN }) });
    const old = [pkg(1, '2026-11-24T12:00:00.000Z')];
    expect(deriveDrift([policy], { packageEvents: old, owners: new Map([[PATH, 'udev']]) })[0]).toMatchObject({
      message: 'policy for new veths went from persistent to none',
      attributedTo: null,
    });
    const recent = [pkg(2, '2026-11-26T11:00:00.000Z')];
    expect(deriveDrift([policy], { packageEvents: recent, owners: new Map([[PATH, null], [DROPIN, null]]) })[0].attributedTo).toBeNull();
    // Ownership unknown: the packages that ship .link files are the suspects.
    expect(deriveDrift([policy], { packageEvents: recent })[0].attributedTo?.eventId).toBe(2);
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
    expect(deriveDrift([rewrite], { packageEvents: [] })[0].message).toBe('udev stopped rewriting the MAC of new veths (policy persistent)');
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
