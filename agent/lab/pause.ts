// Pause processes: on a node, containerd runs the pod's pause container inside the pod namespace, so every pod
// namespace has a process in it as well as its /var/run/netns bind mount. The lab can do the same (a `sleep
// infinity` entered into each namespace) so the agent meets what it meets on a node. Only processes the lab
// started, still in the namespace it put them in, are ever killed.
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { run } from '../collect/exec';
import { NETNS_RUN_DIR, netnsInode } from '../collect/netns';
import { LabError } from './errors';

export interface PauseProcess {
  pid: number;
  /** Inode of the namespace it was started in: it is killed only while it is still there. */
  netnsInode: number;
}

const PAUSE_COMM = 'sleep';

// One shell starts them all (forking the agent's Node process once per pod would cost more than the pods); the
// namespace names are positional arguments, never script text. `exec` makes each $! the sleep itself.
const START_SCRIPT = `for ns in "$@"; do (exec nsenter "--net=${NETNS_RUN_DIR}/$ns" -- sleep infinity </dev/null >/dev/null 2>&1) & echo "$ns $!"; done`;

function inodeOfPid(pid: number): number | null {
  try {
    return netnsInode(readlinkSync(`/proc/${pid}/ns/net`));
  } catch {
    return null;
  }
}

function commOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** A pid that is gone, or a zombie waiting to be reaped, no longer holds anything. */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Starts one pause process in each named namespace; resolves once every one is inside its namespace. */
export async function startPauses(netnsNames: readonly string[], timeoutMs = 10_000): Promise<Map<string, PauseProcess>> {
  const out = new Map<string, PauseProcess>();
  if (netnsNames.length === 0) return out;
  const inodes = new Map(netnsNames.map((n) => [n, statSync(`${NETNS_RUN_DIR}/${n}`).ino]));
  const r = await run('sh', ['-c', START_SCRIPT, 'vethwatch-lab-pause', ...netnsNames], { timeoutMs });
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S+) (\d+)$/.exec(line);
    if (m && inodes.has(m[1])) out.set(m[1], { pid: Number(m[2]), netnsInode: inodes.get(m[1])! });
  }
  if (out.size !== netnsNames.length) throw new LabError(`started ${out.size} of ${netnsNames.length} pause processes`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const waiting = [...out].filter(([, p]) => inodeOfPid(p.pid) !== p.netnsInode || commOf(p.pid) !== PAUSE_COMM);
    if (waiting.length === 0) return out;
    if (Date.now() > deadline) throw new LabError(`pause process for ${waiting[0][0]} did not enter its namespace`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

/** Kills the lab's pause processes that are still in their namespaces; returns how many it killed. */
export async function stopPauses(pauses: readonly PauseProcess[], timeoutMs = 10_000): Promise<number> {
  const ours = pauses.filter((p) => inodeOfPid(p.pid) === p.netnsInode && commOf(p.pid) === PAUSE_COMM);
  for (const p of ours) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* exited on its own */
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (ours.some((p) => !gone(p.pid))) {
    if (Date.now() > deadline) throw new LabError(`pause process ${ours.find((p) => !gone(p.pid))!.pid} did not exit`);
    await new Promise((res) => setTimeout(res, 10));
  }
  return ours.length;
}
