// Browser-side loaders, mutations and queryOptions for remediation, the session and the audit log. Every
// mutation sends the CSRF header: the server refuses cookie-authenticated writes without it.
import { queryOptions } from '@tanstack/react-query';
import {
  CSRF_HEADER,
  CSRF_VALUE,
  FINAL_STATUSES,
  type ApplyResponse,
  type AuditPage,
  type FleetPreview,
  type FleetRequest,
  type FleetRun,
  type MeResponse,
  type PlanPreview,
  type RemediationList,
  type RemediationRecord,
  type RemediationSettings,
  type RemediationSettingsUpdate,
} from '../remediation/types';
import { ApiError } from './errors';
import { meKeys, remediationKeys } from './keys';

/** A refused mutation: the status and the server's own words, plus its machine code when it sent one. */
export class MutationError extends ApiError {
  readonly code: string | null;
  constructor(message: string, status: number, code: string | null) {
    super(message, status);
    this.name = 'MutationError';
    this.code = code;
  }
}

async function readError(res: Response): Promise<{ message: string; code: string | null }> {
  let message = `${res.status} ${res.statusText}`.trim();
  let code: string | null = null;
  try {
    const body = (await res.json()) as { error?: unknown; code?: unknown };
    if (typeof body.error === 'string') message = body.error;
    if (typeof body.code === 'string') code = body.code;
  } catch {
    // The status line is the message then.
  }
  return { message, code };
}

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store', signal });
  if (!res.ok) {
    const { message } = await readError(res);
    throw new ApiError(message, res.status);
  }
  return (await res.json()) as T;
}

async function send<T>(method: 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', [CSRF_HEADER]: CSRF_VALUE };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
    credentials: 'same-origin',
  });
  if (!res.ok) {
    const { message, code } = await readError(res);
    throw new MutationError(message, res.status, code);
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

const nodePath = (node: string) => `/api/v1/nodes/${encodeURIComponent(node)}/remediations`;

// ---- reads

export const fetchMe = (signal?: AbortSignal) => getJson<MeResponse>('/api/v1/me', signal);
export const fetchSettings = (signal?: AbortSignal) =>
  getJson<RemediationSettings>('/api/v1/remediation-settings', signal);
export const fetchNodeRemediations = (node: string, signal?: AbortSignal) =>
  getJson<RemediationList>(nodePath(node), signal);
export const fetchRemediation = (id: string, signal?: AbortSignal) =>
  getJson<RemediationRecord>(`/api/v1/remediations/${encodeURIComponent(id)}`, signal);
export const fetchFleetRun = (id: string, signal?: AbortSignal) =>
  getJson<FleetRun>(`/api/v1/remediations/fleet/${encodeURIComponent(id)}`, signal);

export interface AuditFilters {
  node?: string;
  /** ISO timestamps. */
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
}

export function auditSearch(filters: AuditFilters): string {
  const q = new URLSearchParams();
  if (filters.node) q.set('node', filters.node);
  if (filters.from) q.set('from', filters.from);
  if (filters.to) q.set('to', filters.to);
  if (filters.cursor) q.set('cursor', filters.cursor);
  if (filters.limit !== undefined) q.set('limit', String(filters.limit));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const fetchAudit = (filters: AuditFilters, signal?: AbortSignal) =>
  getJson<AuditPage>(`/api/v1/audit${auditSearch(filters)}`, signal);

// ---- mutations

export const previewRemediation = (node: string) => send<PlanPreview>('POST', nodePath(node), { dryRun: true });
export const applyRemediation = (node: string, planId: string) =>
  send<ApplyResponse>('POST', nodePath(node), { planId });
export const previewFleet = () => send<FleetPreview>('POST', '/api/v1/remediations/fleet', { dryRun: true } satisfies FleetRequest);
export const applyFleet = (plans: Array<{ node: string; planId: string }>) =>
  send<FleetRun>('POST', '/api/v1/remediations/fleet', { plans } satisfies FleetRequest);
export const updateSettings = (update: RemediationSettingsUpdate) =>
  send<RemediationSettings>('PUT', '/api/v1/remediation-settings', update);
export const signIn = (token: string) => send<MeResponse>('POST', '/api/v1/session', { token });
export const signOut = () => send<unknown>('DELETE', '/api/v1/session');

// ---- queryOptions

/** While something runs, the page asks every second; afterwards as slowly as the rest of the page. */
export const ACTIVE_POLL_MS = 1_000;
export const IDLE_POLL_MS = 10_000;

/** Still moving: running, or finished but waiting for the node's next report to verify it. */
export function isInFlight(r: RemediationRecord): boolean {
  if (r.status === 'pending' || r.status === 'running') return true;
  return r.status === 'succeeded' && r.verification.nextReport === null;
}

export const isFinal = (r: RemediationRecord) => (FINAL_STATUSES as readonly string[]).includes(r.status);

export type MeLoader = (signal: AbortSignal) => Promise<MeResponse>;

export function meQuery(load: MeLoader = fetchMe) {
  return queryOptions({ queryKey: meKeys.me(), queryFn: ({ signal }) => load(signal), staleTime: 30_000 });
}

export function settingsQuery() {
  return queryOptions({
    queryKey: remediationKeys.settings(),
    queryFn: ({ signal }) => fetchSettings(signal),
    refetchInterval: IDLE_POLL_MS,
  });
}

export function nodeRemediationsQuery(node: string) {
  return queryOptions({
    queryKey: remediationKeys.node(node),
    queryFn: ({ signal }) => fetchNodeRemediations(node, signal),
    refetchInterval: (query) => {
      const data = query.state.data;
      if (!data) return IDLE_POLL_MS;
      const moving = data.active.length > 0 || data.remediations.some(isInFlight);
      return moving ? ACTIVE_POLL_MS : IDLE_POLL_MS;
    },
  });
}

export function remediationQuery(id: string) {
  return queryOptions({
    queryKey: remediationKeys.one(id),
    queryFn: ({ signal }) => fetchRemediation(id, signal),
    refetchInterval: (query) => (query.state.data && !isInFlight(query.state.data) ? IDLE_POLL_MS : ACTIVE_POLL_MS),
  });
}

export function fleetRunQuery(id: string) {
  return queryOptions({
    queryKey: remediationKeys.fleetRun(id),
    queryFn: ({ signal }) => fetchFleetRun(id, signal),
    refetchInterval: (query) => (query.state.data && query.state.data.status !== 'running' ? false : ACTIVE_POLL_MS),
  });
}

export function auditQuery(filters: AuditFilters) {
  return queryOptions({
    queryKey: remediationKeys.audit(filters),
    queryFn: ({ signal }) => fetchAudit(filters, signal),
  });
}
