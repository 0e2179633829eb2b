// Running the host's own tools (ip, udevadm) without a shell: arguments go straight to execve, so names read
// from the kernel can never be interpreted as shell syntax.
import { spawn } from 'node:child_process';

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    cause?: unknown,
  ) {
    super(
      `${command} ${args.join(' ')} failed` +
        (exitCode === null ? '' : ` (exit ${exitCode})`) +
        (stderr.trim() ? `: ${stderr.trim().split('\n').slice(0, 3).join('; ')}` : ''),
      cause === undefined ? undefined : { cause },
    );
    this.name = 'CommandError';
  }
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  /** Resolve with the exit code instead of throwing when the command exits non-zero. */
  allowFailure?: boolean;
  env?: Record<string, string | undefined>;
}

export function run(command: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: (opts.env ?? { ...process.env, LC_ALL: 'C' }) as NodeJS.ProcessEnv,
      timeout: opts.timeoutMs ?? 10_000,
      shell: false,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new CommandError(command, args, null, String(e.message), e)));
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      const exitCode = code ?? -1;
      if (exitCode !== 0 && !opts.allowFailure) {
        reject(new CommandError(command, args, code, signal ? `killed by ${signal}. ${stderr}` : stderr));
        return;
      }
      resolve({ stdout, stderr, exitCode });
    });
    if (opts.input !== undefined && child.stdin) {
      child.stdin.on('error', () => {
        /* the child may exit before reading everything; its exit status tells the story */
      });
      child.stdin.end(opts.input);
    }
  });
}

/** Map with at most `limit` promises in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
