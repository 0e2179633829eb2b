import { afterEach, describe, expect, it } from 'vitest';
import { DEB_FILE, debianTree, md5, UDEV_STANZA } from '../linkconfig/testSupport/debianTree';
import { Tree } from '../linkconfig/testSupport/tree';
import { findOwners, parseDpkgStatus, parseMd5sums, readDpkgStatus } from './dpkg';

let trees: Tree[] = [];
afterEach(() => {
  for (const t of trees) t.remove();
  trees = [];
});

describe('parseDpkgStatus', () => {
  it('reads packages, versions, states and conffiles; multi-line fields do not confuse it', () => {
    const s = parseDpkgStatus(UDEV_STANZA);
    const udev = s.packages.get('udev')![0];
    expect(udev).toMatchObject({ name: 'udev', arch: 'amd64', version: '252.39-1~deb12u2', state: 'installed' });
    expect(udev.conffiles.get('/etc/init.d/udev')).toBe('e9424814d107af7d8f58a22b1011810a');
    expect(s.findings).toEqual([]);
  });

  it('reports malformed lines and stanzas without Package: as one finding', () => {
    const s = parseDpkgStatus(`garbage without colon\n Version: 1\n\nStatus: install ok installed\n\n${UDEV_STANZA}`);
    expect(s.packages.has('udev')).toBe(true);
    expect(s.findings).toEqual([expect.objectContaining({ code: 'dpkg-status-malformed', severity: 'warning' })]);
    expect(s.findings[0].message).toMatch(/2 malformed line\(s\) and 2 entries without Package/);
  });

  it('parses md5sums and counts bad lines', () => {
    expect(parseMd5sums(`${'a'.repeat(32)}  lib/x\nnot a line\n`)).toEqual({ sums: new Map([['/lib/x', 'a'.repeat(32)]]), malformed: 1 });
  });
});

describe('findOwners', () => {
  it('maps udev\'s /usr/lib path to dpkg\'s recorded /lib path on merged /usr', async () => {
    const t = debianTree();
    trees.push(t);
    const status = await readDpkgStatus(t.root);
    const { owners, findings } = await findOwners(t.root, ['/usr/lib/systemd/network/99-default.link', '/etc/systemd/network/10-mine.link'], status);
    expect(findings).toEqual([]);
    expect(owners.get('/usr/lib/systemd/network/99-default.link')).toEqual({
      package: 'udev',
      arch: 'amd64',
      version: '252.39-1~deb12u2',
      recordedPath: '/lib/systemd/network/99-default.link',
      md5: md5(DEB_FILE),
    });
    expect(owners.has('/etc/systemd/network/10-mine.link')).toBe(false);
  });

  it('does not map /usr/lib to /lib when /lib is a separate directory (split /usr)', async () => {
    const t = new Tree().file('/usr/lib/systemd/network/99-default.link', DEB_FILE).dir('/lib/systemd/network');
    trees.push(t);
    t.file('/var/lib/dpkg/status', UDEV_STANZA).file('/var/lib/dpkg/info/udev.list', '/lib/systemd/network/99-default.link\n');
    const { owners } = await findOwners(t.root, ['/usr/lib/systemd/network/99-default.link'], await readDpkgStatus(t.root));
    expect(owners.size).toBe(0);
  });

  it('finds the owner in a long .list wherever the line falls, across the 64 KiB read buffer too', async () => {
    const line = '/lib/systemd/network/99-default.link\n';
    for (const at of [0, 65536 - 10, 65536 - 1, 65536, 3 * 65536 + 7]) {
      const t = debianTree();
      trees.push(t);
      const filler = at === 0 ? '' : `/${'x'.repeat(at - 2)}\n`; // `at` bytes of whole lines
      t.file('/var/lib/dpkg/info/udev.list', filler + line + '/usr/share/doc/y\n'.repeat(5000));
      const { owners } = await findOwners(t.root, ['/usr/lib/systemd/network/99-default.link'], await readDpkgStatus(t.root));
      expect(owners.get('/usr/lib/systemd/network/99-default.link')?.package, `line at byte ${at}`).toBe('udev');
    }
  });

  it('no dpkg database: nothing owned, no findings; an unreadable info dir is a finding', async () => {
    const t = new Tree().file('/usr/lib/systemd/network/99-default.link', DEB_FILE);
    trees.push(t);
    expect(await readDpkgStatus(t.root)).toBeNull();
    t.file('/var/lib/dpkg/status', UDEV_STANZA).file('/var/lib/dpkg/info', 'not a directory');
    const r = await findOwners(t.root, ['/usr/lib/systemd/network/99-default.link'], await readDpkgStatus(t.root));
    expect(r.owners.size).toBe(0);
    expect(r.findings.map((f) => f.code)).toEqual(['dpkg-info-unreadable']);
  });
});
