import 'server-only';
// How far ahead of the server clock a report's collectedAt may be. Reports of a node are ordered by collectedAt,
// so one report dated days ahead (a node with a broken clock, or anyone holding a token) would make every genuine
// report after it "out-of-order" and freeze the node's state. Such a report is refused (422) before anything is
// written. Reports from the past are fine: a spooled report is legitimately old.
import { ValidationError, type ValidationIssue } from '../http/errors';

export const MAX_CLOCK_SKEW_ENV = 'VETHWATCH_MAX_CLOCK_SKEW_SECONDS';
export const DEFAULT_MAX_CLOCK_SKEW_SECONDS = 120;
const MAX_ALLOWED_SETTING = 7 * 24 * 3600;

export class ClockSkewConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClockSkewConfigError';
  }
}

/** VETHWATCH_MAX_CLOCK_SKEW_SECONDS: whole seconds from 0 to a week, default 120. */
export function maxClockSkewSecondsFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env[MAX_CLOCK_SKEW_ENV]?.trim();
  if (!raw) return DEFAULT_MAX_CLOCK_SKEW_SECONDS;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > MAX_ALLOWED_SETTING) {
    throw new ClockSkewConfigError(`${MAX_CLOCK_SKEW_ENV} must be a whole number of seconds from 0 to ${MAX_ALLOWED_SETTING}, got "${raw}"`);
  }
  return n;
}

export function isTooFarAhead(collectedAtMs: number, now: Date, maxSkewSeconds: number): boolean {
  return collectedAtMs - now.getTime() > maxSkewSeconds * 1000;
}

/** Throws a 422 ValidationError (path collectedAt) when collectedAt is more than maxSkewSeconds ahead of now. */
export function refuseFutureReport(collectedAtMs: number, now: Date, maxSkewSeconds: number): void {
  if (!isTooFarAhead(collectedAtMs, now, maxSkewSeconds)) return;
  const ahead = Math.ceil((collectedAtMs - now.getTime()) / 1000);
  const message =
    `collectedAt is ${ahead} s ahead of the server clock (${now.toISOString()}); at most ${maxSkewSeconds} s is accepted ` +
    `(${MAX_CLOCK_SKEW_ENV}). Check the node's clock (NTP).`;
  throw new ValidationError([{ code: 'custom', path: ['collectedAt'], message } as ValidationIssue], message);
}
