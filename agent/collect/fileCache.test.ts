// Run mode keeps parsed host files between scans. These tests check that a change is never missed: same size with a
// new mtime, new content with the old mtime put back (what a package upgrade does), replacement by rename, and a
// change within the filesystem clock's granularity. The racy-read guard is tested on its own; everywhere else the
// cache clock is moved forward, so that the identity check alone has to notice the change.
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEB_FILE, debianTree, md5 } from '../linkconfig/testSupport/debianTree';
import { Tree } from '../linkconfig/testSupport/tree';
import { findOwners, readDpkgStatus } from './dpkg';
import { cacheClock, ParsedFileCache, RACY_MS } from './fileCache';
import { collectLinkFiles } from './linkFiles';
import { collectLinkPolicy } from './linkPolicy';
import { readPackageEvents } from './packageEvents';

let trees: Tree[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const t of trees) t.remove();
  trees = [];
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const later = () => vi.spyOn(cacheClock, 'now').mockImplementation(() => Date.now() + 10 * RACY_MS);

/**
 * Rewrites a file in place, then puts its old mtime back to the nanosecond (touch -r: utimes() from JS rounds to
 * microseconds); checks that the ctime really moved, which is the premise of the test.
 */
async function rewriteKeepingMtime(file: string, content: string | Buffer): Promise<void> {
  const before = statSync(file, { bigint: true });
  const ref = `${file}.mtime-ref`;
  writeFileSync(ref, '');
  execFileSync('touch', ['-m', '-r', file, ref]);
  await sleep(25); // past the clock's tick, so the write gets a new ctime
  writeFileSync(file, content);
  execFileSync('touch', ['-m', '-r', ref, file]);
  unlinkSync(ref);
  const after = statSync(file, { bigint: true });
  expect(after.mtimeNs).toBe(before.mtimeNs);
  expect(after.ino).toBe(before.ino);
  expect(after.ctimeNs).not.toBe(before.ctimeNs);
}

describe('ParsedFileCache', () => {
  let tree: Tree;
  let file: string;
  let parses: number;
  let cache: ParsedFileCache<string>;
  const parse = (b: Buffer) => {
    parses++;
    return b.toString('utf8');
  };
  beforeEach(() => {
    tree = new Tree().file('/f', 'version=1');
    trees.push(tree);
    file = path.join(tree.root, 'f');
    parses = 0;
    cache = new ParsedFileCache<string>();
  });

  it('parses an unchanged file once', () => {
    later();
    expect(cache.read(file, parse)).toEqual({ ok: true, value: 'version=1', fromCache: false });
    expect(cache.read(file, parse)).toEqual({ ok: true, value: 'version=1', fromCache: true });
    expect(parses).toBe(1);
  });

  it('sees a same-size change with a new mtime', async () => {
    later();
    cache.read(file, parse);
    await sleep(25);
    writeFileSync(file, 'version=2');
    expect(cache.read(file, parse)).toMatchObject({ value: 'version=2', fromCache: false });
  });

  it('sees new content of the same size whose old mtime was put back (ctime moved)', async () => {
    later();
    cache.read(file, parse);
    await rewriteKeepingMtime(file, 'version=3');
    expect(cache.read(file, parse)).toMatchObject({ value: 'version=3', fromCache: false });
  });

  it('sees a file replaced by rename, even with the same size and mtime', async () => {
    later();
    cache.read(file, parse);
    const mtime = statSync(file).mtime;
    tree.file('/f.new', 'version=4', mtime);
    renameSync(path.join(tree.root, 'f.new'), file);
    expect(cache.read(file, parse)).toMatchObject({ value: 'version=4', fromCache: false });
  });

  it('reads a file changed less than RACY_MS ago again, until it has settled', () => {
    expect(cache.read(file, parse).ok).toBe(true);
    // Just written: a second same-size write in the same clock tick would leave its identity as it is.
    expect(cache.read(file, parse)).toMatchObject({ fromCache: false });
    expect(parses).toBe(2);
    later();
    expect(cache.read(file, parse)).toMatchObject({ fromCache: false });
    expect(cache.read(file, parse)).toMatchObject({ fromCache: true });
    expect(parses).toBe(3);
  });

  it('gives the read error of a missing file, and forgets what it had', () => {
    later();
    cache.read(file, parse);
    tree.remove();
    const r = cache.read(file, parse);
    expect(r).toMatchObject({ ok: false });
    expect(r.ok ? '' : r.error.code).toBe('ENOENT');
    expect(r.ok ? '' : r.error.message).toMatch(/^ENOENT: no such file or directory, open /);
  });

  it('keeps variants of one file apart', () => {
    later();
    expect(cache.read(file, (b) => `a:${b}`, 'a')).toMatchObject({ value: 'a:version=1' });
    expect(cache.read(file, (b) => `b:${b}`, 'b')).toMatchObject({ value: 'b:version=1' });
    expect(cache.read(file, (b) => `x:${b}`, 'a')).toMatchObject({ value: 'a:version=1', fromCache: true });
  });
});

describe('collectors across scans (run mode)', () => {
  it('dpkg status: a new version with the old size and mtime is seen', async () => {
    later();
    const t = debianTree();
    trees.push(t);
    const status = path.join(t.root, 'var/lib/dpkg/status');
    expect((await readDpkgStatus(t.root))!.packages.get('udev')![0].version).toBe('252.39-1~deb12u2');
    await rewriteKeepingMtime(status, readFileSync(status, 'utf8').replace('252.39-1~deb12u2', '252.40-1~deb12u1'));
    expect((await readDpkgStatus(t.root))!.packages.get('udev')![0].version).toBe('252.40-1~deb12u1');
  });

  it('dpkg info: a .list edited in place and new md5sums are seen', async () => {
    later();
    const t = debianTree();
    trees.push(t);
    const target = '/usr/lib/systemd/network/99-default.link';
    const owner = async () => (await findOwners(t.root, [target], await readDpkgStatus(t.root))).owners.get(target) ?? null;
    expect(await owner()).toMatchObject({ package: 'udev', md5: md5(DEB_FILE) });

    const md5sums = path.join(t.root, 'var/lib/dpkg/info/udev.md5sums');
    await rewriteKeepingMtime(md5sums, readFileSync(md5sums, 'utf8').replace(md5(DEB_FILE), 'f'.repeat(32)));
    expect(await owner()).toMatchObject({ package: 'udev', md5: 'f'.repeat(32) });

    const list = path.join(t.root, 'var/lib/dpkg/info/udev.list');
    await rewriteKeepingMtime(list, readFileSync(list, 'utf8').replace('/99-default.link', '/99-defaulX.link'));
    expect(await owner()).toBeNull();
  });

  it('package logs: a new dpkg.log line is seen', async () => {
    later();
    const t = new Tree().file('/var/log/dpkg.log', '2026-11-26 14:13:44 install udev:amd64 <none> 252.39-1~deb12u2\n');
    trees.push(t);
    expect((await readPackageEvents(t.root, ['udev'])).events).toHaveLength(1);
    await sleep(25);
    t.file('/var/log/dpkg.log', '2026-11-26 14:13:44 install udev:amd64 <none> 252.39-1~deb12u2\n2026-11-27 09:00:00 upgrade udev:amd64 252.39-1~deb12u2 252.40-1\n');
    expect((await readPackageEvents(t.root, ['udev'])).events.map((e) => e.toVersion)).toEqual(['252.39-1~deb12u2', '252.40-1']);
    // The same file asked about another package is parsed for that package, not served from the udev answer.
    expect((await readPackageEvents(t.root, ['systemd-udev'])).events).toEqual([]);
  });

  it('link files: content replaced under the old mtime changes sha256, content and the policy read from it', async () => {
    later();
    const t = debianTree();
    trees.push(t);
    const file = path.join(t.root, 'usr/lib/systemd/network/99-default.link');
    const before = (await collectLinkFiles(t.root, 252)).files.find((f) => f.path === '/usr/lib/systemd/network/99-default.link')!;
    expect(before).toMatchObject({ macAddressPolicy: 'persistent', differsFromPackage: false });
    const edited = DEB_FILE.toString('utf8').replace('MACAddressPolicy=persistent', 'MACAddressPolicy=none      ');
    expect(edited.length).toBe(DEB_FILE.length);
    await rewriteKeepingMtime(file, edited);
    const after = (await collectLinkFiles(t.root, 252)).files.find((f) => f.path === before.path)!;
    expect(after.mtime).toBe(before.mtime);
    expect(after.size).toBe(before.size);
    expect(after.sha256).not.toBe(before.sha256);
    expect(after).toMatchObject({ macAddressPolicy: 'none', differsFromPackage: true, content: edited });
  });

  it('the whole link policy: an upgrade that changes the stock file and the status under old mtimes is seen', async () => {
    later();
    const t = debianTree();
    trees.push(t);
    const opts = { systemdVersion: 252, vethPrefix: 'eni', host: { machineId: '3d1219c7c4c5404aaa1f6d2a48adfda4', virtualization: 'none' } };
    const first = await collectLinkPolicy(t.root, opts);
    expect(first.newVeth.udevRewritesMac).toBe(true);
    const status = path.join(t.root, 'var/lib/dpkg/status');
    await rewriteKeepingMtime(status, readFileSync(status, 'utf8').replace('252.39-1~deb12u2', '252.40-1~deb12u1'));
    await rewriteKeepingMtime(path.join(t.root, 'usr/lib/systemd/network/99-default.link'), DEB_FILE.toString('utf8').replace('MACAddressPolicy=persistent', 'MACAddressPolicy=none      '));
    const second = await collectLinkPolicy(t.root, opts);
    expect(second.newVeth.udevRewritesMac).toBe(false);
    expect(second.files.find((f) => f.path.endsWith('/99-default.link'))).toMatchObject({ package: { name: 'udev', version: '252.40-1~deb12u1' }, differsFromPackage: true });
  });
});
