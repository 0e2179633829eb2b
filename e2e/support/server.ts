// Starts the real vethwatch server (custom node:http server + the built Next app) on a free port with its own
// SQLite file and agent token, and stops it again. Needs a prior `next build`.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServer } from '../../test/support/serverProcess';

export { ServerStartError } from '../../test/support/serverProcess';

const START_TIMEOUT_MS = 60_000;

export interface RunningVethwatch {
  url: string;
  token: string;
  dbFile: string;
  /** Everything the server printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** `extraEnv` adds variables for this server only (e.g. KUBECONFIG for a fake API server). */
export async function startVethwatch(extraEnv: Record<string, string> = {}): Promise<RunningVethwatch> {
  const dir = await mkdtemp(join(tmpdir(), 'vethwatch-e2e-'));
  const dbFile = join(dir, 'vethwatch.db');
  const token = randomBytes(24).toString('base64url');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    VETHWATCH_DB: dbFile,
    VETHWATCH_AGENT_TOKEN: token,
    NODE_ENV: 'production',
    ...extraEnv,
  };
  // This server must use its own SQLite file, whatever the developer's shell says.
  delete env.DATABASE_URL;
  delete env.VETHWATCH_NEXT;

  const server = await spawnServer({ env, startTimeoutMs: START_TIMEOUT_MS }).catch(async (err: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw err;
  });
  const stop = async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
  return { url: server.url, token, dbFile, output: server.output, stop };
}
