// Test support shared by vitest suites and Playwright fixtures: the real vethwatch server
// (`node --import tsx server/main.ts`) as a child process, ready once it prints its "listening on" line
// (spawnServer; startServerProcess for the API-only server with a clean environment), and the one way to stop a
// child (SIGTERM, then SIGKILL if it lingers). Plain Node: no test-runner imports here.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const READY_LINE = /vethwatch listening on (http:\/\/\S+)/;
const DEFAULT_START_TIMEOUT_MS = 45_000;
const DEFAULT_STOP_GRACE_MS = 10_000;

export class ServerStartError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(`${message}\n--- server output ---\n${output}`);
    this.name = 'ServerStartError';
  }
}

/** Resolves true once the child has exited, false if it is still running after `ms`. */
export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

/** SIGTERM, and SIGKILL if the child has not exited after `graceMs`. A child that already exited is left alone. */
export async function stopChild(child: ChildProcess, graceMs = DEFAULT_STOP_GRACE_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await waitForExit(child, graceMs)) return;
  child.kill('SIGKILL');
  await waitForExit(child, graceMs);
}

export interface SpawnedServer {
  /** The address from the server's "vethwatch listening on" line. */
  url: string;
  /** The process itself: pid for /proc readings, exitCode after stop(). */
  child: ChildProcess;
  /** Everything written to stdout and stderr so far (only the newest part under maxOutputChars). */
  output(): string;
  /** Stops the server (see stopChild); safe to call more than once. */
  stop(): Promise<void>;
}

export interface SpawnServerOptions {
  /** Exactly the child's environment (callers decide what is inherited). */
  env: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
  /** Node flags placed before `--import tsx`, e.g. `--cpu-prof`. */
  nodeArgs?: readonly string[];
  /**
   * Another program than `--import tsx server/main.ts`, e.g. an image's ENTRYPOINT (bench/lib.ts): its node
   * arguments (after nodeArgs) and the directory it runs in.
   */
  program?: { args: readonly string[]; cwd: string };
  /**
   * Bound on what output() keeps, for long runs: past it only the newest half is kept (halving, not trimming every
   * chunk, keeps the cost low). Unbounded by default, so a test failure shows everything.
   */
  maxOutputChars?: number;
}

/**
 * Starts `server/main.ts` with exactly `opts.env` and waits for it to listen. If it exits or stays silent past the
 * timeout, it is stopped and a ServerStartError carries its output.
 */
export async function spawnServer(opts: SpawnServerOptions): Promise<SpawnedServer> {
  const startTimeoutMs = opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const maxOutputChars = opts.maxOutputChars ?? Infinity;
  const program = opts.program ?? { args: ['--import', 'tsx', 'server/main.ts'], cwd: REPO_ROOT };
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...program.args], {
    cwd: program.cwd,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (s: string) => {
    output += s;
    if (output.length > maxOutputChars) output = output.slice(-Math.floor(maxOutputChars / 2));
  };
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  const stop = () => stopChild(child);

  try {
    const url = await new Promise<string>((ready, fail) => {
      const timer = setTimeout(
        () => fail(new ServerStartError(`server did not say it was listening within ${startTimeoutMs / 1000} s`, output)),
        startTimeoutMs,
      );
      const onData = () => {
        const m = READY_LINE.exec(output);
        if (!m) return;
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        ready(m[1]);
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        fail(new ServerStartError(`server exited during start-up (code ${code}, signal ${signal})`, output));
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        fail(new ServerStartError(`could not spawn the server: ${err.message}`, output));
      });
    });
    return { url, child, output: () => output, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface ServerProcess extends SpawnedServer {
  /** The JSON log lines so far. */
  logLines(): Array<Record<string, unknown>>;
}

/**
 * The server API only (`VETHWATCH_NEXT=0`), in production mode, on a free loopback port, with exactly PATH and the
 * environment given (no inherited KUBECONFIG, DATABASE_URL...).
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const server = await spawnServer({
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', VETHWATCH_NEXT: '0', ...env },
  });
  return {
    ...server,
    logLines: () =>
      server
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** Polls until check() returns a value other than undefined, or fails with the last error. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastErr ? `: ${String(lastErr)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
