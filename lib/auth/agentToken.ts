import 'server-only';
// The shared bearer token agents present on POST /api/v1/reports: its configuration and the start-up line about it.
// The check itself is lib/auth/agentIdentity.ts (shared token or Kubernetes ServiceAccount), comparing through
// lib/auth/secrets.ts. With no credential configured the server refuses every report: an open ingest endpoint would
// let anyone rewrite the fleet's history.

export const AGENT_TOKEN_ENV = 'VETHWATCH_AGENT_TOKEN';

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
