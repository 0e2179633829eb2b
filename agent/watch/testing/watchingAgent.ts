// Host tests' run-mode agent: the real scan, the live link watch on, the periodic scan far away (60 s) so only
// `ip monitor link` can explain a fast change, reporting to `server`. Resolves once its first report has been
// accepted and no scan is running.
import type { Logger, LogRecord } from '../../log';
import { scan } from '../../scan';
import { runAgent, type RunDeps } from '../run';

export type WatchingAgentHandles = Parameters<NonNullable<RunDeps['onReady']>>[0];

export interface WatchingAgent {
  handles: WatchingAgentHandles;
  /** Settles when the agent has stopped (abort `signal` first). */
  done: Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startWatchingAgent(opts: {
  server: URL;
  token: string;
  node: string;
  spoolDir: string;
  log: Logger & { records: LogRecord[] };
  signal: AbortSignal;
}): Promise<WatchingAgent> {
  let handles!: WatchingAgentHandles;
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const done = runAgent(
    {
      server: opts.server,
      token: opts.token,
      intervalSeconds: 60,
      root: '/',
      node: opts.node,
      spoolDir: opts.spoolDir,
      spoolMaxReports: 500,
      spoolMaxBytes: 50 * 1024 * 1024,
      watch: true,
      requestTimeoutMs: 5000,
    },
    { scan, log: opts.log, onReady: (h) => ((handles = h), ready()) },
    opts.signal,
  );
  await isReady;
  const until = Date.now() + 30_000;
  while (handles.deliverer.stats.accepted < 1 || handles.scheduler.busy) {
    if (Date.now() > until) throw new Error(`the agent's first report did not arrive:\n${JSON.stringify(opts.log.records, null, 1)}`);
    await sleep(50);
  }
  return { handles, done };
}
