// Host FILES are read under --root (so the agent can run in a container with the host's / mounted elsewhere);
// kernel state (ip, /sys of live interfaces, /var/run/netns) is always the live host's.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export function underRoot(root: string, hostPath: string): string {
  return path.join(root, hostPath);
}

export type ReadResult = { ok: true; text: string } | { ok: false; missing: boolean; error: string };

/** Reads a text file, separating "not there" (often normal) from "there but unreadable" (a finding). */
export async function readHostText(file: string, maxBytes = 4 * 1024 * 1024): Promise<ReadResult> {
  try {
    const buf = await readFile(file);
    if (buf.length > maxBytes) return { ok: false, missing: false, error: `larger than ${maxBytes} bytes` };
    return { ok: true, text: buf.toString('utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, missing: code === 'ENOENT' || code === 'ENOTDIR', error: (e as Error).message };
  }
}
