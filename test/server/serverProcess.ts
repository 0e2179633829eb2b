// Test support: the custom server as a child process (`node --import tsx server/main.ts`), API only unless told,
// on a free loopback port, with exactly the environment given (no inherited KUBECONFIG, DATABASE_URL...).
import { spawnServer } from '../support/serverProcess';

export { REPO_ROOT } from '../support/serverProcess';

export interface ServerProcess {
  url: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** The JSON log lines so far. */
  logLines(): Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

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
