import 'server-only';
// The browser session of an operator who signed in with their token (POST /api/v1/session). The cookie holds only
// a random id; the store keeps its SHA-256 with the operator's name, the credential's fingerprint and the expiry
// (lib/store/sessions.ts). So a session ends for every copy of the cookie, on every replica, when it is signed out,
// when it expires, or when the operator's token changes or is removed.
import { createHash, randomBytes } from 'node:crypto';
import type { SessionStore } from '../store/sessions';
import type { AuthConfig } from './config';
import { credentialFingerprint, type Operator } from './operators';

export const SESSION_COOKIE = 'vethwatch_session';
/** 32 random bytes, base64url. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export function sessionIdHash(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}

/** Starts a session for an operator; returns the cookie value (the only copy of the id). */
export async function startSession(sessions: SessionStore, operator: Operator, config: AuthConfig, nowMs = Date.now()): Promise<string> {
  const id = randomBytes(32).toString('base64url');
  await sessions.create({
    idHash: sessionIdHash(id),
    operator: operator.name,
    credential: credentialFingerprint(operator),
    createdAt: new Date(nowMs).toISOString(),
    expiresAt: new Date(nowMs + config.sessionTtlMs).toISOString(),
  });
  return id;
}

/**
 * The operator a cookie value belongs to, or null for a missing, malformed, unknown or expired session, or one whose
 * operator is gone or has a new token (that session is deleted on the way).
 */
export async function resolveSession(sessions: SessionStore, value: string | null, config: AuthConfig, nowMs = Date.now()): Promise<Operator | null> {
  if (!value || !SESSION_ID.test(value)) return null;
  const idHash = sessionIdHash(value);
  const record = await sessions.get(idHash, new Date(nowMs).toISOString());
  if (!record) return null;
  const operator = config.operators.find((o) => o.name === record.operator);
  if (!operator || credentialFingerprint(operator) !== record.credential) {
    await sessions.delete(idHash);
    return null;
  }
  return operator;
}

/** Ends the session a cookie value names, if any. */
export async function endSession(sessions: SessionStore, value: string | null): Promise<void> {
  if (value && SESSION_ID.test(value)) await sessions.delete(sessionIdHash(value));
}

/** Whether cookies must be Secure: the public URL is https, or this very request came over https. */
export function secureCookies(config: AuthConfig, requestUrl: string): boolean {
  return config.publicUrl?.protocol === 'https:' || new URL(requestUrl).protocol === 'https:';
}

export function sessionCookie(value: string, config: AuthConfig, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(config.sessionTtlMs / 1000)}${secure ? '; Secure' : ''}`;
}

export function clearSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
