import 'server-only';
// The browser session of a person who proved they hold the operator token (POST /api/v1/session): a signed,
// HttpOnly, SameSite=Strict cookie. The HMAC key mixes the server secret with the token's hash, so changing the
// operator token logs every session out. Without VETHWATCH_SESSION_SECRET a random secret is made per start
// (kept on globalThis: the custom server and Next's bundles share it), so a restart logs everyone out.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'vethwatch_session';
export const SESSION_SECRET_ENV = 'VETHWATCH_SESSION_SECRET';
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

const KEY = Symbol.for('vethwatch.sessionSecret');
type WithSecret = typeof globalThis & { [KEY]?: Buffer };

export function sessionSecret(env: Record<string, string | undefined> = process.env): Buffer {
  const configured = env[SESSION_SECRET_ENV]?.trim();
  if (configured) return Buffer.from(configured, 'utf8');
  const g = globalThis as WithSecret;
  return (g[KEY] ??= randomBytes(32));
}

function key(secret: Buffer, operatorToken: string): Buffer {
  return createHmac('sha256', secret).update('vethwatch-session\0').update(createHash('sha256').update(operatorToken).digest()).digest();
}

interface SessionPayload {
  u: string;
  exp: number;
}

/** The cookie value for a new session. */
export function signSession(user: string, secret: Buffer, operatorToken: string, nowMs = Date.now()): string {
  const payload: SessionPayload = { u: user, exp: Math.floor(nowMs / 1000) + SESSION_TTL_SECONDS };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const mac = createHmac('sha256', key(secret, operatorToken)).update(body).digest('base64url');
  return `${body}.${mac}`;
}

/** The session's user, or null for a missing, forged, expired or outdated cookie. */
export function verifySession(value: string | null | undefined, secret: Buffer, operatorToken: string | null, nowMs = Date.now()): string | null {
  if (!value || !operatorToken) return null;
  const dot = value.indexOf('.');
  if (dot <= 0) return null;
  const body = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1), 'base64url');
  const want = createHmac('sha256', key(secret, operatorToken)).update(body).digest();
  if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
  try {
    const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionPayload;
    if (typeof p.u !== 'string' || typeof p.exp !== 'number' || p.exp * 1000 <= nowMs) return null;
    return p.u;
  } catch {
    return null;
  }
}

export function sessionCookie(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_SECONDS}${secure ? '; Secure' : ''}`;
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
