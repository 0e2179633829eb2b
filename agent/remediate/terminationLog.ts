// Leaving the outcome where Kubernetes shows it: the container's termination message, which the Job's pod status
// carries back to the server. Best effort: failing to write it never changes the exit status.
import { access, constants, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_TERMINATION_LOG } from './args';

/** The kubelet keeps at most this many bytes of a termination message. */
export const TERMINATION_MESSAGE_LIMIT = 4096;

/**
 * The full JSON if it fits; otherwise the caller's smaller summary, cut to the limit as a last resort so the
 * message is at least recognizably truncated rather than silently dropped.
 */
export function fitTerminationMessage(full: unknown, summary: () => unknown): string {
  const text = JSON.stringify(full);
  if (Buffer.byteLength(text) <= TERMINATION_MESSAGE_LIMIT) return text;
  const short = JSON.stringify(summary());
  if (Buffer.byteLength(short) <= TERMINATION_MESSAGE_LIMIT) return short;
  return Buffer.from(short).subarray(0, TERMINATION_MESSAGE_LIMIT).toString('utf8');
}

/**
 * Outside Kubernetes nothing mounts /dev/termination-log, and creating a stray file in the host's /dev would be
 * wrong, so the default path is written only when it already exists. An explicit path is created if its directory
 * exists and is writable. Returns what happened, for the caller's notes.
 */
export async function writeTerminationLog(file: string, message: string): Promise<string> {
  try {
    const exists = await stat(file).then(
      (s) => s.isFile() || s.isCharacterDevice(),
      () => false,
    );
    if (!exists) {
      if (path.resolve(file) === DEFAULT_TERMINATION_LOG) return `termination log not written: ${file} does not exist (not in Kubernetes)`;
      await access(path.dirname(file), constants.W_OK);
    }
    await writeFile(file, message, 'utf8');
    return `termination log written to ${file}`;
  } catch (e) {
    return `termination log not written to ${file}: ${e instanceof Error ? e.message : String(e)}`;
  }
}
