// Run mode: a full scan every interval and right after a veth appears, vanishes or changes MAC; every report goes
// through the spool to the server. Stops cleanly when `signal` aborts: no new scans, ip monitor killed, the send in
// flight aborted, the spool left for the next start.
import type { Report } from '../../lib/report/schema';
import type { AgentConfig } from '../config';
import type { BackoffPolicy } from '../deliver/backoff';
import { Deliverer, type SendFn } from '../deliver/deliverer';
import { sendReport } from '../deliver/send';
import { tokenFromFile } from '../deliver/token';
import { Spool } from '../deliver/spool';
import type { Logger } from '../log';
import { VethChangeTracker } from './changes';
import { createDebouncer } from './debounce';
import { LinkMonitor } from './monitor';
import { ScanScheduler } from './scheduler';

/** Structurally the same as agent/scan.ts's `scan`, so tests can feed deterministic reports. */
export type ScanFn = (opts: {
  root: string;
  cniConfDir?: string;
  node?: string;
  intervalSeconds: number;
  droppedReports?: number;
}) => Promise<Report>;

export type RunConfig = Pick<
  AgentConfig,
  'server' | 'token' | 'tokenFile' | 'intervalSeconds' | 'root' | 'cniConfDir' | 'node' | 'spoolDir' | 'spoolMaxReports' | 'spoolMaxBytes' | 'watch' | 'requestTimeoutMs'
>;

export interface RunDeps {
  scan: ScanFn;
  log: Logger;
  /** Default: POST to config.server with config.token. */
  send?: SendFn;
  monitorCommand?: readonly string[];
  /** Retry delays for the server (default 0.5 s doubling to 30 s). */
  backoff?: BackoffPolicy;
  /** Quiet time after the last link event before the scan it triggers (default 200 ms). */
  debounceMs?: number;
  /** Called once the agent is up (spool open, first scan requested), with handles tests can watch. */
  onReady?: (handles: { spool: Spool; deliverer: Deliverer; scheduler: ScanScheduler; monitor: LinkMonitor | null }) => void;
}

export function httpSender(cfg: Pick<RunConfig, 'server' | 'token' | 'tokenFile' | 'requestTimeoutMs'>): SendFn {
  if (!cfg.server || !cfg.token) throw new Error('httpSender needs a server URL and a token');
  const server = cfg.server;
  const token = cfg.tokenFile ? tokenFromFile(cfg.tokenFile, cfg.token) : cfg.token;
  return (body, signal) => sendReport({ server, token, body, signal, timeoutMs: cfg.requestTimeoutMs });
}

export async function runAgent(cfg: RunConfig, deps: RunDeps, signal: AbortSignal): Promise<void> {
  const log = deps.log;
  const spool = await Spool.open(cfg.spoolDir, { maxReports: cfg.spoolMaxReports, maxBytes: cfg.spoolMaxBytes }, log);
  const pending = spool.size;
  log.info('agent starting', {
    server: cfg.server?.origin ?? null,
    intervalSeconds: cfg.intervalSeconds,
    root: cfg.root,
    spoolDir: spool.dir,
    spooled: pending.reports,
    droppedReports: spool.droppedReports,
    watch: cfg.watch,
  });

  // Spooled reports from an earlier run are older than anything this run will scan: the deliverer sends them first.
  const deliverer = new Deliverer({ spool, send: deps.send ?? httpSender(cfg), log, backoff: deps.backoff });
  deliverer.start();

  const tracker = new VethChangeTracker();
  const scheduler = new ScanScheduler({
    intervalMs: cfg.intervalSeconds * 1000,
    log,
    run: async (reasons) => {
      const started = Date.now();
      const report = await deps.scan({
        root: cfg.root,
        cniConfDir: cfg.cniConfDir,
        node: cfg.node,
        intervalSeconds: cfg.intervalSeconds,
        droppedReports: spool.droppedReports,
      });
      tracker.setPrefix(report.cni.vethPrefix);
      // Before seeding: the MAC each new veth was created with (the scan only sees the one udev left).
      tracker.annotate(report.veths);
      tracker.seed(report.veths);
      await deliverer.submit(report);
      log.info('scan done', { reasons, ms: Date.now() - started, reportId: report.reportId, veths: report.veths.length });
    },
  });

  const debouncer = createDebouncer(() => scheduler.request('link-change'), deps.debounceMs ?? 200, 1000);
  const monitor = cfg.watch
    ? new LinkMonitor({
        log,
        command: deps.monitorCommand,
        onEvent: (event) => {
          const change = tracker.observe(event);
          if (!change) return;
          log.info('veth changed', { ...change });
          debouncer.trigger();
        },
        onRestart: () => scheduler.request('link-monitor-restarted'),
      })
    : null;

  const stopped = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

  monitor?.start();
  scheduler.start();
  deps.onReady?.({ spool, deliverer, scheduler, monitor });

  await stopped;
  log.info('agent stopping');
  debouncer.cancel();
  await monitor?.stop();
  await scheduler.stop();
  await deliverer.stop();
  log.info('agent stopped', { spooled: spool.size.reports, droppedReports: spool.droppedReports, ...deliverer.stats });
}
