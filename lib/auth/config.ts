import 'server-only';
// The operator-auth settings, read from the environment and the operators file, checked as a whole: the server calls
// checkAuthConfig() before it listens, so a bad operators file, a short token, an on/off trusted-proxy value or a
// malformed public URL stops it with one clear message instead of surfacing as 500s (or silent openings) later.
import { statSync } from 'node:fs';
import { getLogger } from '../log/logger';
import { operatorsFileMissing, operatorsFromEnv, AuthConfigError, type Operator, OPERATOR_TOKEN_ENV, OPERATORS_FILE_ENV } from './operators';
import { PUBLIC_URL_ENV } from './origins';
import { parseTrustedProxy, TRUSTED_PROXY_ENV, type TrustedProxy } from './trustedProxy';

export { AuthConfigError } from './operators';

export const OPERATOR_GROUP_ENV = 'VETHWATCH_OPERATOR_GROUP';
export const DEFAULT_OPERATOR_GROUP = 'vethwatch-operators';
export const SESSION_TTL_ENV = 'VETHWATCH_SESSION_TTL_HOURS';
export const DEFAULT_SESSION_TTL_HOURS = 12;
const MAX_SESSION_TTL_HOURS = 24 * 30;

export interface AuthConfig {
  /** Token operators by name (VETHWATCH_OPERATORS_FILE and VETHWATCH_OPERATOR_TOKEN). */
  operators: Operator[];
  /** Peers whose identity headers count; null: none do. */
  trustedProxy: TrustedProxy | null;
  operatorGroup: string;
  sessionTtlMs: number;
  /** VETHWATCH_PUBLIC_URL: its origin may send mutations; https makes cookies Secure. */
  publicUrl: URL | null;
}

function sessionTtlMs(raw: string | undefined): number {
  const value = raw?.trim();
  if (!value) return DEFAULT_SESSION_TTL_HOURS * 3_600_000;
  const hours = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || hours <= 0 || hours > MAX_SESSION_TTL_HOURS) {
    throw new AuthConfigError(`${SESSION_TTL_ENV} must be a number of hours above 0 and at most ${MAX_SESSION_TTL_HOURS}, got "${value}"`);
  }
  return Math.round(hours * 3_600_000);
}

function publicUrl(raw: string | undefined): URL | null {
  const value = raw?.trim();
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AuthConfigError(`${PUBLIC_URL_ENV} must be an absolute URL such as https://vethwatch.example.com, got "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AuthConfigError(`${PUBLIC_URL_ENV} must be an http: or https: URL, got "${value}"`);
  return url;
}

function build(env: Record<string, string | undefined>): AuthConfig {
  return {
    operators: operatorsFromEnv(env),
    trustedProxy: parseTrustedProxy(env[TRUSTED_PROXY_ENV]),
    operatorGroup: env[OPERATOR_GROUP_ENV]?.trim() || DEFAULT_OPERATOR_GROUP,
    sessionTtlMs: sessionTtlMs(env[SESSION_TTL_ENV]),
    publicUrl: publicUrl(env[PUBLIC_URL_ENV]),
  };
}

const SETTINGS = [OPERATORS_FILE_ENV, OPERATOR_TOKEN_ENV, TRUSTED_PROXY_ENV, OPERATOR_GROUP_ENV, SESSION_TTL_ENV, PUBLIC_URL_ENV];
const KEY = Symbol.for('vethwatch.authConfig');
type WithConfig = typeof globalThis & { [KEY]?: { key: string; config: AuthConfig } };

/** Changes whenever the operators file is replaced or edited: one stat per request, no read. */
function fileStamp(file: string | undefined): string | null {
  if (!file?.trim()) return null;
  try {
    const st = statSync(file.trim());
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return 'unreadable';
  }
}

/**
 * The auth settings. For process.env the result is kept (per process, on globalThis: the custom server and Next's
 * bundles share it) until one of the variables or the operators file changes: removing an operator's line, or
 * giving them a new token, takes effect at the next request, and ends their sessions. A file that turns invalid
 * while the server runs is logged and, until fixed, no token operator is accepted (fail closed; viewers and proxy
 * users carry on). Throws AuthConfigError for a bad setting on first use (the server's start-up check).
 */
export function authConfigFromEnv(env: Record<string, string | undefined> = process.env): AuthConfig {
  if (env !== process.env) return build(env);
  const key = JSON.stringify([...SETTINGS.map((s) => env[s] ?? null), fileStamp(env[OPERATORS_FILE_ENV])]);
  const g = globalThis as WithConfig;
  const held = g[KEY];
  if (held?.key === key) return held.config;
  let config: AuthConfig;
  try {
    config = build(env);
  } catch (err) {
    if (!held || !(err instanceof AuthConfigError)) throw err;
    getLogger().error(`vethwatch: ${err.message}; until this is fixed no operator token is accepted`);
    config = { ...held.config, operators: [] };
  }
  g[KEY] = { key, config };
  return config;
}

/** Whether anyone at all can become an operator (a token operator, or a trusted proxy's users). */
export function operatorsConfigured(config: AuthConfig): boolean {
  return config.operators.length > 0 || config.trustedProxy !== null;
}

/** For the server's start-up: the settings checked (AuthConfigError otherwise) and one log line (no secrets). */
export function checkAuthConfig(env: Record<string, string | undefined> = process.env): string {
  const c = authConfigFromEnv(env);
  const file = env[OPERATORS_FILE_ENV]?.trim();
  const missing = file && operatorsFileMissing(file) ? `; ${OPERATORS_FILE_ENV} names ${file}, which does not exist (no operators from it until it does)` : '';
  if (!operatorsConfigured(c)) return `no operator credential (${OPERATOR_TOKEN_ENV}, ${OPERATORS_FILE_ENV}, ${TRUSTED_PROXY_ENV}) is configured: everyone is a viewer${missing}`;
  const parts = [];
  if (c.operators.length > 0) parts.push(`operators ${c.operators.map((o) => o.name).join(', ')}`);
  if (c.trustedProxy) parts.push(`proxy users in group ${c.operatorGroup} from ${c.trustedProxy.entries.join(', ')}`);
  parts.push(`sessions last ${c.sessionTtlMs / 3_600_000} h`);
  return `operator access: ${parts.join('; ')}${missing}`;
}
