// `--once --server`: send one report now, with a few quick retries for a server that is momentarily down, and say
// whether it was accepted. No spool: a one-shot run leaves no state behind; the exit code tells the caller.
import type { Report } from '../../lib/report/schema';
import type { Logger } from '../log';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { wireBody, type SendFn } from './deliverer';

export const ONCE_ATTEMPTS = 3;

export async function sendOnce(
  report: Report,
  send: SendFn,
  log: Logger,
  opts: { attempts?: number; backoff?: BackoffPolicy; signal?: AbortSignal } = {},
): Promise<boolean> {
  const attempts = opts.attempts ?? ONCE_ATTEMPTS;
  const signal = opts.signal ?? new AbortController().signal;
  const body = wireBody(report, report.agent.droppedReports);
  for (let attempt = 0; attempt < attempts; attempt++) {
    const outcome = await send(body, signal);
    switch (outcome.kind) {
      case 'accepted':
        log.info('report accepted', { reportId: report.reportId, status: outcome.status, duplicate: outcome.duplicate });
        return true;
      case 'rejected':
        log.error('server rejected the report as malformed', { reportId: report.reportId, status: outcome.status, answer: outcome.answer });
        return false;
      case 'refused':
        log.error('server refused the agent (check --server and --token)', { status: outcome.status, answer: outcome.answer });
        return false;
      case 'retry': {
        const last = attempt === attempts - 1;
        const delay = backoffDelay(attempt, opts.backoff ?? DEFAULT_BACKOFF);
        log.warn('server unreachable', { status: outcome.status, error: outcome.error, attempt: attempt + 1, of: attempts, ...(last ? {} : { retryInMs: delay }) });
        if (last || signal.aborted) return false;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
  return false;
}
