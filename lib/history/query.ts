import 'server-only';
// Query parameters of the history endpoints: parsed with zod, defaults applied, and every problem reported as
// one 422 through lib/http/errors. Cursors are opaque to clients: base64url of the last row's id.
import { z } from 'zod';
import { EVENT_TYPES, type EventType } from '../events/types';
import { ValidationError, type ValidationIssue } from '../http/errors';
import { DEFAULT_PAGE_LIMIT, DEFAULT_RANGE_HOURS, MAX_PAGE_LIMIT, type SortOrder, type TimeRange } from './types';

const isoTime = z.iso.datetime({ offset: true, message: 'an ISO-8601 date-time with a zone, e.g. 2026-11-26T12:00:00Z' });

const baseShape = {
  from: isoTime.optional(),
  to: isoTime.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT),
  cursor: z.string().min(1).max(256).optional(),
  format: z.enum(['json', 'csv']).default('json'),
};

const orderSchema = z.enum(['asc', 'desc']);

export const historyQuerySchema = z.object({ ...baseShape, order: orderSchema.default('asc') });
export const eventsQuerySchema = z.object({
  ...baseShape,
  order: orderSchema.default('desc'),
  node: z.string().min(1).max(253).optional(),
  type: z
    .string()
    .transform((text) => [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))])
    .pipe(z.array(z.enum(EVENT_TYPES)).min(1, 'at least one event type'))
    .optional(),
});
export const linkFileQuerySchema = z.object({ ...baseShape, path: z.string().startsWith('/').max(4096).optional() });
export const timelineQuerySchema = z.object(baseShape);

export interface PageQuery {
  range: TimeRange;
  limit: number;
  /** The id the cursor names, or null for the first page. */
  after: number | null;
  format: 'json' | 'csv';
}

export interface HistoryQuery extends PageQuery {
  order: SortOrder;
}

export interface EventsQuery extends HistoryQuery {
  node: string | null;
  types: EventType[] | null;
}

export interface LinkFileQuery extends PageQuery {
  path: string | null;
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError([{ code: 'custom', path: [path], message, input: undefined } as unknown as ValidationIssue], 'query parameters failed validation');
}

export function encodeCursor(id: number): string {
  return Buffer.from(JSON.stringify({ id }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('cursor', 'not a cursor this server issued');
  }
  const id = (parsed as { id?: unknown } | null)?.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw invalid('cursor', 'not a cursor this server issued');
  return id;
}

/** Query parameters as a plain object: the first value of each name. */
function paramsOf(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of url.searchParams) if (!(key in out)) out[key] = value;
  return out;
}

function parse<S extends z.ZodType>(schema: S, url: URL): z.output<S> {
  const result = schema.safeParse(paramsOf(url));
  if (!result.success) throw ValidationError.fromZod(result.error, 'query parameters failed validation');
  return result.data;
}

/** from/to with defaults (the DEFAULT_RANGE_HOURS before `to`, `to` = now), normalised to stored form. */
export function resolveRange(from: string | undefined, to: string | undefined, now: Date): TimeRange {
  const toMs = to === undefined ? now.getTime() : Date.parse(to);
  const fromMs = from === undefined ? toMs - DEFAULT_RANGE_HOURS * 3600 * 1000 : Date.parse(from);
  if (!(fromMs < toMs)) throw invalid('from', '`from` must be before `to`');
  return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
}

function page(q: { from?: string; to?: string; limit: number; cursor?: string; format: 'json' | 'csv' }, now: Date): PageQuery {
  return {
    range: resolveRange(q.from, q.to, now),
    limit: q.limit,
    after: q.cursor === undefined ? null : decodeCursor(q.cursor),
    format: q.format,
  };
}

export function parseHistoryQuery(url: URL, now: Date): HistoryQuery {
  const q = parse(historyQuerySchema, url);
  return { ...page(q, now), order: q.order };
}

export function parseEventsQuery(url: URL, now: Date): EventsQuery {
  const q = parse(eventsQuerySchema, url);
  return { ...page(q, now), order: q.order, node: q.node ?? null, types: q.type ?? null };
}

export function parseLinkFileQuery(url: URL, now: Date): LinkFileQuery {
  const q = parse(linkFileQuerySchema, url);
  return { ...page(q, now), path: q.path ?? null };
}

export function parseTimelineQuery(url: URL, now: Date): PageQuery {
  return page(parse(timelineQuerySchema, url), now);
}
