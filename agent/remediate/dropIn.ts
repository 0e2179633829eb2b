// The one file remediation writes: a drop-in for the stock 99-default.link, in /etc so a udev package upgrade
// (which rewrites /usr/lib silently) cannot undo it. Nothing here ever touches /usr/lib.
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export const DROP_IN_FOR = '99-default.link';
export const DROP_IN_NAME = '50-vethwatch-mac-none.conf';
/** Relative to the host root. */
export const DROP_IN_RELPATH = `etc/systemd/network/${DROP_IN_FOR}.d/${DROP_IN_NAME}`;

export const DROP_IN_CONTENT =
  '# Written by vethwatch remediate. Keeps the MAC a veth was created with: MACAddressPolicy=persistent\n' +
  '# rewrites host veths of Amazon VPC CNI < v1.20.1 and breaks the pods\' static gateway ARP entry.\n' +
  '# Fixed in VPC CNI v1.20.1; upgrade to v1.20.5+ (v1.20.1-v1.20.4 can fail pod creation under netlink churn).\n' +
  '[Link]\n' +
  'MACAddressPolicy=none\n';

export class DropInPathError extends Error {
  constructor(p: string) {
    super(`refusing to write ${p}: remediation only writes ${DROP_IN_RELPATH} under the host root`);
    this.name = 'DropInPathError';
  }
}

export function dropInPath(root: string): string {
  return path.join(path.resolve(root), DROP_IN_RELPATH);
}

/** The drop-in's current content, or null when it does not exist. */
export async function readDropIn(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Write atomically: udevd may parse the directory at any moment (v252 reloads .link files by itself), so it must
 * never see a half-written file. The temporary name does not end in `.conf`, so udev ignores it.
 */
export async function writeDropIn(file: string, content: string): Promise<void> {
  const normalized = path.resolve(file);
  if (!normalized.endsWith(`/${DROP_IN_RELPATH}`)) throw new DropInPathError(file);
  const dir = path.dirname(normalized);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const tmp = path.join(dir, `.${DROP_IN_NAME}.${process.pid}.tmp`);
  try {
    const fh = await open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(content, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    // The process umask may have narrowed the mode given to open().
    await chmod(tmp, 0o644);
    await rename(tmp, normalized);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  // Make the rename durable too.
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
