// Moves reports from the spool to the server, strictly in order: every report is spooled first, and only the
// oldest spooled report is ever in flight, so a report never overtakes an older one (on start, what a previous run
// left behind goes first). A report leaves the spool only after the server accepted it; a crash between "accepted"
// and the delete means one resend, which the server acknowledges as a duplicate by reportId.
import { reportSchema, type Report } from '../../lib/report/schema';
import type { Logger } from '../log';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import type { SendOutcome } from './send';
import type { Spool, SpoolEntry } from './spool';

export type SendFn = (body: string, signal: AbortSignal) => Promise<SendOutcome>;

export interface DelivererOptions {
  spool: Spool;
  send: SendFn;
  log: Logger;
  backoff?: BackoffPolicy;
  random?: () => number;
}

export interface DeliveryStats {
  accepted: number;
  duplicates: number;
  rejected: number;
  failedAttempts: number;
}

/**
 * The report as it goes on the wire. droppedReports is stamped at send time, not scan time: the count is "dropped
 * since the last accepted report", and only at send time is it known which reports were accepted before this one.
 */
export function wireBody(report: Report, droppedReports: number): string {
  return JSON.stringify({ ...report, agent: { ...report.agent, droppedReports } });
}

export class Deliverer {
  private readonly spool: Spool;
  private readonly send: SendFn;
  private readonly log: Logger;
  private readonly policy: BackoffPolicy;
  private readonly random: () => number;
  private readonly abort = new AbortController();
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private idleWaiters: Array<() => void> = [];
  private sending = false;
  private failing = false;
  readonly stats: DeliveryStats = { accepted: 0, duplicates: 0, rejected: 0, failedAttempts: 0 };

  constructor(opts: DelivererOptions) {
    this.spool = opts.spool;
    this.send = opts.send;
    this.log = opts.log;
    this.policy = opts.backoff ?? DEFAULT_BACKOFF;
    this.random = opts.random ?? Math.random;
  }

  /** Start sending whatever the spool holds, oldest first, and keep going as reports are submitted. */
  start(): void {
    if (!this.running) this.running = this.pump();
  }

  /** Validate and spool a report; the pump sends it after everything older. Null if the report was invalid. */
  async submit(report: Report): Promise<SpoolEntry | null> {
    const parsed = reportSchema.safeParse(report);
    if (!parsed.success) {
      const where = await this.spool.rejectUnsent(report, parsed.error.issues);
      this.log.error('the agent produced a report that fails the wire schema; not sending it', {
        issues: parsed.error.issues.slice(0, 10),
        keptAt: where,
      });
      return null;
    }
    const entry = await this.spool.append(parsed.data);
    this.log.debug('report spooled', { reportId: entry.reportId, spooled: this.spool.size.reports });
    this.wake?.();
    return entry;
  }

  /** Resolves once the spool is empty and nothing is in flight. */
  whenIdle(): Promise<void> {
    if (this.spool.size.reports === 0 && !this.sending) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Abort the request in flight (its report stays spooled) and stop. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    await this.running;
    this.running = null;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.abort.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.abort.signal.addEventListener('abort', done);
    });
  }

  private waitForWork(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = null;
        resolve();
      };
      if (this.stopped || this.spool.size.reports > 0) this.wake();
    });
  }

  private async pump(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      const entry = this.spool.claimNext();
      if (!entry) {
        for (const resolve of this.idleWaiters.splice(0)) resolve();
        await this.waitForWork();
        continue;
      }
      this.sending = true;
      let delay = 0;
      try {
        const outcome = await this.deliver(entry);
        if (outcome === 'gone') continue;
        if (outcome.kind === 'accepted' || outcome.kind === 'rejected') {
          attempt = 0;
          continue;
        }
        if (this.stopped) break;
        delay = outcome.kind === 'refused' ? this.policy.maxMs : backoffDelay(attempt++, this.policy, this.random);
        this.logFailure(entry, outcome, delay);
      } catch (err) {
        // Disk trouble in the spool: nothing to do but say so and try again later; the reports stay on disk.
        delay = backoffDelay(attempt++, this.policy, this.random);
        this.log.error('delivery failed', { error: err, retryInMs: delay });
      } finally {
        this.sending = false;
        // Released before the wait: while the server is away the head of the queue may be dropped like any other.
        this.spool.release();
      }
      await this.sleep(delay);
    }
  }

  private async deliver(entry: SpoolEntry): Promise<SendOutcome | 'gone'> {
    const report = await this.spool.read(entry);
    if (!report) return 'gone';
    const dropped = this.spool.droppedReports;
    const outcome = await this.send(wireBody(report, dropped), this.abort.signal);
    switch (outcome.kind) {
      case 'accepted':
        await this.spool.remove(entry);
        await this.spool.acknowledgeDropped(dropped);
        this.stats.accepted++;
        if (outcome.duplicate) this.stats.duplicates++;
        if (this.failing) this.log.info('server reachable again', { spooled: this.spool.size.reports });
        this.failing = false;
        this.log.info('report accepted', {
          reportId: entry.reportId,
          status: outcome.status,
          duplicate: outcome.duplicate,
          droppedReports: dropped,
          spooled: this.spool.size.reports,
        });
        break;
      case 'rejected':
        await this.spool.reject(entry, { status: outcome.status, answer: outcome.answer });
        this.stats.rejected++;
        this.log.error('server rejected a report as malformed; moved it to rejected/ and will not resend it', {
          reportId: entry.reportId,
          status: outcome.status,
          answer: outcome.answer,
          rejectedDir: `${this.spool.dir}/rejected`,
        });
        break;
      default:
        this.stats.failedAttempts++;
    }
    return outcome;
  }

  private logFailure(entry: SpoolEntry, outcome: SendOutcome, retryInMs: number): void {
    this.failing = true;
    const spooled = this.spool.size.reports;
    if (outcome.kind === 'refused') {
      this.log.error('server refused the agent (check --server and --token); reports stay spooled', {
        status: outcome.status,
        answer: outcome.answer,
        reportId: entry.reportId,
        spooled,
        retryInMs,
      });
    } else if (outcome.kind === 'retry') {
      this.log.warn('server unreachable; reports stay spooled', {
        status: outcome.status,
        error: outcome.error,
        spooled,
        retryInMs,
      });
    }
  }
}
