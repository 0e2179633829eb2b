import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { packageEventSchema } from '../../lib/report/schema';
import { Tree } from '../linkconfig/testSupport/tree';
import type { PackageEvent } from '../../lib/report/schema';
import { hostTimeZone, localToIso, MAX_PACKAGE_EVENTS, mergeAptIntoDpkg, parseAptHistory, parseDpkgLog, readPackageEvents, UTC_ZONES } from './packageEvents';

const udevOnly = (p: string) => p === 'udev';

// Real lines from this project's Debian 12 host (/var/log/dpkg.log), plus the remove/purge forms dpkg writes.
const DPKG_LOG = `2025-06-24 14:36:25 startup archives unpack
2025-06-24 14:36:25 upgrade libudev1:amd64 252.36-1~deb12u1 252.38-1~deb12u1
2026-11-26 14:13:44 install udev:amd64 <none> 252.39-1~deb12u2
2026-11-26 14:13:44 status half-installed udev:amd64 252.39-1~deb12u2
2026-11-26 14:14:00 configure udev:amd64 252.39-1~deb12u2 <none>
2026-11-26 14:14:01 status installed udev:amd64 252.39-1~deb12u2
2027-01-02 03:04:05 upgrade udev:amd64 252.39-1~deb12u2 252.40-1~deb12u1
2027-02-01 10:00:00 remove udev:amd64 252.40-1~deb12u1 <none>
2027-02-01 10:00:01 purge udev:amd64 252.40-1~deb12u1 <none>
`;

const APT_HISTORY = `
Start-Date: 2025-06-24  14:36:25
Commandline: apt-get -qqy upgrade
Upgrade: libsystemd0:amd64 (252.36-1~deb12u1, 252.38-1~deb12u1), udev:amd64 (252.36-1~deb12u1, 252.38-1~deb12u1)
End-Date: 2025-06-24  14:36:25

Start-Date: 2026-11-26  14:13:41
Commandline: apt-get install -y udev
Install: libkmod2:amd64 (30+20221128-1, automatic), udev:amd64 (252.39-1~deb12u2)
End-Date: 2026-11-26  14:14:05

Start-Date: 2027-03-01  08:00:00
Commandline: apt-get install udev=252.38-1~deb12u1
Downgrade: udev:amd64 (252.40-1~deb12u1, 252.38-1~deb12u1)
Remove: systemd-timesyncd:amd64 (252.38-1~deb12u1)
End-Date: 2027-03-01  08:00:02
`;

let trees: Tree[] = [];
afterEach(() => {
  for (const t of trees) t.remove();
  trees = [];
});

describe('localToIso', () => {
  it('adds the zone offset of that local time (DST-aware), UTC when the zone is unknown', () => {
    expect(localToIso('2026-11-26', '14:13:44', null)).toBe('2026-11-26T14:13:44+00:00');
    expect(localToIso('2026-07-01', '12:00:00', 'Europe/Berlin')).toBe('2026-07-01T12:00:00+02:00');
    expect(localToIso('2026-01-15', '12:00:00', 'Europe/Berlin')).toBe('2026-01-15T12:00:00+01:00');
    expect(localToIso('2026-01-15', '12:00:00', 'America/St_Johns')).toBe('2026-01-15T12:00:00-03:30');
    expect(localToIso('2026-02-30', '12:00:00', null)).toBeNull();
  });
});

describe('zones taken as UTC without asking ICU', () => {
  it('are zones ICU knows, at offset 0 in every month', () => {
    for (const zone of UTC_ZONES) {
      const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
      for (let month = 0; month < 12; month++) {
        expect(f.format(new Date(Date.UTC(2026, month, 15, 12))), `${zone} in month ${month + 1}`).toMatch(/GMT(\+00:00)?$/);
      }
      expect(localToIso('2026-07-01', '12:00:00', zone)).toBe('2026-07-01T12:00:00+00:00');
    }
  });

  it('do not include a zone with an offset', () => {
    const f = new Intl.DateTimeFormat('en-US', { timeZone: 'Etc/GMT+1', timeZoneName: 'longOffset' });
    expect(f.format(new Date())).toMatch(/GMT-01:00$/);
    expect(UTC_ZONES.has('Etc/GMT+1')).toBe(false);
  });
});

describe('parseDpkgLog', () => {
  it('keeps install/upgrade/remove/purge of the chosen package, with versions', () => {
    const { events, malformed } = parseDpkgLog(DPKG_LOG, null, udevOnly);
    expect(malformed).toBe(0);
    expect(events.map((e) => [e.action, e.fromVersion, e.toVersion])).toEqual([
      ['install', null, '252.39-1~deb12u2'],
      ['upgrade', '252.39-1~deb12u2', '252.40-1~deb12u1'],
      ['remove', '252.40-1~deb12u1', null],
      ['purge', '252.40-1~deb12u1', null],
    ]);
    expect(events[0]).toEqual({ at: '2026-11-26T14:13:44+00:00', action: 'install', package: 'udev', arch: 'amd64', fromVersion: null, toVersion: '252.39-1~deb12u2', source: 'dpkg.log' });
    for (const e of events) expect(packageEventSchema.safeParse(e).success).toBe(true);
  });

  it('counts malformed lines instead of failing', () => {
    expect(parseDpkgLog('2026-11-26 14:13:44 install udev:amd64\n\x00\x01garbage\n2026-13-45 10:00:00 install udev:amd64 <none> 1\n', null, udevOnly)).toEqual({ events: [], malformed: 3 });
  });
});

describe('parseAptHistory', () => {
  it('reads installs, upgrades, downgrades and removals with the block start time', () => {
    const { events, malformed } = parseAptHistory(APT_HISTORY, 'UTC', udevOnly);
    expect(malformed).toBe(0);
    expect(events.map((e) => [e.at, e.action, e.fromVersion, e.toVersion, e.source])).toEqual([
      ['2025-06-24T14:36:25+00:00', 'upgrade', '252.36-1~deb12u1', '252.38-1~deb12u1', 'apt-history'],
      ['2026-11-26T14:13:41+00:00', 'install', null, '252.39-1~deb12u2', 'apt-history'],
      ['2027-03-01T08:00:00+00:00', 'upgrade', '252.40-1~deb12u1', '252.38-1~deb12u1', 'apt-history'],
    ]);
  });
});

describe('parseAptHistory End-Date', () => {
  it('gives each entry the end of its apt run, null when apt never wrote one', () => {
    const text = `Start-Date: 2026-11-26  14:13:41
Install: udev:amd64 (252.39-1~deb12u2)
End-Date: 2026-11-26  14:14:05

Start-Date: 2026-11-27  09:00:00
Remove: udev:amd64 (252.39-1~deb12u2)
`;
    expect(parseAptHistory(text, null, udevOnly).endsAt).toEqual(['2026-11-26T14:14:05+00:00', null]);
  });
});

describe('mergeAptIntoDpkg: one package action in both logs is one event', () => {
  const ev = (source: PackageEvent['source'], at: string, action: PackageEvent['action'], fromVersion: string | null, toVersion: string | null, arch: string | null = 'amd64'): PackageEvent => ({
    at,
    action,
    package: 'udev',
    arch,
    fromVersion,
    toVersion,
    source,
  });
  const START = '2026-11-26T14:13:41+00:00';
  const END = '2026-11-26T14:14:05+00:00';
  const IN_RUN = '2026-11-26T14:13:44+00:00';

  it.each([
    ['an install', ev('apt-history', START, 'install', null, '2'), ev('dpkg.log', IN_RUN, 'install', null, '2')],
    ['an upgrade', ev('apt-history', START, 'upgrade', '1', '2'), ev('dpkg.log', IN_RUN, 'upgrade', '1', '2')],
    ['a downgrade (apt "Downgrade", an upgrade to dpkg)', ev('apt-history', START, 'upgrade', '2', '1'), ev('dpkg.log', IN_RUN, 'upgrade', '2', '1')],
    ['a reinstall (dpkg logs "upgrade v v")', ev('apt-history', START, 'install', null, '2'), ev('dpkg.log', IN_RUN, 'upgrade', '2', '2')],
    ['a removal', ev('apt-history', START, 'remove', '2', null), ev('dpkg.log', IN_RUN, 'remove', '2', null)],
    ['a purge', ev('apt-history', START, 'purge', '2', null), ev('dpkg.log', IN_RUN, 'purge', '2', null)],
  ])('%s: the dpkg.log line is kept, the apt entry dropped', (_what, apt, dpkg) => {
    expect(mergeAptIntoDpkg([dpkg], [apt], [END])).toEqual([dpkg]);
  });

  it.each([
    ['another version', ev('dpkg.log', IN_RUN, 'install', null, '3')],
    ['another arch', ev('dpkg.log', IN_RUN, 'install', null, '2', 'arm64')],
    ['another action', ev('dpkg.log', IN_RUN, 'remove', '2', null)],
    ['a dpkg time before the apt run', ev('dpkg.log', '2026-11-26T14:13:40+00:00', 'install', null, '2')],
    ['a dpkg time after the apt run ended', ev('dpkg.log', '2026-11-26T14:14:06+00:00', 'install', null, '2')],
  ])('%s: two events', (_what, dpkg) => {
    const apt = ev('apt-history', START, 'install', null, '2');
    expect(mergeAptIntoDpkg([dpkg], [apt], [END])).toEqual([dpkg, apt]);
  });

  it('an apt run without an End-Date (interrupted) matches dpkg lines within the hour after its start', () => {
    const apt = ev('apt-history', START, 'install', null, '2');
    const soon = ev('dpkg.log', '2026-11-26T14:40:00+00:00', 'install', null, '2');
    const late = ev('dpkg.log', '2026-11-26T16:00:00+00:00', 'install', null, '2');
    expect(mergeAptIntoDpkg([soon], [apt], [null])).toEqual([soon]);
    expect(mergeAptIntoDpkg([late], [apt], [null])).toEqual([late, apt]);
  });

  it('each line matches one entry: the same action done twice stays two events', () => {
    const apt = ev('apt-history', START, 'install', null, '2');
    const first = ev('dpkg.log', IN_RUN, 'install', null, '2');
    const again = ev('dpkg.log', '2026-11-26T14:14:00+00:00', 'upgrade', '2', '2'); // `dpkg -i` of the same .deb
    expect(mergeAptIntoDpkg([again, first], [apt], [END])).toEqual([again, first]);
    const twoApt = [apt, ev('apt-history', '2026-11-26T14:13:50+00:00', 'install', null, '2')];
    expect(mergeAptIntoDpkg([first], twoApt, [END, END])).toEqual([first, twoApt[1]]);
  });
});

describe('readPackageEvents', () => {
  it('an apt upgrade logged by apt and by dpkg, as Debian writes both, is one event per package action', async () => {
    // apt-get upgrade of udev and libudev1, then apt-get purge of udev: what both logs hold afterwards.
    const t = new Tree()
      .file('/etc/timezone', 'Etc/UTC\n')
      .file(
        '/var/log/dpkg.log',
        `2026-11-26 14:13:43 startup archives unpack
2026-11-26 14:13:44 upgrade libudev1:amd64 252.38-1~deb12u1 252.39-1~deb12u2
2026-11-26 14:13:44 status half-configured libudev1:amd64 252.38-1~deb12u1
2026-11-26 14:13:45 upgrade udev:amd64 252.38-1~deb12u1 252.39-1~deb12u2
2026-11-26 14:13:46 configure udev:amd64 252.39-1~deb12u2 <none>
2026-11-26 14:13:46 status installed udev:amd64 252.39-1~deb12u2
2026-11-27 09:00:01 remove udev:amd64 252.39-1~deb12u2 <none>
2026-11-27 09:00:02 purge udev:amd64 252.39-1~deb12u2 <none>
`,
      )
      .file(
        '/var/log/apt/history.log',
        `
Start-Date: 2026-11-26  14:13:42
Commandline: apt-get -y upgrade
Upgrade: libudev1:amd64 (252.38-1~deb12u1, 252.39-1~deb12u2), udev:amd64 (252.38-1~deb12u1, 252.39-1~deb12u2)
End-Date: 2026-11-26  14:13:47

Start-Date: 2026-11-27  09:00:00
Commandline: apt-get -y purge udev
Purge: udev:amd64 (252.39-1~deb12u2)
End-Date: 2026-11-27  09:00:03
`,
      );
    trees.push(t);
    const { events, findings } = await readPackageEvents(t.root, ['udev', 'libudev1']);
    expect(findings).toEqual([]);
    expect(events.map((e) => `${e.at} ${e.action} ${e.package} ${e.source}`)).toEqual([
      '2026-11-26T14:13:44+00:00 upgrade libudev1 dpkg.log',
      '2026-11-26T14:13:45+00:00 upgrade udev dpkg.log',
      // dpkg removes before it purges: two actions, and apt's Purge entry is the second.
      '2026-11-27T09:00:01+00:00 remove udev dpkg.log',
      '2026-11-27T09:00:02+00:00 purge udev dpkg.log',
    ]);
  });

  it('keeps apt entries whose dpkg.log lines were rotated away', async () => {
    const t = new Tree()
      .file('/var/log/dpkg.log', '2027-01-02 03:04:05 upgrade udev:amd64 252.39-1~deb12u2 252.40-1~deb12u1\n')
      .file('/var/log/apt/history.log', 'Start-Date: 2026-11-26  14:13:41\nInstall: udev:amd64 (252.39-1~deb12u2)\nEnd-Date: 2026-11-26  14:14:05\n');
    trees.push(t);
    const { events } = await readPackageEvents(t.root, ['udev']);
    expect(events.map((e) => `${e.action} ${e.source}`)).toEqual(['install apt-history', 'upgrade dpkg.log']);
  });


  it('reads dpkg.log, dpkg.log.1 and dpkg.log.2.gz and apt history, in the host zone, sorted and de-duplicated', async () => {
    const t = new Tree()
      .symlink('/etc/localtime', '/usr/share/zoneinfo/Europe/Berlin')
      .file('/var/log/dpkg.log', '2027-01-02 03:04:05 upgrade udev:amd64 252.39-1~deb12u2 252.40-1~deb12u1\n')
      .file('/var/log/dpkg.log.1', '2026-11-26 14:13:44 install udev:amd64 <none> 252.39-1~deb12u2\n')
      .file('/var/log/dpkg.log.2.gz', gzipSync('2025-06-24 14:36:25 install udev:amd64 <none> 252.38-1~deb12u1\n2026-11-26 14:13:44 install udev:amd64 <none> 252.39-1~deb12u2\n'))
      .file('/var/log/apt/history.log', APT_HISTORY)
      .file('/var/log/apt/history.log.1.gz', Buffer.from('not gzip at all'));
    trees.push(t);
    expect(await hostTimeZone(t.root)).toBe('Europe/Berlin');
    const { events, findings } = await readPackageEvents(t.root, ['udev']);
    // apt's 2025-06-24 and 2026-11-26 entries are the dpkg.log lines' actions: one event each, from dpkg.log. The
    // 2027-03-01 downgrade has no dpkg.log line (not in these files), so apt's entry stands.
    expect(events.map((e) => `${e.at} ${e.action} ${e.source}`)).toEqual([
      '2025-06-24T14:36:25+02:00 install dpkg.log',
      '2026-11-26T14:13:44+01:00 install dpkg.log',
      '2027-01-02T03:04:05+01:00 upgrade dpkg.log',
      '2027-03-01T08:00:00+01:00 upgrade apt-history',
    ]);
    expect(findings).toEqual([expect.objectContaining({ code: 'package-log-unreadable', path: '/var/log/apt/history.log.1.gz' })]);
  });

  it('keeps only the newest events when there are more than the report allows', async () => {
    const lines = Array.from({ length: MAX_PACKAGE_EVENTS + 5 }, (_, i) => {
      const d = new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString();
      return `${d.slice(0, 10)} ${d.slice(11, 19)} upgrade udev:amd64 1.${i} 1.${i + 1}`;
    });
    const t = new Tree().file('/var/log/dpkg.log', lines.join('\n'));
    trees.push(t);
    const { events } = await readPackageEvents(t.root, ['udev']);
    expect(events).toHaveLength(MAX_PACKAGE_EVENTS);
    expect(events.at(-1)!.toVersion).toBe(`1.${MAX_PACKAGE_EVENTS + 5}`);
    expect(events[0].toVersion).toBe('1.6');
  });

  it('a host without package logs has no events and no findings', async () => {
    const t = new Tree().dir('/var/log');
    trees.push(t);
    expect(await readPackageEvents(t.root, ['udev'])).toEqual({ events: [], findings: [] });
  });
});
