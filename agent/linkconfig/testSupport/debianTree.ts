// For unit tests: a Debian 12-like host tree (merged /usr, udev's stock link files, a dpkg database shaped like
// the real one: status stanza, info/udev.list recording /lib paths, info/udev.md5sums).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FIXTURE_LINK_FILES, Tree } from './tree';

export const DEB_FILE = readFileSync(`${FIXTURE_LINK_FILES}/debian12-udev-252.39-99-default.link`);
export const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

export const UDEV_STANZA = `Package: udev
Status: install ok installed
Priority: important
Section: admin
Installed-Size: 10925
Maintainer: Debian systemd Maintainers <pkg-systemd-maintainers@lists.alioth.debian.org>
Architecture: amd64
Multi-Arch: foreign
Source: systemd
Version: 252.39-1~deb12u2
Depends: libacl1 (>= 2.2.23), libblkid1 (>= 2.37.2), libc6 (>= 2.34),
 libkmod2 (>= 15), adduser, libudev1 (= 252.39-1~deb12u2)
Conffiles:
 /etc/init.d/udev e9424814d107af7d8f58a22b1011810a
 /etc/udev/udev.conf 1ee5fd2ee8fa8e1a2e5a37d2b2e9e6a8
Description: /dev/ and hotplug management daemon
 udev is a daemon which dynamically creates and removes device nodes from
 .
 This package contains the udev daemon.
`;

export function debianTree(opts: { editedStock?: string } = {}): Tree {
  return new Tree()
    .mergedUsr()
    .file('/usr/lib/systemd/network/99-default.link', opts.editedStock ?? DEB_FILE)
    .file('/usr/lib/systemd/network/73-usb-net-by-mac.link', '[Match]\nPath=*-usb-*\n\n[Link]\nNamePolicy=mac\n')
    .file('/var/lib/dpkg/status', `Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9+deb12u14\n\n${UDEV_STANZA}`)
    .file(
      '/var/lib/dpkg/info/udev.list',
      '/.\n/lib\n/lib/systemd\n/lib/systemd/network\n/lib/systemd/network/73-usb-net-by-mac.link\n/lib/systemd/network/99-default.link\n/lib/udev\n',
    )
    .file(
      '/var/lib/dpkg/info/udev.md5sums',
      `${md5('[Match]\nPath=*-usb-*\n\n[Link]\nNamePolicy=mac\n')}  lib/systemd/network/73-usb-net-by-mac.link\n${md5(DEB_FILE)}  lib/systemd/network/99-default.link\n`,
    )
    .file('/var/lib/dpkg/info/libc6:amd64.list', '/.\n/lib/x86_64-linux-gnu/libc.so.6\n');
}

