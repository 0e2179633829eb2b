import 'server-only';
// POST /api/v1/reports on plain node:http: the lean path the custom server answers itself, without Next's
// request pipeline. Order matters: the token is checked before a byte of the body is read.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AgentCredential } from '../auth/agentIdentity';
import type { EventBus } from '../events/bus';
import { MethodNotAllowedError } from '../http/errors';
import { readBody, RequestAbortedError, sendError, sendJson } from '../http/node';
import { recordReportAccepted, recordReportRejected, rejectReason } from '../metrics/record';
import type { Store } from '../store';
import { ingestReportText, type IngestOutcome } from './ingestReport';

export const REPORTS_PATH = '/api/v1/reports';
export const MAX_REPORT_BYTES = 2 * 1024 * 1024;

export interface ReportAcceptedBody {
  accepted: true;
  reportId: string;
  duplicate: boolean;
  outcome: IngestOutcome;
  events: number;
}

export interface ReportHandlerDeps {
  store: () => Promise<Store>;
  bus?: EventBus;
  maxBytes?: number;
  /** See clockSkew.ts; default VETHWATCH_MAX_CLOCK_SKEW_SECONDS or 120. */
  maxClockSkewSeconds?: number;
  /** Checks the credential (lib/auth/agentIdentity: the shared agentToken or a ServiceAccount token). */
  authenticate: (authorization: string | undefined) => Promise<AgentCredential>;
  /** Count reports in lib/metrics (the server does; unit tests of the handler need not). */
  metrics?: boolean;
}

export async function handleReportRequest(req: IncomingMessage, res: ServerResponse, deps: ReportHandlerDeps): Promise<void> {
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  try {
    if (req.method !== 'POST') throw new MethodNotAllowedError(['POST']);
    const credential = await deps.authenticate(req.headers.authorization);
    const requireNode = credential.kind === 'service-account' ? credential.node : undefined;
    const checkNode = credential.kind === 'shared' ? credential.checkNode : undefined;
    const body = await readBody(req, deps.maxBytes ?? MAX_REPORT_BYTES);
    const result = await ingestReportText(await deps.store(), body.toString('utf8'), {
      bus: deps.bus,
      requireNode,
      checkNode,
      maxClockSkewSeconds: deps.maxClockSkewSeconds,
    });
    if (deps.metrics) recordReportAccepted(result.outcome, seconds(), result.events);
    const duplicate = result.outcome === 'duplicate';
    const answer: ReportAcceptedBody = {
      accepted: true,
      reportId: result.reportId,
      duplicate,
      outcome: result.outcome,
      events: result.events.length,
    };
    sendJson(res, duplicate ? 200 : 202, answer);
  } catch (err) {
    if (deps.metrics) recordReportRejected(err instanceof RequestAbortedError ? 'error' : rejectReason(err), seconds());
    if (err instanceof RequestAbortedError) {
      res.destroy();
      return;
    }
    sendError(res, err);
  }
}
