// Finding pod network namespaces: the ones containerd mounts under /var/run/netns, and as a fallback the ones
// only a process holds (/proc/<pid>/ns/net), deduplicated by inode. Both are live kernel state, never --root.
import { statSync } from 'node:fs';
import { readdir, readlink } from 'node:fs/promises';

export const NETNS_RUN_DIR = '/var/run/netns';

export interface NamedNetns {
  name: string;
  inode: number | null;
}

export interface ProcessNetns {
  /** "net:[4026532245]", as readlink /proc/<pid>/ns/net prints it. */
  id: string;
  inode: number;
  pid: number;
}

export async function listNamedNetns(withInodes: boolean): Promise<NamedNetns[]> {
  let names: string[];
  try {
    names = await readdir(NETNS_RUN_DIR);
  } catch {
    return [];
  }
  if (!withInodes) return names.map((name) => ({ name, inode: null }));
  // One stat per pod: synchronous, a promise round trip each would cost more than the stat.
  return names.map((name) => {
    try {
      return { name, inode: statSync(`${NETNS_RUN_DIR}/${name}`).ino };
    } catch {
      return { name, inode: null };
    }
  });
}

/** Pure: the inode in a /proc/<pid>/ns/net link target. */
export function netnsInode(linkTarget: string): number | null {
  const m = /^net:\[(\d+)\]$/.exec(linkTarget);
  return m ? Number(m[1]) : null;
}

/**
 * One process per network namespace other than the agent's own and those in `exclude` (already known by name).
 * Processes that vanish or can't be inspected are skipped: this is a best-effort fallback.
 */
export async function listProcessNetns(exclude: ReadonlySet<number>, limit = 1024): Promise<ProcessNetns[]> {
  const self = netnsInode(await readlink('/proc/self/ns/net'));
  const seen = new Map<number, ProcessNetns>();
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d));
  await Promise.all(
    pids.map(async (pid) => {
      let target: string;
      try {
        target = await readlink(`/proc/${pid}/ns/net`);
      } catch {
        return;
      }
      const inode = netnsInode(target);
      if (inode === null || inode === self || exclude.has(inode) || seen.has(inode)) return;
      seen.set(inode, { id: target, inode, pid: Number(pid) });
    }),
  );
  return [...seen.values()].sort((a, b) => a.pid - b.pid).slice(0, limit);
}
