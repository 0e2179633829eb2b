import 'server-only';
// Request body -> a validated Report, or the typed error that says why not (400 not JSON, 422 invalid).
import { z } from 'zod';
import { reportSchema, type Report } from '../report/schema';
import { BadJsonError, ValidationError, type ValidationIssue } from '../http/errors';

export function parseJsonBody(body: Buffer | string): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim().length === 0) throw new BadJsonError('request body is empty');
  try {
    return JSON.parse(text);
  } catch {
    throw new BadJsonError();
  }
}

function duplicates<T>(items: readonly T[], key: (item: T) => string, path: (i: number) => (string | number)[], what: string): ValidationIssue[] {
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) issues.push({ code: 'custom', path: path(i), message: `duplicate ${what} "${k}"` } as ValidationIssue);
    seen.add(k);
  });
  return issues;
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

/**
 * The wire schema, plus what the schema cannot say: transitions are keyed by veth name and link file path, so
 * each must be unique within a report.
 */
export function validateReport(input: unknown): Report {
  const parsed = reportSchema.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, REPORT_INVALID);
  const report = parsed.data;
  const issues = [
    ...duplicates(report.veths, (v) => v.ifname, (i) => ['veths', i, 'ifname'], 'veth ifname'),
    ...duplicates(report.linkPolicy.files, (f) => f.path, (i) => ['linkPolicy', 'files', i, 'path'], 'link file path'),
  ];
  if (issues.length > 0) throw new ValidationError(issues, REPORT_INVALID);
  return report;
}
