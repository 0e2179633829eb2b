// Browser-side loaders, mutations and queryOptions for remediation, the session and the audit log. Every
// mutation goes through sendJson (lib/queries/http), which sends the CSRF header the server requires.
import { queryOptions } from '@tanstack/react-query';
import {
  isInFlight,
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
import { nodeApiPath } from './fetchers';
import { getJson, sendJson, withQuery } from './http';
import { meKeys, remediationKeys } from './keys';

/** POST here previews (`{dryRun: true}`) or applies (`{planId}`); GET lists the node's remediations. */
const nodeRemediationsPath = (node: string) => `${nodeApiPath(node)}/remediations`;

// ---- reads

export const fetchMe = (signal?: AbortSignal) => getJson<MeResponse>('/api/v1/me', signal);
export const fetchSettings = (signal?: AbortSignal) =>
  getJson<RemediationSettings>('/api/v1/remediation-settings', signal);
export const fetchNodeRemediations = (node: string, signal?: AbortSignal) =>
  getJson<RemediationList>(nodeRemediationsPath(node), signal);
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
  return withQuery('', { node: filters.node, from: filters.from, to: filters.to, cursor: filters.cursor, limit: filters.limit });
}

export const fetchAudit = (filters: AuditFilters, signal?: AbortSignal) =>
  getJson<AuditPage>(`/api/v1/audit${auditSearch(filters)}`, signal);

// ---- mutations

// Named apart from lib/remediation/service's previewRemediation/applyRemediation, which do the work on the server.
export const fetchRemediationPreview = (node: string) =>
  sendJson<PlanPreview>('POST', nodeRemediationsPath(node), { dryRun: true });
export const postRemediation = (node: string, planId: string) =>
  sendJson<ApplyResponse>('POST', nodeRemediationsPath(node), { planId });
export const previewFleet = () => sendJson<FleetPreview>('POST', '/api/v1/remediations/fleet', { dryRun: true } satisfies FleetRequest);
export const applyFleet = (plans: Array<{ node: string; planId: string }>) =>
  sendJson<FleetRun>('POST', '/api/v1/remediations/fleet', { plans } satisfies FleetRequest);
export const updateSettings = (update: RemediationSettingsUpdate) =>
  sendJson<RemediationSettings>('PUT', '/api/v1/remediation-settings', update);
export const signIn = (token: string) => sendJson<MeResponse>('POST', '/api/v1/session', { token });
export const signOut = () => sendJson<unknown>('DELETE', '/api/v1/session');

// ---- queryOptions

/** While something runs, the page asks every second; afterwards as slowly as the rest of the page. */
export const ACTIVE_POLL_MS = 1_000;
export const IDLE_POLL_MS = 10_000;

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
