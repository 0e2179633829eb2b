import 'server-only';
// The remediation API as plain Request -> Response functions: the route files under app/api/v1 are one-line
// wrappers around these, and the tests call them directly with their own runtime (store, executor, auth).
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { authConfigFromEnv, checkCsrf, identify, requireOperator, TOKEN_USER, type AuthConfig, type Identity } from '../auth/operator';
import { clearSessionCookie, sessionCookie, signSession } from '../auth/session';
import { AuthError, BadJsonError, errorResponse, NotFoundError, ValidationError } from '../http/errors';
import { previewFleet, resumeFleetRun, startFleetRun } from './fleet';
import type { RemediationRuntime } from './runtime';
import { applyRemediation, previewRemediation } from './service';
import { updateRemediationSettings } from './settings';
import {
  CSRF_HEADER,
  CSRF_VALUE,
  REMEDIATION_STATUSES,
  type AuditPage,
  type MeResponse,
  type RemediationList,
  type RemediationSettings,
} from './types';

/** What the handlers need from the process: the runtime (store, executor) and the auth configuration. */
export interface HandlerContext {
  runtime: Pick<RemediationRuntime, 'config' | 'deps'>;
  auth: AuthConfig;
}

const NO_STORE = { 'cache-control': 'no-store' };
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => Response.json(body, { status, headers: { ...NO_STORE, ...headers } });

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.length > 64 * 1024) throw new ValidationError([], 'request body too large');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new BadJsonError();
  }
}

function me(ctx: HandlerContext, id: Identity): MeResponse {
  const { config } = ctx.runtime;
  return {
    user: id.user,
    groups: id.groups,
    role: id.role,
    via: id.via,
    canRemediate: id.role === 'operator' && config.executor !== 'none',
    executor: config.executor,
    executorDetail: config.executorDetail,
    localNode: config.localNode,
    sessionLogin: ctx.auth.operatorToken !== null,
    csrf: { header: CSRF_HEADER, value: CSRF_VALUE },
  };
}

async function wrap(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    return errorResponse(err);
  }
}

// --- who am I, sessions ------------------------------------------------------------------------------------------

export function handleMe(request: Request, ctx: HandlerContext): Promise<Response> {
  return wrap(async () => json(await whoAmI(request.headers, ctx)));
}

/** Who is asking, from a request's headers: GET /api/v1/me, and the pages' server-side prefetch of it. */
export async function whoAmI(headers: Headers, ctx: HandlerContext): Promise<MeResponse> {
  return me(ctx, identify(headers, ctx.auth));
}

const sessionBody = z.object({ token: z.string().min(1).max(4096) }).strict();

function isSecure(request: Request, auth: AuthConfig): boolean {
  if (new URL(request.url).protocol === 'https:') return true;
  return auth.trustedProxy && request.headers.get('x-forwarded-proto') === 'https';
}

export function handleSessionLogin(request: Request, ctx: HandlerContext): Promise<Response> {
  return wrap(async () => {
    checkCsrf(request.headers, ctx.auth); // no logging in from another site's form either
    const parsed = sessionBody.safeParse(await readJson(request));
    if (!parsed.success) throw ValidationError.fromZod(parsed.error, 'send {"token": "<operator token>"}');
    const expected = ctx.auth.operatorToken;
    if (!expected) throw new AuthError('no operator token is configured on this server (VETHWATCH_OPERATOR_TOKEN)');
    const h = (s: string) => createHash('sha256').update(s).digest();
    if (!timingSafeEqual(h(parsed.data.token), h(expected))) throw new AuthError('invalid operator token');
    const cookie = signSession(TOKEN_USER, ctx.auth.sessionSecret, expected);
    await (await ctx.runtime.deps()).store.remediations.appendAudit({ at: new Date().toISOString(), actor: TOKEN_USER, via: 'session', action: 'login', detail: 'browser session started with the operator token' });
    return json(me(ctx, { user: TOKEN_USER, groups: [], role: 'operator', via: 'session' }), 200, { 'set-cookie': sessionCookie(cookie, isSecure(request, ctx.auth)) });
  });
}

export function handleSessionLogout(request: Request, ctx: HandlerContext): Promise<Response> {
  return wrap(async () => {
    checkCsrf(request.headers, ctx.auth);
    return json(me(ctx, { user: null, groups: [], role: 'viewer', via: 'anonymous' }), 200, { 'set-cookie': clearSessionCookie(isSecure(request, ctx.auth)) });
  });
}

// --- one node ----------------------------------------------------------------------------------------------------

const remediationBody = z
  .object({
    dryRun: z.boolean().optional(),
    planId: z.string().regex(/^[0-9a-f]{16}$/, 'a plan id is 16 lower-case hex digits').optional(),
  })
  .strict()
  .refine((b) => b.dryRun === true || b.planId !== undefined, { message: 'send {"dryRun": true} to preview, then {"planId": "<id>"} to apply', path: ['planId'] })
  .refine((b) => !(b.dryRun === true && b.planId !== undefined), { message: 'a dry run takes no planId', path: ['planId'] });

export function handleNodeRemediationsPost(request: Request, node: string, ctx: HandlerContext): Promise<Response> {
  return wrap(async () => {
    const who = requireOperator(request, ctx.auth);
    const parsed = remediationBody.safeParse(await readJson(request));
    if (!parsed.success) throw ValidationError.fromZod(parsed.error, 'invalid remediation request');
    const deps = await ctx.runtime.deps();
    if (parsed.data.dryRun) return json(await previewRemediation(deps, node, who));
    const remediation = await applyRemediation(deps, node, parsed.data.planId!, who);
    return json({ remediation }, 202);
  });
}

export function handleNodeRemediationsGet(request: Request, node: string, ctx: HandlerContext): Promise<Response> {
  return wrap(async () => {
    const { store } = await ctx.runtime.deps();
    const url = new URL(request.url);
    const body: RemediationList = {
      active: await store.remediations.listActive(node),
      remediations: await store.remediations.list({ node, includePlanned: url.searchParams.get('include') === 'planned', limit: limitOf(url, 50) }),
    };
    return json(body);
  });
}

// --- fleet-wide --------------------------------------------------------------------------------------------------

function limitOf(url: URL, fallback: number, max = 500): number {
  const raw = url.searchParams.get('limit');
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new ValidationError([], `limit must be an integer from 1 to ${max}`);
  return n;
}

const statusParam = z.enum(REMEDIATION_STATUSES);

export function handleRemediationsList(request: Request, ctx: HandlerContext): Promise<Response> {
  return wrap(async () => {
    const { store } = await ctx.runtime.deps();
    const url = new URL(request.url);
    const node = url.searchParams.get('node') ?? undefined;
    const statuses = url.searchParams.getAll('status').map((s) => {
      const p = statusParam.safeParse(s);
      if (!p.success) throw new ValidationError([], `unknown status "${s}"`);
      return p.data;
    });
    const body: RemediationList = {
      active: await store.remediations.listActive(node),
      remediations: await store.remediations.list({ node, statuses, includePlanned: url.searchParams.get('include') === 'planned', limit: limitOf(url, 50) }),
    };
    return json(body);
  });
}

export function handleRemediationGet(_request: Request, id: string, ctx: HandlerContext): Promise<Response> {
  return wrap(async () => {
    const rec = await (await ctx.runtime.deps()).store.remediations.get(id);
    if (!rec) throw new NotFoundError(`no remediation ${id}`);
    return json(rec);
  });
}

const fleetBody = z
  .object({
    dryRun: z.boolean().optional(),
    plans: z
      .array(z.object({ node: z.string().min(1).max(253), planId: z.string().regex(/^[0-9a-f]{16}$/) }).strict())
      .min(1)
      .max(5000)
      .optional(),
    resume: z.string().min(1).max(100).optional(),
  })
  .strict()
  .refine((b) => b.dryRun === true || b.plans !== undefined || b.resume !== undefined, {
    message: 'send {"dryRun": true} to preview, then {"plans": [{node, planId}]} to apply, or {"resume": "<interrupted run id>"}',
    path: ['plans'],
  });

export function handleFleetPost(request: Request, ctx: HandlerContext): Promise<Response> {
  return wrap(async () => {
    const who = requireOperator(request, ctx.auth);
    const parsed = fleetBody.safeParse(await readJson(request));
    if (!parsed.success) throw ValidationError.fromZod(parsed.error, 'invalid fleet remediation request');
    const deps = await ctx.runtime.deps();
    if (parsed.data.dryRun) return json(await previewFleet(deps, who));
    if (parsed.data.resume) return json(await resumeFleetRun(deps, who, parsed.data.resume), 202);
    return json(await startFleetRun(deps, who, parsed.data.plans!), 202);
  });
}

export function handleFleetGet(_request: Request, id: string, ctx: HandlerContext): Promise<Response> {
  return wrap(async () => {
    const run = await (await ctx.runtime.deps()).store.remediations.getFleetRun(id);
    if (!run) throw new NotFoundError(`no fleet run ${id}`);
    return json(run);
  });
}

// --- settings, audit ---------------------------------------------------------------------------------------------

export function handleSettingsGet(_request: Request, ctx: HandlerContext): Promise<Response> {
  return wrap(async () => {
    const settings: RemediationSettings = await (await ctx.runtime.deps()).store.remediations.getSettings();
    return json(settings);
  });
}

export function handleSettingsPut(request: Request, ctx: HandlerContext): Promise<Response> {
  return wrap(async () => {
    const who = requireOperator(request, ctx.auth);
    const body = await readJson(request);
    return json(await updateRemediationSettings((await ctx.runtime.deps()).store, who, body));
  });
}

const isoParam = z.iso.datetime({ offset: true });

export function handleAuditGet(request: Request, ctx: HandlerContext): Promise<Response> {
  return wrap(async () => {
    const url = new URL(request.url);
    const param = (name: 'from' | 'to') => {
      const v = url.searchParams.get(name);
      if (v === null) return undefined;
      if (!isoParam.safeParse(v).success) throw new ValidationError([], `${name} must be an ISO-8601 time, e.g. 2026-01-31T00:00:00Z`);
      return new Date(v).toISOString();
    };
    const cursor = url.searchParams.get('cursor') ?? undefined;
    if (cursor !== undefined && !/^\d{1,18}$/.test(cursor)) throw new ValidationError([], 'cursor must be an audit entry id');
    const page: AuditPage = await (await ctx.runtime.deps()).store.remediations.listAudit({
      cursor,
      from: param('from'),
      to: param('to'),
      node: url.searchParams.get('node') ?? undefined,
      limit: limitOf(url, 100, 1000),
    });
    return json(page);
  });
}

/** The context route handlers use: the process's runtime and the auth configuration from the environment. */
export async function defaultContext(): Promise<HandlerContext> {
  const { getRemediationRuntime } = await import('./runtime');
  return { runtime: getRemediationRuntime(), auth: authConfigFromEnv() };
}
