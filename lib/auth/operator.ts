import 'server-only';
// Who is asking, and may they remediate. Three ways to be an operator:
// - a trusted proxy's X-Forwarded-User / X-Forwarded-Groups (only when VETHWATCH_TRUSTED_PROXY is set: anyone can
//   send those headers to a server that is reachable directly), with the operator group VETHWATCH_OPERATOR_GROUP;
// - `Authorization: Bearer <VETHWATCH_OPERATOR_TOKEN>` (API and CLI use);
// - the signed session cookie POST /api/v1/session sets for a person who presented that token in the browser.
// Everyone else is a viewer. Mutations not made with the bearer token (i.e. riding on cookies a browser attaches by
// itself) must also pass the CSRF check: the custom header plus a same-origin Origin / Sec-Fetch-Site.
import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthError, ForbiddenError } from '../http/errors';
import { CSRF_HEADER, CSRF_VALUE, type IdentitySource, type Role } from '../remediation/types';
import { readCookie, SESSION_COOKIE, sessionSecret, verifySession } from './session';

export const OPERATOR_TOKEN_ENV = 'VETHWATCH_OPERATOR_TOKEN';
export const TRUSTED_PROXY_ENV = 'VETHWATCH_TRUSTED_PROXY';
export const OPERATOR_GROUP_ENV = 'VETHWATCH_OPERATOR_GROUP';
export const DEFAULT_OPERATOR_GROUP = 'vethwatch-operators';
/** The user name a bearer-token or token-session operator is recorded under in the audit log. */
export const TOKEN_USER = 'operator-token';

export interface AuthConfig {
  trustedProxy: boolean;
  operatorGroup: string;
  operatorToken: string | null;
  sessionSecret: Buffer;
}

export function authConfigFromEnv(env: Record<string, string | undefined> = process.env): AuthConfig {
  const proxy = env[TRUSTED_PROXY_ENV]?.trim().toLowerCase() ?? '';
  const token = env[OPERATOR_TOKEN_ENV];
  return {
    trustedProxy: proxy !== '' && proxy !== '0' && proxy !== 'false' && proxy !== 'off',
    operatorGroup: env[OPERATOR_GROUP_ENV]?.trim() || DEFAULT_OPERATOR_GROUP,
    operatorToken: token && token.trim() ? token.trim() : null,
    sessionSecret: sessionSecret(env),
  };
}

export interface Identity {
  user: string | null;
  groups: string[];
  role: Role;
  via: IdentitySource;
}

function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(h(a), h(b));
}

/** Throws AuthError only for a bearer token that is not the operator token; anything else is at least a viewer. */
export function identify(headers: Headers, config: AuthConfig): Identity {
  const authorization = headers.get('authorization');
  const bearer = authorization ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization)?.[1] ?? null : null;
  if (bearer && config.operatorToken && sameSecret(bearer, config.operatorToken)) {
    return { user: TOKEN_USER, groups: [], role: 'operator', via: 'token' };
  }
  if (config.trustedProxy) {
    const user = headers.get('x-forwarded-user')?.trim();
    if (user) {
      const groups = (headers.get('x-forwarded-groups') ?? '')
        .split(',')
        .map((g) => g.trim())
        .filter(Boolean);
      return { user, groups, role: groups.includes(config.operatorGroup) ? 'operator' : 'viewer', via: 'proxy' };
    }
  }
  if (authorization) throw new AuthError(config.operatorToken ? 'invalid operator token' : 'no operator token is configured on this server');
  const sessionUser = verifySession(readCookie(headers.get('cookie'), SESSION_COOKIE), config.sessionSecret, config.operatorToken);
  if (sessionUser) return { user: sessionUser, groups: [], role: 'operator', via: 'session' };
  return { user: null, groups: [], role: 'viewer', via: 'anonymous' };
}

/** Throws ForbiddenError unless a browser could only have sent this request from one of our own pages. */
export function checkCsrf(headers: Headers, config: AuthConfig): void {
  if (headers.get(CSRF_HEADER) !== CSRF_VALUE) {
    throw new ForbiddenError(`cross-site request refused: the ${CSRF_HEADER}: ${CSRF_VALUE} header is missing`);
  }
  const site = headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin') throw new ForbiddenError(`cross-site request refused: Sec-Fetch-Site is ${site}`);
  const origin = headers.get('origin');
  if (origin !== null) {
    const host = (config.trustedProxy ? headers.get('x-forwarded-host') : null) ?? headers.get('host');
    let originHost: string | null = null;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = null;
    }
    if (!host || originHost !== host) throw new ForbiddenError(`cross-site request refused: Origin ${origin} is not this site`);
  }
}

/**
 * The operator making this request, or a thrown AuthError (bad token) / ForbiddenError (viewer, or a mutation that
 * fails the CSRF check).
 */
export function requireOperator(request: Request, config: AuthConfig = authConfigFromEnv(), opts: { mutation?: boolean } = {}): Identity {
  const id = identify(request.headers, config);
  if (id.role !== 'operator') {
    throw new ForbiddenError(
      id.user ? `only operators may remediate; ${id.user} is not in the ${config.operatorGroup} group` : 'only operators may remediate; sign in as an operator',
    );
  }
  if ((opts.mutation ?? true) && id.via !== 'token') checkCsrf(request.headers, config);
  return id;
}

/** The audit log's name for an identity. */
export function actorName(id: Identity): string {
  return id.user ?? 'anonymous';
}
