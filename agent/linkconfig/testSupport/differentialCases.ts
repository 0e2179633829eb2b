// The configurations the differential host test runs against real udev. Each writes .link files and drop-ins
// into the real search path; the test then asks the model and `udevadm test-builtin net_setup_link` about a fresh
// CNI-style veth and requires the same linkFile, MACAddressPolicy and MAC rewrite. `expect` states what the case
// is meant to exercise (on a host whose only link files are Debian's stock ones), so a case that silently stops
// exercising its branch fails too.
import { DEBIAN12_DEFAULT_LINK } from '../../../lib/report/fixtures';

export const ETC = '/etc/systemd/network';
export const RUN = '/run/systemd/network';
export const LOCAL = '/usr/local/lib/systemd/network';
export const USR = '/usr/lib/systemd/network';
export const STOCK = `${USR}/99-default.link`;

export interface CaseContext {
  ifname: string;
  mac: string;
  hostname: string;
  machineId: string;
  release: string;
  architecture: string;
  otherArchitecture: string;
  virtualization: string;
  /** A word of PID 1's command line and one of /proc/cmdline that the other does not have (if any). */
  pid1Word: string | null;
  procWord: string | null;
}

export type CaseFile = { path: string; content: string | Buffer } | { path: string; symlink: string };

export interface DiffCase {
  name: string;
  /** Create the host end with a MAC (addr_assign_type 3), as CNI v1.20.1+ does. */
  hostMac?: string;
  files: (c: CaseContext) => CaseFile[];
  /** Replaces the content of /usr/lib/systemd/network/99-default.link for the case. */
  stockContent?: string;
  /** The case matches on this veth's own name or MAC, so the generic new-veth probe must not be compared. */
  deviceSpecific?: boolean;
  expect?: (c: CaseContext) => { linkFile: string | null; policy: 'persistent' | 'random' | 'none' | null; rewrites: boolean };
}

const link = (match: string, linkSection: string) => `[Match]\n${match}\n\n[Link]\n${linkSection}\n`;
const none = 'MACAddressPolicy=none';
const stockPersistent = (rewrites = true) => () => ({ linkFile: STOCK, policy: 'persistent' as const, rewrites });

/** The stock file these cases start from: the one shared fixture, byte for byte. */
export const DEBIAN_STOCK_99_DEFAULT = DEBIAN12_DEFAULT_LINK;

export const CASES: DiffCase[] = [
  { name: 'stock 99-default.link only', files: () => [], expect: stockPersistent() },
  {
    name: 'drop-in in /etc sets none',
    files: () => [{ path: `${ETC}/99-default.link.d/50-vwt-mac-none.conf`, content: `[Link]\n${none}\n` }],
    expect: () => ({ linkFile: STOCK, policy: 'none', rewrites: false }),
  },
  {
    name: 'drop-in in /run sets none',
    files: () => [{ path: `${RUN}/99-default.link.d/50-vwt.conf`, content: `[Link]\n${none}\n` }],
    expect: () => ({ linkFile: STOCK, policy: 'none', rewrites: false }),
  },
  {
    name: 'drop-in in /usr/local/lib sets none',
    files: () => [{ path: `${LOCAL}/99-default.link.d/50-vwt.conf`, content: `[Link]\n${none}\n` }],
    expect: () => ({ linkFile: STOCK, policy: 'none', rewrites: false }),
  },
  {
    name: 'drop-ins apply in name order across directories, not directory order',
    files: () => [
      { path: `${ETC}/99-default.link.d/10-vwt-a.conf`, content: `[Link]\n${none}\n` },
      { path: `${RUN}/99-default.link.d/20-vwt-b.conf`, content: `[Link]\nMACAddressPolicy=persistent\n` },
    ],
    expect: stockPersistent(),
  },
  {
    name: 'drop-in masked by a same-named /dev/null symlink in /etc',
    files: () => [
      { path: `${RUN}/99-default.link.d/50-vwt.conf`, content: `[Link]\n${none}\n` },
      { path: `${ETC}/99-default.link.d/50-vwt.conf`, symlink: '/dev/null' },
    ],
    expect: stockPersistent(),
  },
  {
    name: 'drop-in masked by a same-named empty file in /run',
    files: () => [
      { path: `${LOCAL}/99-default.link.d/50-vwt.conf`, content: `[Link]\n${none}\n` },
      { path: `${RUN}/99-default.link.d/50-vwt.conf`, content: '' },
    ],
    expect: stockPersistent(),
  },
  {
    name: 'same-named drop-in: /etc replaces /usr/local/lib',
    files: () => [
      { path: `${LOCAL}/99-default.link.d/50-vwt.conf`, content: `[Link]\nMACAddressPolicy=random\n` },
      { path: `${ETC}/99-default.link.d/50-vwt.conf`, content: `[Link]\n${none}\n` },
    ],
    expect: () => ({ linkFile: STOCK, policy: 'none', rewrites: false }),
  },
  {
    name: 'full copy in /etc replaces /usr/lib',
    files: () => [{ path: `${ETC}/99-default.link`, content: link('OriginalName=*', `NamePolicy=keep kernel\n${none}`) }],
    expect: () => ({ linkFile: `${ETC}/99-default.link`, policy: 'none', rewrites: false }),
  },
  {
    name: '/dev/null symlink masks 99-default.link: nothing matches',
    files: () => [{ path: `${ETC}/99-default.link`, symlink: '/dev/null' }],
    expect: () => ({ linkFile: null, policy: null, rewrites: false }),
  },
  {
    name: 'empty file in /run masks 99-default.link',
    files: () => [{ path: `${RUN}/99-default.link`, content: '' }],
    expect: () => ({ linkFile: null, policy: null, rewrites: false }),
  },
  {
    name: 'masked 99-default.link ignores its drop-ins',
    files: () => [
      { path: `${ETC}/99-default.link`, symlink: '/dev/null' },
      { path: `${ETC}/99-default.link.d/50-vwt.conf`, content: `[Match]\nOriginalName=*\n[Link]\n${none}\n` },
    ],
    expect: () => ({ linkFile: null, policy: null, rewrites: false }),
  },
  {
    name: '/run replaces a same-named file in /usr/local/lib',
    files: () => [
      { path: `${LOCAL}/10-vwt-veth.link`, content: link('Driver=veth', 'MACAddressPolicy=random') },
      { path: `${RUN}/10-vwt-veth.link`, content: link('Driver=veth', none) },
    ],
    expect: () => ({ linkFile: `${RUN}/10-vwt-veth.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'files sort by name across directories: /run/05 beats /etc/50',
    files: () => [
      { path: `${ETC}/50-vwt-b.link`, content: link('OriginalName=eni*', none) },
      { path: `${RUN}/05-vwt-a.link`, content: link('OriginalName=eni*', 'MACAddressPolicy=random') },
    ],
    expect: () => ({ linkFile: `${RUN}/05-vwt-a.link`, policy: 'random', rewrites: false }),
  },
  {
    name: 'earlier Driver=veth file wins (Flatcar 50-veth.link)',
    files: () => [{ path: `${ETC}/50-veth.link`, content: '# Prevent systemd-networkd from handling the MACAddresses of veth devices\n[Match]\nDriver=veth\n\n[Link]\nMACAddressPolicy=none\n' }],
    expect: () => ({ linkFile: `${ETC}/50-veth.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'Kind=veth (a 251+ key)',
    files: () => [{ path: `${ETC}/10-vwt-kind.link`, content: link('Kind=veth', none) }],
    expect: () => ({ linkFile: `${ETC}/10-vwt-kind.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'Type=ether with MACAddressPolicy=random leaves a random MAC alone',
    files: () => [{ path: `${ETC}/10-vwt-type.link`, content: link('Type=ether', 'MACAddressPolicy=random') }],
    expect: () => ({ linkFile: `${ETC}/10-vwt-type.link`, policy: 'random', rewrites: false }),
  },
  {
    name: 'Type=!ether does not match a veth',
    files: () => [{ path: `${ETC}/10-vwt-type.link`, content: link('Type=!ether', none) }],
    expect: stockPersistent(),
  },
  {
    name: 'OriginalName glob',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: link('OriginalName=eni*', none) }],
    expect: () => ({ linkFile: `${ETC}/10-vwt.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'OriginalName list with ? and [] globs',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: link('OriginalName=foo0 bar* en[hi]???????????? eni[0-9a-f]*', none) }],
    expect: () => ({ linkFile: `${ETC}/10-vwt.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'OriginalName negation excludes the veth',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: link('OriginalName=!eni*', none) }],
    expect: stockPersistent(),
  },
  {
    name: 'OriginalName negation of something else matches',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: link('OriginalName=!foo* !bar*', none) }],
    expect: () => ({ linkFile: `${ETC}/10-vwt.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'OriginalName positive glob with a negated exact name',
    deviceSpecific: true,
    files: (c) => [{ path: `${ETC}/10-vwt.link`, content: link(`OriginalName=eni* !${c.ifname}`, none) }],
    expect: stockPersistent(),
  },
  {
    name: 'repeated OriginalName= accumulate',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: link('OriginalName=nomatch*\nOriginalName=eni*', none) }],
    expect: () => ({ linkFile: `${ETC}/10-vwt.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'empty OriginalName= resets the list',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: link('OriginalName=eni*\nOriginalName=\nOriginalName=nomatch*', none) }],
    expect: stockPersistent(),
  },
  {
    name: 'MACAddress= matches the current MAC (dot notation)',
    deviceSpecific: true,
    files: (c) => {
      const h = c.mac.replace(/:/g, '');
      return [{ path: `${ETC}/10-vwt.link`, content: link(`MACAddress=02:00:00:00:00:01 ${h.slice(0, 4)}.${h.slice(4, 8)}.${h.slice(8)}`, none) }];
    },
    expect: () => ({ linkFile: `${ETC}/10-vwt.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'MACAddress= of another device does not match',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: link('MACAddress=02:00:00:00:00:01', none) }],
    expect: stockPersistent(),
  },
  {
    name: 'PermanentMACAddress= never matches a veth (it has none)',
    deviceSpecific: true,
    files: (c) => [{ path: `${ETC}/10-vwt.link`, content: link(`PermanentMACAddress=${c.mac}`, none) }],
    expect: stockPersistent(),
  },
  {
    name: 'Property=ID_NET_DRIVER=veth',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: link('Property=ID_NET_DRIVER=veth', none) }],
    expect: () => ({ linkFile: `${ETC}/10-vwt.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'Property= negated and quoted',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: link('Property=!"INTERFACE=eni*"', none) }],
    expect: stockPersistent(),
  },
  {
    name: 'Host= this hostname (case-insensitive glob)',
    files: (c) => [{ path: `${ETC}/10-vwt.link`, content: link(`Host=${c.hostname.toUpperCase().slice(0, -1)}*`, none) }],
    expect: () => ({ linkFile: `${ETC}/10-vwt.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'Host= another hostname: conditions fail, the file is skipped',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: link('OriginalName=*\nHost=vwt-not-this-host', none) }],
    expect: stockPersistent(),
  },
  {
    name: 'Host= this machine ID, as a bare condition (no other match keys)',
    files: (c) => [{ path: `${ETC}/10-vwt.link`, content: link(`Host=${c.machineId}`, none) }],
    expect: () => ({ linkFile: `${ETC}/10-vwt.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'KernelVersion= ordering comparisons',
    files: () => [
      { path: `${ETC}/10-vwt-a.link`, content: link('OriginalName=*\nKernelVersion=<2.0', 'MACAddressPolicy=random') },
      { path: `${ETC}/20-vwt-b.link`, content: link('OriginalName=*\nKernelVersion=>=3.0 "<999"', none) },
    ],
    expect: () => ({ linkFile: `${ETC}/20-vwt-b.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'KernelVersion= string equality (252) and glob',
    files: (c) => [
      { path: `${ETC}/10-vwt-a.link`, content: link(`OriginalName=*\nKernelVersion==${c.release}x`, 'MACAddressPolicy=random') },
      { path: `${ETC}/20-vwt-b.link`, content: link(`OriginalName=*\nKernelVersion=${c.release.slice(0, 2)}*`, none) },
    ],
    expect: () => ({ linkFile: `${ETC}/20-vwt-b.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'Architecture= another architecture, then this one',
    files: (c) => [
      { path: `${ETC}/10-vwt-a.link`, content: link(`OriginalName=*\nArchitecture=${c.otherArchitecture}`, 'MACAddressPolicy=random') },
      { path: `${ETC}/20-vwt-b.link`, content: link(`OriginalName=*\nArchitecture=${c.architecture}`, none) },
    ],
    expect: () => ({ linkFile: `${ETC}/20-vwt-b.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'Virtualization= category and negation',
    files: (c) => {
      const cat = c.virtualization === 'none' ? 'no' : ['docker', 'podman', 'lxc', 'systemd-nspawn', 'openvz', 'lxc-libvirt', 'rkt', 'wsl', 'proot', 'pouch', 'container-other'].includes(c.virtualization) ? 'container' : 'vm';
      return [
        { path: `${ETC}/10-vwt-a.link`, content: link(`OriginalName=*\nVirtualization=!${cat}`, 'MACAddressPolicy=random') },
        { path: `${ETC}/20-vwt-b.link`, content: link(`OriginalName=*\nVirtualization=${cat}`, none) },
      ];
    },
    expect: () => ({ linkFile: `${ETC}/20-vwt-b.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'KernelCommandLine= word only PID 1 has (udev reads PID 1 in a container)',
    files: (c) => [{ path: `${ETC}/10-vwt.link`, content: link(`OriginalName=*\nKernelCommandLine=${c.pid1Word ?? c.procWord ?? 'vwt-none'}`, none) }],
  },
  {
    name: 'KernelCommandLine= word only /proc/cmdline has',
    files: (c) => [{ path: `${ETC}/10-vwt.link`, content: link(`OriginalName=*\nKernelCommandLine=${c.procWord ?? 'vwt-none'}`, none) }],
  },
  {
    name: 'KernelCommandLine= absent word',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: link('OriginalName=*\nKernelCommandLine=vwt.absent-flag', none) }],
    expect: stockPersistent(),
  },
  {
    name: 'missing [Match] section: ignored',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: `[Link]\n${none}\n` }],
    expect: stockPersistent(),
  },
  {
    name: 'empty [Match] section (comments only): ignored',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: `[Match]\n# OriginalName=*\n\n[Link]\n${none}\n` }],
    expect: stockPersistent(),
  },
  {
    name: '[Match] with only invalid values counts as empty',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: link('OriginalName=a/b 12345 all\nMACAddress=zz:zz\nName=eni*', none) }],
    expect: stockPersistent(),
  },
  {
    name: 'drop-in supplies the [Match] of a file that has none',
    files: () => [
      { path: `${ETC}/10-vwt.link`, content: `[Link]\n${none}\n` },
      { path: `${LOCAL}/10-vwt.link.d/match.conf`, content: '[Match]\nDriver=veth\n' },
    ],
    expect: () => ({ linkFile: `${ETC}/10-vwt.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'malformed section header makes the whole file unusable',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: `[Match\nDriver=veth\n[Link]\n${none}\n` }],
    expect: stockPersistent(),
  },
  {
    name: 'a malformed drop-in makes its .link file unusable',
    files: () => [
      { path: `${ETC}/10-vwt.link`, content: link('Driver=veth', none) },
      { path: `${ETC}/10-vwt.link.d/bad.conf`, content: '[Link\nMACAddressPolicy=random\n' },
    ],
    expect: stockPersistent(),
  },
  {
    name: 'invalid UTF-8 in a value is fatal, in a comment it is not',
    files: () => [
      { path: `${ETC}/10-vwt-a.link`, content: Buffer.concat([Buffer.from('[Match]\nDriver=veth\nDescription=\xff'), Buffer.from([0xff, 0x0a]), Buffer.from(`[Link]\n${none}\n`)]) },
      { path: `${ETC}/20-vwt-b.link`, content: Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9, 0x0a]), Buffer.from('[Match]\nDriver=veth\n[Link]\nMACAddressPolicy=random\n')]) },
    ],
    expect: () => ({ linkFile: `${ETC}/20-vwt-b.link`, policy: 'random', rewrites: false }),
  },
  {
    name: 'tolerated junk: unknown keys and sections, lines without =, assignments outside sections',
    files: () => [
      {
        path: `${ETC}/10-vwt.link`,
        content: 'Driver=veth\n[Match]\nthis line has no equals sign\nFrobnicate=yes\n=novalue\nX-Vendor=1\nDriver=veth\n[Bogus]\nMACAddressPolicy=random\n[Link]\nMACAddressPolicy=none\n',
      },
    ],
    expect: () => ({ linkFile: `${ETC}/10-vwt.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'whitespace, ; and # comments, CRLF, line continuation with a comment inside',
    files: () => [
      {
        path: `${ETC}/10-vwt.link`,
        content: '\ufeff  [Match]  \r\n ; comment\r\n\t# another\r\nOriginalName = foo0 \\\r\n# skipped inside the continuation\r\n   bar* \\\r\n eni*   \r\n[Link]\r\n  MACAddressPolicy =   none  \r\n',
      },
    ],
    expect: () => ({ linkFile: `${ETC}/10-vwt.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'repeated MACAddressPolicy=: last valid one wins, invalid and empty values',
    files: () => [
      { path: `${ETC}/10-vwt-a.link`, content: link('Driver=veth', 'MACAddressPolicy=none\nMACAddressPolicy=Persistent') },
      { path: `${ETC}/10-vwt-a.link.d/x.conf`, content: '[Link]\nMACAddressPolicy=persistent\nMACAddressPolicy=\n' },
    ],
    expect: () => ({ linkFile: `${ETC}/10-vwt-a.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'static MAC: MACAddress= with policy none rewrites',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: link('Driver=veth', `${none}\nMACAddress=02:11:22:33:44:55`) }],
    expect: () => ({ linkFile: `${ETC}/10-vwt.link`, policy: 'none', rewrites: true }),
  },
  {
    name: 'static MAC without a policy; multicast bit gets cleared',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: link('Driver=veth', 'MACAddress=03:11:22:33:44:66') }],
    expect: () => ({ linkFile: `${ETC}/10-vwt.link`, policy: 'none', rewrites: true }),
  },
  {
    name: 'static MAC refused: broadcast, then IPv4-length',
    files: () => [
      { path: `${ETC}/10-vwt.link`, content: link('Driver=veth', 'MACAddress=ff:ff:ff:ff:ff:ff') },
      { path: `${ETC}/10-vwt.link.d/x.conf`, content: '[Link]\nMACAddress=192.168.0.1\n' },
    ],
    expect: () => ({ linkFile: `${ETC}/10-vwt.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'MACAddress= ignored with policy persistent',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: link('Driver=veth', 'MACAddressPolicy=persistent\nMACAddress=02:11:22:33:44:55') }],
    expect: () => ({ linkFile: `${ETC}/10-vwt.link`, policy: 'persistent', rewrites: true }),
  },
  {
    name: 'veth created with a MAC (aat 3): stock policy leaves it',
    hostMac: '02:5e:aa:bb:cc:01',
    files: () => [],
    expect: stockPersistent(false),
  },
  {
    name: 'veth created with a MAC (aat 3): a static MACAddress= still rewrites it',
    hostMac: '02:5e:aa:bb:cc:02',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: link('Driver=veth', 'MACAddress=02:11:22:33:44:77') }],
    expect: () => ({ linkFile: `${ETC}/10-vwt.link`, policy: 'none', rewrites: true }),
  },
  {
    name: 'hidden and backup files are not read',
    files: () => [
      { path: `${ETC}/.10-vwt.link`, content: link('Driver=veth', none) },
      { path: `${ETC}/11-vwt.link.dpkg-new`, content: link('Driver=veth', none) },
      { path: `${ETC}/99-default.link.d/.hidden.conf`, content: `[Link]\n${none}\n` },
    ],
    expect: stockPersistent(),
  },
  {
    name: 'admin edited /usr/lib/systemd/network/99-default.link in place',
    stockContent: DEBIAN_STOCK_99_DEFAULT.replace('MACAddressPolicy=persistent', 'MACAddressPolicy=none'),
    files: () => [],
    expect: () => ({ linkFile: STOCK, policy: 'none', rewrites: false }),
  },
  {
    name: 'an inline "comment" is part of the value (invalid policy ignored, default none)',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: link('OriginalName=eni* # all pod veths', 'MACAddressPolicy=random # randomise') }],
    expect: () => ({ linkFile: `${ETC}/10-vwt.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'a comment after a section header makes it invalid: file unusable',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: `[Match] # veths\nDriver=veth\n[Link]\n${none}\n` }],
    expect: stockPersistent(),
  },
  {
    name: 'section names are case-sensitive: [match] is an unknown section',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: `[match]\nDriver=veth\n[Link]\n${none}\n` }],
    expect: stockPersistent(),
  },
  {
    name: 'OriginalName= drops a backslash (still a glob), Driver= keeps it (literal)',
    files: () => [
      { path: `${ETC}/10-vwt-a.link`, content: link('Driver=vet\\*', 'MACAddressPolicy=random') },
      { path: `${ETC}/20-vwt-b.link`, content: link('OriginalName=eni\\*', none) },
    ],
    expect: () => ({ linkFile: `${ETC}/20-vwt-b.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'Property= on the ifindex and an empty Host= that removes the condition',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: link('Property=IFINDEX=[0-9]*\nHost=vwt-not-this-host\nHost=', none) }],
    expect: () => ({ linkFile: `${ETC}/10-vwt.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'a symlinked .link file is named by its link path',
    files: () => [
      { path: `${RUN}/targets/veth-policy`, content: link('Driver=veth', none) },
      { path: `${ETC}/10-vwt.link`, symlink: `${RUN}/targets/veth-policy` },
    ],
    expect: () => ({ linkFile: `${ETC}/10-vwt.link`, policy: 'none', rewrites: false }),
  },
  {
    name: 'a directory named like a .link file hides a same-named file and is unusable itself',
    files: () => [
      { path: `${ETC}/10-vwt.link/placeholder`, content: 'x' },
      { path: `${RUN}/10-vwt.link`, content: link('Driver=veth', none) },
    ],
    expect: stockPersistent(),
  },
  {
    name: 'a dangling .link symlink hides a same-named file',
    files: () => [
      { path: `${ETC}/10-vwt.link`, symlink: '/nonexistent/vwt.link' },
      { path: `${RUN}/10-vwt.link`, content: link('Driver=veth', none) },
    ],
    expect: stockPersistent(),
  },
  {
    name: 'a dangling drop-in symlink is skipped and still hides a same-named drop-in',
    files: () => [
      { path: `${ETC}/99-default.link.d/50-vwt.conf`, symlink: '/nonexistent/vwt.conf' },
      { path: `${RUN}/99-default.link.d/50-vwt.conf`, content: `[Link]\n${none}\n` },
    ],
    expect: stockPersistent(),
  },
  {
    name: 'a directory named like a drop-in makes 99-default.link unusable',
    files: () => [{ path: `${ETC}/99-default.link.d/50-vwt.conf/placeholder`, content: 'x' }],
    expect: () => ({ linkFile: null, policy: null, rewrites: false }),
  },
  {
    name: 'quoted Driver= list',
    files: () => [{ path: `${ETC}/10-vwt.link`, content: link(`Driver="foo bar" 've'th`, none) }],
    expect: () => ({ linkFile: `${ETC}/10-vwt.link`, policy: 'none', rewrites: false }),
  },
];
