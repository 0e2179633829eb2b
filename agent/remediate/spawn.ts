// The one way remediation starts a process. An argv array goes straight to execve (collect/exec.run, which never
// passes `shell`), and only after it matches what remediation is meant to run: `ip` reading or repairing a link or a
// neighbour entry, and `udevadm control`, optionally as `chroot <root> udevadm control ...`. That is an allow-list,
// not a deny-list: `sh -c "udevadm trigger"`, `env udevadm trigger`, `ip netns exec <ns> <anything>` or
// `ip -batch <file>` are refused because they are not on it, not because each was thought of.
import path from 'node:path';
import { run } from '../collect/exec';

export class ForbiddenCommandError extends Error {
  constructor(argv: readonly string[], why: string) {
    super(`refusing to run "${argv.join(' ')}": ${why}`);
    this.name = 'ForbiddenCommandError';
  }
}

const TRIGGER = "udevadm trigger re-adds net devices and rewrites healthy veths' MACs";
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'busybox', 'fish', 'csh', 'tcsh']);
/** `ip` objects and actions remediation uses (full words only: ip also accepts abbreviations, which we do not). */
const IP_ACTIONS: Record<string, readonly string[]> = { link: ['show', 'set'], neigh: ['show', 'replace'] };

/** The one rule no code path may break (never replay add events), and no command outside the allow-list. */
export function assertAllowed(argv: readonly string[]): void {
  if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string')) {
    throw new ForbiddenCommandError([String(argv)], 'a command is a non-empty array of strings');
  }
  // Named first so the message says why it matters, whatever wraps it.
  if (argv.some((a) => /\btrigger\b/.test(a)) && argv.some((a) => /udevadm/.test(a))) throw new ForbiddenCommandError(argv, TRIGGER);
  if (argv.some((a) => SHELLS.has(path.basename(a)) || a === '-c')) {
    throw new ForbiddenCommandError(argv, 'remediation never runs a shell: commands are argv arrays');
  }
  let rest = argv;
  if (rest[0] === 'chroot') {
    // chroot <root> udevadm ...: the host's own udevadm when the host root is mounted elsewhere (hostState.ts).
    if (rest.length < 3 || rest[1].startsWith('-') || rest[2] !== 'udevadm') {
      throw new ForbiddenCommandError(argv, 'chroot only runs the host root\'s udevadm');
    }
    rest = rest.slice(2);
  }
  const [program, ...args] = rest;
  if (program === 'udevadm') {
    if (args[0] !== 'control') throw new ForbiddenCommandError(argv, 'remediation only runs "udevadm control"');
    return;
  }
  if (program === 'ip') {
    let i = 0;
    while (args[i] === '-j' || args[i] === '-d' || args[i] === '-n') i += args[i] === '-n' ? 2 : 1;
    const object = args[i];
    const action = args[i + 1];
    if (object !== undefined && Object.hasOwn(IP_ACTIONS, object) && IP_ACTIONS[object].includes(action)) return;
    throw new ForbiddenCommandError(argv, 'remediation only runs "ip [-j] [-n NS] link show|set" and "ip [-j] [-n NS] neigh show|replace"');
  }
  throw new ForbiddenCommandError(argv, 'remediation only runs ip and udevadm');
}

/** Runs an allowed argv without a shell; its stdout. */
export async function runArgv(argv: readonly string[], timeoutMs = 15_000): Promise<string> {
  assertAllowed(argv);
  const [cmd, ...args] = argv;
  return (await run(cmd, args, { timeoutMs })).stdout;
}
