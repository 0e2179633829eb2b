// collectLinkPolicy (and the link-file inventory under it) on Debian-like host trees under --root.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reportSchema } from '../../lib/report/schema';
import { DEB_FILE, debianTree } from '../linkconfig/testSupport/debianTree';
import { FIXTURE_HOST, type Tree } from '../linkconfig/testSupport/tree';
import { collectLinkFiles } from './linkFiles';
import { collectLinkPolicy, MAX_LINK_POLICY_FINDINGS } from './linkPolicy';

const U = '/usr/lib/systemd/network';
const E = '/etc/systemd/network';

let trees: Tree[] = [];
const track = (t: Tree) => {
  trees.push(t);
  return t;
};
afterEach(() => {
  for (const t of trees) t.remove();
  trees = [];
});

/** Every path under root with its type, content hash and mtime: to prove collection writes nothing. */
function snapshot(root: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = lstatSync(p);
    const rel = path.relative(root, p);
    if (st.isDirectory()) {
      out.push(`${rel}/ ${st.mtimeMs}`);
      for (const n of readdirSync(p).sort()) walk(path.join(p, n));
    } else if (st.isFile()) out.push(`${rel} ${st.mtimeMs} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`);
    else out.push(`${rel} ${st.mtimeMs} -> ${st.isSymbolicLink()}`);
  };
  walk(root);
  return out;
}

const linkPolicySchema = reportSchema.shape.linkPolicy;

describe('collectLinkPolicy', () => {
  it('Debian 12 with the stock file: persistent, udev owns it unchanged, udev events only', async () => {
    const t = track(
      debianTree()
        .file('/var/log/dpkg.log', '2026-11-26 14:13:44 install udev:amd64 <none> 252.39-1~deb12u2\n2026-11-26 14:13:44 install libc6:amd64 <none> 2.36\n')
        .file('/etc/timezone', 'Etc/UTC\n'),
    );
    const before = snapshot(t.root);
    const r = await collectLinkPolicy(t.root, { systemdVersion: 252, vethPrefix: 'eni', host: FIXTURE_HOST });
    expect(snapshot(t.root)).toEqual(before);

    expect(r.newVeth).toEqual({ linkFile: `${U}/99-default.link`, dropIns: [], macAddressPolicy: 'persistent', macAddress: null, udevRewritesMac: true, policySource: `${U}/99-default.link` });
    const stock = r.files.find((f) => f.path === `${U}/99-default.link`)!;
    expect(stock).toEqual({
      path: `${U}/99-default.link`,
      kind: 'link',
      dropInFor: null,
      masked: false,
      maskedBy: null,
      size: DEB_FILE.length,
      mtime: new Date(lstatSync(path.join(t.root, U, '99-default.link')).mtimeMs).toISOString(),
      sha256: createHash('sha256').update(DEB_FILE).digest('hex'),
      package: { name: 'udev', version: '252.39-1~deb12u2' },
      differsFromPackage: false,
      macAddressPolicy: 'persistent',
      macAddress: null,
      content: DEB_FILE.toString('utf8'),
    });
    expect(r.packageEvents).toEqual([
      { at: '2026-11-26T14:13:44+00:00', action: 'install', package: 'udev', arch: 'amd64', fromVersion: null, toVersion: '252.39-1~deb12u2', source: 'dpkg.log' },
    ]);
    expect(r.findings).toEqual([]);
    expect(linkPolicySchema.safeParse({ newVeth: r.newVeth, files: r.files, packageEvents: r.packageEvents }).success).toBe(true);
  });

  it('an in-place edit of the packaged file is detected against dpkg md5sums', async () => {
    const edited = DEB_FILE.toString('utf8').replace('MACAddressPolicy=persistent', 'MACAddressPolicy=none');
    const t = track(debianTree({ editedStock: edited }));
    const r = await collectLinkPolicy(t.root, { systemdVersion: 252, vethPrefix: 'eni', host: FIXTURE_HOST });
    expect(r.newVeth).toMatchObject({ macAddressPolicy: 'none', udevRewritesMac: false });
    expect(r.files.find((f) => f.path === `${U}/99-default.link`)).toMatchObject({ differsFromPackage: true, macAddressPolicy: 'none', package: { name: 'udev' } });
    expect(r.files.find((f) => f.path === `${U}/73-usb-net-by-mac.link`)).toMatchObject({ differsFromPackage: false, macAddressPolicy: null });
  });

  it('drop-ins, same-name overrides and /dev/null masks are inventoried with what hides what', async () => {
    const t = track(
      debianTree()
        .file(`${E}/99-default.link.d/50-mac-none.conf`, '[Link]\nMACAddressPolicy=none\nMACAddress=02:11:22:33:44:55\n')
        .file(`/run/systemd/network/99-default.link.d/50-mac-none.conf`, '[Link]\nMACAddressPolicy=random\n')
        .symlink(`${E}/73-usb-net-by-mac.link`, '/dev/null'),
    );
    const r = await collectLinkPolicy(t.root, { systemdVersion: 252, vethPrefix: 'eni', host: FIXTURE_HOST });
    expect(r.newVeth).toEqual({
      linkFile: `${U}/99-default.link`,
      dropIns: [`${E}/99-default.link.d/50-mac-none.conf`],
      macAddressPolicy: 'none',
      macAddress: '02:11:22:33:44:55',
      udevRewritesMac: true,
      policySource: `${E}/99-default.link.d/50-mac-none.conf`,
    });
    const view = r.files.map((f) => [f.path, f.kind, f.dropInFor, f.masked, f.maskedBy, f.package?.name ?? null, f.macAddressPolicy]);
    expect(view).toEqual([
      [`${E}/73-usb-net-by-mac.link`, 'link', null, true, '/dev/null', null, null],
      [`${U}/73-usb-net-by-mac.link`, 'link', null, true, `${E}/73-usb-net-by-mac.link`, 'udev', null],
      [`${U}/99-default.link`, 'link', null, false, null, 'udev', 'persistent'],
      [`${E}/99-default.link.d/50-mac-none.conf`, 'dropin', '99-default.link', false, null, null, 'none'],
      [`/run/systemd/network/99-default.link.d/50-mac-none.conf`, 'dropin', '99-default.link', true, `${E}/99-default.link.d/50-mac-none.conf`, null, 'random'],
    ]);
    expect(r.files.find((f) => f.path.endsWith('.conf'))?.macAddress).toBe('02:11:22:33:44:55');
    expect(linkPolicySchema.safeParse({ newVeth: r.newVeth, files: r.files, packageEvents: r.packageEvents }).success).toBe(true);
  });

  it('when the winning file belongs to no package, events fall back to udev and systemd-udev', async () => {
    const t = track(
      debianTree()
        .file(`${E}/10-veth.link`, '[Match]\nDriver=veth\n[Link]\nMACAddressPolicy=none\n')
        .file(
          '/var/log/dpkg.log',
          '2026-01-01 00:00:00 install systemd-udev:amd64 <none> 252.23\n2026-01-02 00:00:00 install udev:amd64 <none> 252.39\n2026-01-03 00:00:00 install libc6:amd64 <none> 2.36\n',
        ),
    );
    const r = await collectLinkPolicy(t.root, { systemdVersion: 252, vethPrefix: 'eni', host: FIXTURE_HOST });
    expect(r.newVeth.linkFile).toBe(`${E}/10-veth.link`);
    expect(r.packageEvents.map((e) => e.package)).toEqual(['systemd-udev', 'udev']);
  });

  it('a malformed dpkg database, md5sums and link file are findings, not crashes', async () => {
    const t = track(
      debianTree()
        .file('/var/lib/dpkg/status', '\x00\x01\x02 binary junk\n\nPackage: udev\nVersion: 252.39-1~deb12u2\nArchitecture: amd64\n')
        .file('/var/lib/dpkg/info/udev.md5sums', 'this is not an md5sums file\n')
        .file(`${E}/10-bad.link`, Buffer.from([0x5b, 0x4d, 0xff, 0xfe, 0x0a])),
    );
    const r = await collectLinkPolicy(t.root, { systemdVersion: 252, vethPrefix: 'eni', host: FIXTURE_HOST });
    expect(r.findings.map((f) => f.code).sort()).toEqual(['dpkg-md5sums-malformed', 'dpkg-status-malformed', 'link-file-parse-error']);
    expect(r.files.find((f) => f.path === `${U}/99-default.link`)).toMatchObject({ package: { name: 'udev', version: '252.39-1~deb12u2' }, differsFromPackage: null });
    expect(linkPolicySchema.safeParse({ newVeth: r.newVeth, files: r.files, packageEvents: r.packageEvents }).success).toBe(true);
  });

  it('on systemd 247 drop-ins are inventoried but flagged, and do not change the verdict', async () => {
    const t = track(debianTree().file(`${E}/99-default.link.d/50-mac-none.conf`, '[Link]\nMACAddressPolicy=none\n'));
    const r = await collectLinkPolicy(t.root, { systemdVersion: 247, vethPrefix: 'eni', host: FIXTURE_HOST });
    expect(r.newVeth).toMatchObject({ macAddressPolicy: 'persistent', dropIns: [] });
    expect(r.files.some((f) => f.kind === 'dropin')).toBe(true);
    expect(r.findings.map((f) => f.code)).toContain('link-dropins-unsupported');
  });

  it('caps its findings, keeping errors first', async () => {
    const t = track(debianTree());
    for (let i = 0; i < 150; i++) t.file(`${E}/${String(i).padStart(3, '0')}-bad.link`, `[Match]\nOriginalName=a/b\nBogus=1\n[Link\n`);
    const r = await collectLinkPolicy(t.root, { systemdVersion: 252, vethPrefix: 'eni', host: FIXTURE_HOST });
    expect(r.findings).toHaveLength(MAX_LINK_POLICY_FINDINGS);
    expect(r.findings.at(-1)).toMatchObject({ code: 'findings-truncated' });
    expect(r.findings.filter((f) => f.code === 'link-file-parse-error')).toHaveLength(150);
    expect(r.newVeth.linkFile).toBe(`${U}/99-default.link`);
  });

  it('reads under the given root only (an empty root has no link files)', async () => {
    const t = track(debianTree());
    const empty = await collectLinkFiles(path.join(t.root, 'var'), 252, null);
    expect(empty).toEqual({ files: [], findings: [] });
  });
});
