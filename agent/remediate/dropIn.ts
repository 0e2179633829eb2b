// Reading and writing the one file remediation writes: a drop-in for the stock 99-default.link, in /etc so a udev
// package upgrade (which rewrites /usr/lib silently) cannot undo it. Its name, path and text are shared with the
// server (lib/remediation/dropIn.ts). Nothing here ever touches /usr/lib.
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { DROP_IN_NAME, DROP_IN_RELPATH } from '../../lib/remediation/dropIn';

export class DropInPathError extends Error {
  constructor(p: string) {
    super(`refusing to write ${p}: remediation only writes ${DROP_IN_RELPATH} under the host root`);
    this.name = 'DropInPathError';
  }
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
