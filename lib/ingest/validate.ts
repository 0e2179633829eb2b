import 'server-only';
// Request body -> a validated Report, or the typed error that says why not (400 not JSON, 422 invalid).
import { z } from 'zod';
import { reportSchema, type Report } from '../report/schema';
import { BadJsonError, ValidationError } from '../http/errors';

export function parseJsonBody(body: Buffer | string): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim().length === 0) throw new BadJsonError('request body is empty');
  try {
    return JSON.parse(text);
  } catch {
    throw new BadJsonError();
  }
}

export const REPORT_INVALID = 'report does not match the report v1 schema';

const shape = reportSchema.shape;
/** The per-report fields, the only ones an unchanged report needs checked (its state was checked before). */
export const reportEnvelopeSchema = z.object({
  version: shape.version,
  reportId: shape.reportId,
  node: shape.node,
  collectedAt: shape.collectedAt,
  agent: z.object({ droppedReports: shape.agent.shape.droppedReports }),
});
export type ReportEnvelope = z.infer<typeof reportEnvelopeSchema>;

/** Validates the envelope; when it fails, the error carries the issues of the whole report. */
export function validateEnvelope(input: unknown): ReportEnvelope {
  const parsed = reportEnvelopeSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  validateReport(input);
  throw ValidationError.fromZod(parsed.error, REPORT_INVALID);
}

/** The wire schema (lib/report/schema.ts), the same one the agent checks its reports against before sending. */
export function validateReport(input: unknown): Report {
  const parsed = reportSchema.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, REPORT_INVALID);
  return parsed.data;
}
