// A salted hash of /etc/machine-id. udev's persistent MACs are derived from the machine ID, so two nodes cloned from
// one image with the same ID give their devices the same MACs (and flannel VTEPs collide). The fixed salt lets the
// server find equal IDs across nodes; the ID itself never leaves the node.
import { createHash } from 'node:crypto';
import { MACHINE_ID_SALT } from '../../lib/report/schema';
import { readHostText, underRoot } from './hostFiles';

/** Pure: the report's machineIdHash for a machine-id file's text; null when it holds no ID. */
export function machineIdHash(text: string): string | null {
  const id = text.split('\n')[0].trim().toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id)) return null;
  return createHash('sha256').update(MACHINE_ID_SALT + id).digest('hex');
}

export async function collectMachineIdHash(root: string): Promise<string | null> {
  const read = await readHostText(underRoot(root, '/etc/machine-id'), 4096);
  return read.ok ? machineIdHash(read.text) : null;
}
