import 'server-only';
// Who is asking, and may they remediate. Three ways to be an operator, each with a name for the audit log:
// - `Authorization: Bearer <token>` of a named operator (VETHWATCH_OPERATORS_FILE, or VETHWATCH_OPERATOR_TOKEN as
//   "operator"): API and CLI use;
// - the session cookie POST /api/v1/session sets for a person who presented their token in the browser;
// - a trusted proxy's X-Forwarded-User / X-Forwarded-Groups, believed only when the request's socket peer is in
//   VETHWATCH_TRUSTED_PROXY, with the operator group VETHWATCH_OPERATOR_GROUP.
// Everyone else is a viewer. Mutations riding on what a browser attaches by itself (cookies, proxy identity) must
// also pass the CSRF check (lib/auth/csrf.ts).
import { ForbiddenError, AuthError } from '../http/errors';
import { peerAddress } from '../http/peer';
import { getLogger } from '../log/logger';
import type { IdentitySource, Role } from '../remediation/types';
import type { SessionStore } from '../store/sessions';
import { operatorsConfigured, type AuthConfig } from './config';
import { checkCsrf } from './csrf';
import type { Operator } from './operators';
import { parseBearer, sameSecret } from './secrets';
import { readCookie, resolveSession, SESSION_COOKIE } from './session';
import { fromTrustedProxy, proxyHeadersPresent } from './trustedProxy';

export { authConfigFromEnv, type AuthConfig } from './config';
export { checkCsrf } from './csrf';

export interface Identity {
  user: string | null;
  groups: string[];
  role: Role;
  via: IdentitySource;
}

/** The operator whose token this is, or null. Every operator is compared, so the time says nothing about which. */
export function operatorForToken(token: string, config: AuthConfig): Operator | null {
  let found: Operator | null = null;
  for (const op of config.operators) {
    if (sameSecret(token, op.digest) && !found) found = op;
  }
  return found;
}

function proxyIdentity(headers: Headers, config: AuthConfig): Identity | null {
  if (!fromTrustedProxy(headers, config.trustedProxy)) {
    const present = proxyHeadersPresent(headers);
    // Someone reached us directly with headers only the proxy may set: worth an operator's eye, but the values
    // (who they claimed to be) stay out of the log.
    if (present.length > 0) getLogger().warn({ peer: peerAddress(headers) ?? 'unknown', headers: present }, 'vethwatch: ignored identity headers from a peer that is not a trusted proxy');
    return null;
  }
  const user = headers.get('x-forwarded-user')?.trim();
  if (!user) return null;
  const groups = (headers.get('x-forwarded-groups') ?? '')
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  return { user, groups, role: groups.includes(config.operatorGroup) ? 'operator' : 'viewer', via: 'proxy' };
}

/** Throws AuthError only for an Authorization header that is no operator's token; anything else is at least a viewer. */
export async function identify(headers: Headers, config: AuthConfig, sessions: SessionStore): Promise<Identity> {
  const authorization = headers.get('authorization');
  const bearer = parseBearer(authorization);
  const op = bearer ? operatorForToken(bearer, config) : null;
  if (op) return { user: op.name, groups: [], role: 'operator', via: 'token' };
  const proxied = proxyIdentity(headers, config);
  if (proxied) return proxied;
  if (authorization) throw new AuthError(config.operators.length > 0 ? 'invalid operator token' : 'no operator token is configured on this server');
  const session = await resolveSession(sessions, readCookie(headers.get('cookie'), SESSION_COOKIE), config);
  if (session) return { user: session.name, groups: [], role: 'operator', via: 'session' };
  return { user: null, groups: [], role: 'viewer', via: 'anonymous' };
}

/** Throws ForbiddenError unless the identity is an operator and, for a mutation not made with a token, the CSRF check passes. */
export function authorizeOperator(id: Identity, headers: Headers, config: AuthConfig, opts: { mutation?: boolean } = {}): Identity {
  if (id.role !== 'operator') {
    throw new ForbiddenError(
      id.user
        ? `only operators may remediate; ${id.user} is not in the ${config.operatorGroup} group`
        : operatorsConfigured(config)
          ? 'only operators may remediate; sign in as an operator'
          : 'only operators may remediate, and this server has no operator configured: everyone is a viewer',
    );
  }
  if ((opts.mutation ?? true) && id.via !== 'token') checkCsrf(headers, config);
  return id;
}

/**
 * The operator making this request, or a thrown AuthError (bad token) / ForbiddenError (viewer, or a mutation that
 * fails the CSRF check).
 */
export async function requireOperator(request: Request, config: AuthConfig, sessions: SessionStore, opts: { mutation?: boolean } = {}): Promise<Identity> {
  return authorizeOperator(await identify(request.headers, config, sessions), request.headers, config, opts);
}

/** The audit log's name for an identity. */
export function actorName(id: Identity): string {
  return id.user ?? 'anonymous';
}

