import 'server-only';
// The remediation API as plain Request -> Response functions: the route files under app/api/v1 are one-line
// wrappers around these, and the tests call them directly with their own runtime (store, executor, auth).
import { z } from 'zod';
import { operatorsConfigured } from '../auth/config';
import { authConfigFromEnv, authorizeOperator, checkCsrf, identify, operatorForToken, type AuthConfig, type Identity } from '../auth/operator';
import { clearSessionCookie, endSession, readCookie, resolveSession, secureCookies, SESSION_COOKIE, sessionCookie, startSession } from '../auth/session';
import { getSignInLimiter, type SignInLimiter } from '../auth/signInLimiter';
import { peerAddress } from '../http/peer';
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
  /** Failed sign-ins per client address; the process's own unless a test brings one. */
  signIns?: SignInLimiter;
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
    sessionLogin: ctx.auth.operators.length > 0,
    operatorsConfigured: operatorsConfigured(ctx.auth),
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

/** The client a failed credential is counted against; without the server's peer header all such callers share one. */
const clientOf = (request: Request) => peerAddress(request.headers) ?? 'unknown';

/** Records a failed credential: the audit log (time, client, reason; never the token) and the client's failure count. */
async function failedCredential(ctx: HandlerContext, client: string, reason: string, how: string): Promise<void> {
  (ctx.signIns ?? getSignInLimiter()).fail(client);
  const { store } = await ctx.runtime.deps();
  await store.remediations.appendAudit({ at: new Date().toISOString(), actor: 'anonymous', via: 'anonymous', action: 'login-failed', result: reason, detail: `client ${client} (${how})` });
}

/**
 * Who is asking. A bearer token is a credential like the sign-in form's: a wrong one is audited and counts toward
 * the client's failed attempts, and a throttled client is refused before its token is looked at, so guessing through
 * the API is no faster than through the form.
 */
async function identityOf(headers: Headers, ctx: HandlerContext): Promise<Identity> {
  const { store } = await ctx.runtime.deps();
  if (!headers.has('authorization')) return identify(headers, ctx.auth, store.sessions);
  const client = peerAddress(headers) ?? 'unknown';
  (ctx.signIns ?? getSignInLimiter()).check(client);
  try {
    return await identify(headers, ctx.auth, store.sessions);
  } catch (err) {
    if (err instanceof AuthError) await failedCredential(ctx, client, err.message, 'bearer token');
    throw err;
  }
}

async function operatorOf(request: Request, ctx: HandlerContext): Promise<Identity> {
  return authorizeOperator(await identityOf(request.headers, ctx), request.headers, ctx.auth);
}

export function handleMe(request: Request, ctx: HandlerContext): Promise<Response> {
  return wrap(async () => json(await whoAmI(request.headers, ctx)));
}

/** Who is asking, from a request's headers: GET /api/v1/me, and the pages' server-side prefetch of it. */
export async function whoAmI(headers: Headers, ctx: HandlerContext): Promise<MeResponse> {
  return me(ctx, await identityOf(headers, ctx));
}

const sessionBody = z.object({ token: z.string().min(1).max(4096) }).strict();

export function handleSessionLogin(request: Request, ctx: HandlerContext): Promise<Response> {
  return wrap(async () => {
    checkCsrf(request.headers, ctx.auth); // no signing in from another site's form either
    const client = clientOf(request);
    const limiter = ctx.signIns ?? getSignInLimiter();
    limiter.check(client);
    const parsed = sessionBody.safeParse(await readJson(request));
    if (!parsed.success) throw ValidationError.fromZod(parsed.error, 'send {"token": "<operator token>"}');
    const { store } = await ctx.runtime.deps();
    const op = operatorForToken(parsed.data.token, ctx.auth);
    if (!op) {
      const reason = ctx.auth.operators.length > 0 ? 'invalid operator token' : 'no operator token is configured on this server';
      await failedCredential(ctx, client, reason, 'sign-in');
      throw new AuthError(reason);
    }
    limiter.succeed(client);
    // A browser signing in again leaves no session behind under its old cookie.
    await endSession(store.sessions, readCookie(request.headers.get('cookie'), SESSION_COOKIE));
    const id = await startSession(store.sessions, op, ctx.auth);
    await store.remediations.appendAudit({ at: new Date().toISOString(), actor: op.name, via: 'session', action: 'login', detail: `browser session started from ${client}` });
    const secure = secureCookies(ctx.auth, request.url);
    return json(me(ctx, { user: op.name, groups: [], role: 'operator', via: 'session' }), 200, { 'set-cookie': sessionCookie(id, ctx.auth, secure) });
  });
}

/** Ends the session the cookie names, for every copy of the cookie (the id is deleted from the store). */
export function handleSessionLogout(request: Request, ctx: HandlerContext): Promise<Response> {
  return wrap(async () => {
    checkCsrf(request.headers, ctx.auth);
    const { store } = await ctx.runtime.deps();
    const value = readCookie(request.headers.get('cookie'), SESSION_COOKIE);
    const op = await resolveSession(store.sessions, value, ctx.auth);
    await endSession(store.sessions, value);
    if (op) await store.remediations.appendAudit({ at: new Date().toISOString(), actor: op.name, via: 'session', action: 'logout', detail: null });
    return json(me(ctx, { user: null, groups: [], role: 'viewer', via: 'anonymous' }), 200, { 'set-cookie': clearSessionCookie(secureCookies(ctx.auth, request.url)) });
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
    const who = await operatorOf(request, ctx);
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
    const who = await operatorOf(request, ctx);
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
    const who = await operatorOf(request, ctx);
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
  return { runtime: getRemediationRuntime(), auth: authConfigFromEnv(), signIns: getSignInLimiter() };
}
