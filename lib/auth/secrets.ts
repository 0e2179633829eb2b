// The one place secrets are compared and bearer tokens are read from an Authorization header. Every token check
// (agents, operators, metrics, sign-in) goes through these, so none can leak a token's length or prefix by timing.
import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The token of `Authorization: Bearer <token>`, or null for a missing or malformed header. */
export function parseBearer(authorization: string | null | undefined): string | null {
  if (!authorization) return null;
  return BEARER.exec(authorization)?.[1] ?? null;
}

/** SHA-256 of a secret: equal-length digests, so comparing them says nothing about the secret's length. */
export function secretDigest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time equality of two secrets (or of a secret and a digest made with secretDigest). */
export function sameSecret(given: string, expected: string | Buffer): boolean {
  const want = typeof expected === 'string' ? secretDigest(expected) : expected;
  return want.length === 32 && timingSafeEqual(secretDigest(given), want);
}
