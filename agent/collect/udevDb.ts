// udev's database entry for a network interface, /run/udev/data/n<ifindex>: its E: lines are the device
// properties that link files can match with Property=. Read under --root (it is a file, not kernel state).
import { readFileSync } from 'node:fs';
import { underRoot } from './hostFiles';

/** Pure: the E:KEY=VALUE lines of a udev database file. */
export function parseUdevDb(text: string): Record<string, string> {
  const props: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('E:')) continue;
    const eq = line.indexOf('=');
    if (eq > 2) props[line.slice(2, eq)] = line.slice(eq + 1);
  }
  return props;
}

/** Empty when udevd has no entry (or runs nowhere). Synchronous for the same reason as sysfs reads: tiny files, many of them. */
export function readUdevProperties(root: string, ifindex: number): Record<string, string> {
  try {
    return parseUdevDb(readFileSync(underRoot(root, `/run/udev/data/n${ifindex}`), 'utf8'));
  } catch {
    return {};
  }
}
