// Follows `ip -d -o monitor link` (rtnetlink link events, one per line, with the link kind) for as long as the
// agent runs. If ip dies it is started again after a growing delay; events missed in that gap are covered by
// onRestart, which the agent turns into a scan.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { backoffDelay, type BackoffPolicy } from '../deliver/backoff';
import type { Logger } from '../log';
import { parseMonitorRecord, type LinkEvent } from './parse';

export const MONITOR_COMMAND: readonly string[] = ['ip', '-d', '-o', 'monitor', 'link'];

export interface LinkMonitorOptions {
  onEvent: (event: LinkEvent) => void;
  /** Called after ip was started again; events may have been missed while it was down. */
  onRestart?: () => void;
  log: Logger;
  command?: readonly string[];
  restartBackoff?: BackoffPolicy;
  /** A run this long counts as healthy: the next failure starts the backoff from the beginning again. */
  healthyAfterMs?: number;
}

export class LinkMonitor {
  private readonly opts: LinkMonitorOptions;
  private child: ChildProcess | null = null;
  private exited: Promise<void> | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private failures = 0;
  /** How often ip has been started; 1 after a clean start. */
  starts = 0;

  constructor(opts: LinkMonitorOptions) {
    this.opts = opts;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.stopping || this.child) return;
    const [cmd, ...args] = this.opts.command ?? MONITOR_COMMAND;
    const log = this.opts.log;
    const startedAt = Date.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.starts++;
    if (this.starts > 1) this.opts.onRestart?.();

    createInterface({ input: child.stdout! }).on('line', (line) => {
      const event = parseMonitorRecord(line);
      if (event) this.opts.onEvent(event);
      else if (line.trim()) log.debug('ignored a link monitor line', { line });
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (line.trim()) log.warn('link monitor said', { line, command: [cmd, ...args].join(' ') });
    });

    let resolveExited!: () => void;
    this.exited = new Promise((r) => (resolveExited = r));
    let ended = false;
    const finish = (why: Record<string, unknown>) => {
      if (ended) return;
      ended = true;
      this.child = null;
      resolveExited();
      if (this.stopping) return;
      if (Date.now() - startedAt >= (this.opts.healthyAfterMs ?? 30_000)) this.failures = 0;
      const delay = backoffDelay(this.failures++, this.opts.restartBackoff ?? { baseMs: 1000, maxMs: 30_000 });
      log.warn('link monitor stopped; restarting it', { ...why, command: [cmd, ...args].join(' '), restartInMs: delay });
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        this.start();
      }, delay);
    };
    child.on('error', (err) => finish({ error: err }));
    child.on('close', (code, signal) => finish({ code, signal }));
  }

  /** Kill ip and wait for it to go; no restarts after this. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(killer);
  }
}
