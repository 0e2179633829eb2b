// Starts the real vethwatch server (custom node:http server + the built Next app) on a free port with its own
// SQLite file and agent token, and stops it again. Needs a prior `next build`.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const READY_LINE = /vethwatch listening on (http:\/\/\S+)/;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

export class ServerStartError extends Error {
  constructor(message: string, readonly output: string) {
    super(`${message}\n--- server output ---\n${output}`);
    this.name = 'ServerStartError';
  }
}

export interface RunningVethwatch {
  url: string;
  token: string;
  dbFile: string;
  /** Everything the server printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

export async function startVethwatch(): Promise<RunningVethwatch> {
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
  };
  // This server must use its own SQLite file, whatever the developer's shell says.
  delete env.DATABASE_URL;
  delete env.VETHWATCH_NEXT;

  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (output += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (output += s));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, STOP_TIMEOUT_MS))) {
        child.kill('SIGKILL');
        await waitForExit(child, STOP_TIMEOUT_MS);
      }
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const url = await new Promise<string>((ready, fail) => {
      const timer = setTimeout(() => fail(new ServerStartError('server did not say it was listening in time', output)), START_TIMEOUT_MS);
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
    return { url, token, dbFile, output: () => output, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
