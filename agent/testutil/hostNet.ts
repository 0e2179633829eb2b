// Helpers for host tests that wire their own namespaces and veths next to the lab's. Every name starts with
// "vwt" + random hex (or a random eni<hex> veth name, so the agent treats it as a CNI veth), and `cleanup`
// removes exactly what was made.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { run } from '../collect/exec';

export const rand = (n = 4) => randomBytes(n).toString('hex');

export class HostScratch {
  readonly netns: string[] = [];
  readonly links: string[] = [];
  readonly pids: number[] = [];

  async ip(...args: string[]): Promise<string> {
    return (await run('ip', args)).stdout;
  }

  async addNetns(): Promise<string> {
    const name = `vwt-${rand()}`;
    await this.ip('netns', 'add', name);
    this.netns.push(name);
    return name;
  }

  /** A namespace held only by a process (no /var/run/netns name), like a pod whose runtime did not pin it. */
  async processNetns(): Promise<number> {
    const child = spawn('unshare', ['--net', 'sleep', '600'], { stdio: 'ignore', detached: false });
    if (!child.pid) throw new Error('could not start unshare');
    this.pids.push(child.pid);
    const self = (await run('readlink', ['/proc/self/ns/net'])).stdout.trim();
    // unshare execs sleep once the new namespace exists; wait for the pid to be in it.
    for (let i = 0; i < 100; i++) {
      const ns = (await run('readlink', [`/proc/${child.pid}/ns/net`], { allowFailure: true })).stdout.trim();
      if (ns && ns !== self) return child.pid;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('unshare did not enter a new namespace');
  }

  /** Records a host link name so cleanup deletes it (deleting one end removes the pair). */
  track(link: string): string {
    this.links.push(link);
    return link;
  }

  async cleanup(): Promise<void> {
    for (const l of this.links) await run('ip', ['link', 'del', l], { allowFailure: true });
    for (const n of this.netns) await run('ip', ['netns', 'del', n], { allowFailure: true });
    for (const p of this.pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
}

export async function sysfs(ifname: string, attr: string): Promise<string> {
  return (await run('cat', [`/sys/class/net/${ifname}/${attr}`])).stdout.trim();
}

export async function linkExists(ifname: string): Promise<boolean> {
  return (await run('ip', ['link', 'show', 'dev', ifname], { allowFailure: true })).exitCode === 0;
}

export async function netnsNames(): Promise<string[]> {
  const out = (await run('ip', ['-j', 'netns', 'list'])).stdout.trim();
  return out ? (JSON.parse(out) as Array<{ name: string }>).map((n) => n.name) : [];
}
