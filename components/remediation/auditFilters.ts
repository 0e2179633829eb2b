// The audit page's URL (?node=&from=&to=&cursor=) to API filters. The form's datetime-local inputs carry no
// zone; the dashboard shows UTC everywhere, so they are read as UTC.
import type { AuditFilters } from '../../lib/queries/remediation';

export type AuditSearch = Record<string, string | string[] | undefined>;

export interface AuditInputs {
  node: string;
  from: string;
  to: string;
  /** Page size as typed in the URL; empty for the default. */
  limit: string;
}

export const DEFAULT_AUDIT_PAGE = 50;
const MAX_AUDIT_PAGE = 500;

const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
const NODE = /^[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;

function one(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
}

function toIso(v: string, name: string, problems: string[]): string | undefined {
  if (v === '') return undefined;
  const text = LOCAL.test(v) ? `${v}Z` : v;
  const t = Date.parse(text);
  if (Number.isNaN(t)) {
    problems.push(`"${name}" is not a time: ${v}`);
    return undefined;
  }
  return new Date(t).toISOString();
}

export function auditFiltersFromSearch(search: AuditSearch): {
  filters: AuditFilters;
  inputs: AuditInputs;
  problems: string[];
} {
  const problems: string[] = [];
  const inputs = { node: one(search.node), from: one(search.from), to: one(search.to), limit: one(search.limit) };
  const filters: AuditFilters = { limit: DEFAULT_AUDIT_PAGE };
  if (inputs.limit !== '') {
    const n = Number(inputs.limit);
    if (Number.isInteger(n) && n >= 1 && n <= MAX_AUDIT_PAGE) filters.limit = n;
    else problems.push(`"limit" must be a whole number from 1 to ${MAX_AUDIT_PAGE}, got ${inputs.limit}`);
  }
  if (inputs.node !== '') {
    if (NODE.test(inputs.node)) filters.node = inputs.node;
    else problems.push(`"${inputs.node}" is not a node name`);
  }
  filters.from = toIso(inputs.from, 'From', problems);
  filters.to = toIso(inputs.to, 'To', problems);
  const cursor = one(search.cursor);
  if (cursor !== '') filters.cursor = cursor;
  if (filters.from === undefined) delete filters.from;
  if (filters.to === undefined) delete filters.to;
  return { filters, inputs, problems };
}

/** The page URL for the same filters at another cursor (none: the newest page). */
export function auditHref(inputs: AuditInputs, cursor: string | null): string {
  const q = new URLSearchParams();
  if (inputs.node) q.set('node', inputs.node);
  if (inputs.from) q.set('from', inputs.from);
  if (inputs.to) q.set('to', inputs.to);
  if (inputs.limit) q.set('limit', inputs.limit);
  if (cursor) q.set('cursor', cursor);
  const s = q.toString();
  return s ? `/audit?${s}` : '/audit';
}
