// Runs scans one at a time: on a fixed cadence and whenever asked. A request during a scan does not start a second
// scan beside it (two scans would race to describe the same moment) but schedules exactly one more after it, so a
// change that happened mid-scan is always covered by a scan that started after it.
import type { Logger } from '../log';

export type ScanRun = (reasons: string[]) => Promise<void>;

export class ScanScheduler {
  private readonly runScan: ScanRun;
  private readonly intervalMs: number;
  private readonly log: Logger;
  private interval: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;
  private pending: string[] = [];
  private stopped = false;
  /** Scans completed, for tests and logs. */
  runs = 0;

  constructor(opts: { run: ScanRun; intervalMs: number; log: Logger }) {
    this.runScan = opts.run;
    this.intervalMs = opts.intervalMs;
    this.log = opts.log;
  }

  /** Scan now, then every interval. */
  start(): void {
    this.interval = setInterval(() => this.request('interval'), this.intervalMs);
    this.request('start');
  }

  get busy(): boolean {
    return this.current !== null;
  }

  request(reason: string): void {
    if (this.stopped) return;
    if (!this.pending.includes(reason)) this.pending.push(reason);
    if (!this.current) this.current = this.loop();
  }

  private async loop(): Promise<void> {
    while (this.pending.length > 0 && !this.stopped) {
      const reasons = this.pending;
      this.pending = [];
      try {
        await this.runScan(reasons);
      } catch (err) {
        this.log.error('scan failed', { error: err, reasons });
      }
      this.runs++;
    }
    this.current = null;
  }

  /** No new scans; wait up to `graceMs` for the one in progress. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    if (this.interval) clearInterval(this.interval);
    this.interval = null;
    this.pending = [];
    if (!this.current) return;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = await Promise.race([
      this.current.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (gaveUp) this.log.warn('stopping without waiting for the scan in progress', { graceMs });
  }
}
