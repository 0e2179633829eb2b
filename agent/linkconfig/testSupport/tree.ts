// For unit tests: throw-away host trees under a temp dir, for --root. Never touches the real host.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR } from '../../../test/fixtures';

/** Real link files captured from hosts and upstream repositories (read-only; copied, never modified). */
export const FIXTURE_LINK_FILES = path.join(FIXTURES_DIR, 'link-files');

export class Tree {
  readonly root: string;

  constructor() {
    this.root = mkdtempSync(path.join(tmpdir(), 'vwt-tree-'));
  }

  /** A merged-/usr layout: /lib, /bin, /sbin are symlinks into /usr, as on Debian 12. */
  mergedUsr(): this {
    for (const d of ['lib', 'bin', 'sbin']) {
      mkdirSync(path.join(this.root, 'usr', d), { recursive: true });
      symlinkSync(`usr/${d}`, path.join(this.root, d));
    }
    return this;
  }

  file(p: string, content: string | Buffer, mtime?: Date): this {
    const full = path.join(this.root, p);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
    if (mtime) utimesSync(full, mtime, mtime);
    return this;
  }

  fixture(name: string, p: string): this {
    const full = path.join(this.root, p);
    mkdirSync(path.dirname(full), { recursive: true });
    copyFileSync(path.join(FIXTURE_LINK_FILES, name), full);
    return this;
  }

  symlink(p: string, target: string): this {
    const full = path.join(this.root, p);
    mkdirSync(path.dirname(full), { recursive: true });
    symlinkSync(target, full);
    return this;
  }

  dir(p: string): this {
    mkdirSync(path.join(this.root, p), { recursive: true });
    return this;
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Host facts for fixture trees, so nothing about the machine running the tests leaks in. */
export const FIXTURE_HOST = {
  hostname: 'ip-10-0-1-23.ec2.internal',
  machineId: '3d1219c7c4c5404aaa1f6d2a48adfda4',
  kernelCommandLine: 'BOOT_IMAGE=/boot/vmlinuz-6.1.0-41-amd64 root=UUID=abcd ro net.ifnames=1 console=ttyS0',
  kernelVersion: '6.1.0-41-amd64',
  architecture: 'x86-64',
  virtualization: 'amazon',
  privateUsers: false,
  firmware: { deviceTree: false, uefi: true, deviceTreeCompatible: [], smbios: { sys_vendor: 'Amazon EC2\n', product_name: 'm5.large\n' } },
};
