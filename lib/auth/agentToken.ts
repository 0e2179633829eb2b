import 'server-only';
// The shared bearer token agents present on POST /api/v1/reports. With no token configured the server refuses
// every report: an open ingest endpoint would let anyone rewrite the fleet's history.
import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthError } from '../http/errors';

export const AGENT_TOKEN_ENV = 'VETHWATCH_AGENT_TOKEN';

function fingerprint(value: string): Buffer {
  // Hashing first gives equal-length buffers, so the comparison's time says nothing about the token's length.
  return createHash('sha256').update(value, 'utf8').digest();
}

export function configuredAgentToken(env: Record<string, string | undefined> = process.env): string | null {
  const token = env[AGENT_TOKEN_ENV];
  return token && token.trim().length > 0 ? token : null;
}

/** One line for the start-up log; never contains the token. */
export function describeAgentTokenSetup(env: Record<string, string | undefined> = process.env): string {
  return configuredAgentToken(env)
    ? `agent reports accepted with the bearer token from ${AGENT_TOKEN_ENV}`
    : `${AGENT_TOKEN_ENV} is not set: every agent report will be refused with 401`;
}

/** Throws AuthError unless the Authorization header carries the configured token. */
export function requireAgentToken(authorization: string | null | undefined, expected: string | null = configuredAgentToken()): void {
  if (!expected) throw new AuthError('agent reports are disabled: the server has no agent token configured');
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  if (!match) throw new AuthError('missing bearer token');
  if (!timingSafeEqual(fingerprint(match[1]), fingerprint(expected))) throw new AuthError('invalid bearer token');
}
