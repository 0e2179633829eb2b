import { mkdtemp, readdir, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DROP_IN_CONTENT, dropInPath } from '../../lib/remediation/dropIn';
import { DropInPathError, readDropIn, writeDropIn } from './dropIn';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'vwt-dropin-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('drop-in file', () => {
  it('lives in /etc under the host root, never /usr/lib', () => {
    expect(dropInPath('/')).toBe('/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf');
    expect(dropInPath('/host/')).toBe('/host/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf');
  });

  it('sets only MACAddressPolicy=none in [Link]', () => {
    const settings = DROP_IN_CONTENT.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(settings).toEqual(['[Link]', 'MACAddressPolicy=none']);
  });

  it('creates the .d directory and writes the file with mode 0644, whatever the umask', async () => {
    const file = dropInPath(root);
    expect(await readDropIn(file)).toBeNull();
    const old = process.umask(0o077);
    try {
      await writeDropIn(file, DROP_IN_CONTENT);
    } finally {
      process.umask(old);
    }
    expect(await readDropIn(file)).toBe(DROP_IN_CONTENT);
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    expect((await stat(path.dirname(file))).isDirectory()).toBe(true);
    // No temporary file is left for udev to trip over.
    expect(await readdir(path.dirname(file))).toEqual(['50-vethwatch-mac-none.conf']);
  });

  it('replaces a different file at the path in one step', async () => {
    const file = dropInPath(root);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '[Link]\nMACAddressPolicy=persistent\n');
    await writeDropIn(file, DROP_IN_CONTENT);
    expect(await readFile(file, 'utf8')).toBe(DROP_IN_CONTENT);
  });

  it('refuses any other path', async () => {
    await expect(writeDropIn(path.join(root, 'usr/lib/systemd/network/99-default.link'), DROP_IN_CONTENT)).rejects.toThrow(DropInPathError);
    await expect(writeDropIn(path.join(root, 'etc/systemd/network/99-default.link.d/other.conf'), DROP_IN_CONTENT)).rejects.toThrow(DropInPathError);
    expect(await readdir(root)).toEqual([]);
  });
});
