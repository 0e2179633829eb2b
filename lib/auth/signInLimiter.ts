import 'server-only';
// Failed sign-ins per client address: after MAX_FAILURES within WINDOW_MS the address gets 429 until the window
// ends, before its token is even looked at, so a token cannot be guessed online at any useful rate. In memory,
// per process (each replica counts its own), bounded: at most MAX_CLIENTS addresses, the least recently failing
// dropped first, and an entry is forgotten once its window is over.
import { RetryLaterError } from '../http/errors';

export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60_000;
export const MAX_CLIENTS = 10_000;

export class SignInThrottledError extends RetryLaterError {
  readonly status = 429;
  constructor(retryAfterSeconds: number) {
    super(`too many failed sign-ins from this address; try again in ${retryAfterSeconds} s`, retryAfterSeconds);
    this.name = 'SignInThrottledError';
  }
}

interface Entry {
  failures: number;
  windowEnds: number;
}

export interface SignInLimiter {
  /** Throws SignInThrottledError while `client` is blocked. */
  check(client: string, nowMs?: number): void;
  /** Counts one failure. */
  fail(client: string, nowMs?: number): void;
  /** A success clears the address's failures. */
  succeed(client: string): void;
  /** Addresses currently remembered (for tests of the bound). */
  size(): number;
}

export function createSignInLimiter(opts: { maxFailures?: number; windowMs?: number; maxClients?: number } = {}): SignInLimiter {
  const maxFailures = opts.maxFailures ?? MAX_FAILURES;
  const windowMs = opts.windowMs ?? WINDOW_MS;
  const maxClients = opts.maxClients ?? MAX_CLIENTS;
  // Insertion order is recency order: an entry is re-inserted on every failure, so the first key is the stalest.
  const entries = new Map<string, Entry>();

  const live = (client: string, now: number): Entry | undefined => {
    const e = entries.get(client);
    if (e && e.windowEnds <= now) {
      entries.delete(client);
      return undefined;
    }
    return e;
  };

  return {
    check(client, now = Date.now()) {
      const e = live(client, now);
      if (e && e.failures >= maxFailures) throw new SignInThrottledError(Math.max(1, Math.ceil((e.windowEnds - now) / 1000)));
    },
    fail(client, now = Date.now()) {
      const e = live(client, now) ?? { failures: 0, windowEnds: now + windowMs };
      e.failures++;
      entries.delete(client);
      entries.set(client, e);
      while (entries.size > maxClients) entries.delete(entries.keys().next().value!);
    },
    succeed(client) {
      entries.delete(client);
    },
    size: () => entries.size,
  };
}

const KEY = Symbol.for('vethwatch.signInLimiter');
type WithLimiter = typeof globalThis & { [KEY]?: SignInLimiter };

/** The process's limiter (shared by the custom server and Next's bundles). */
export function getSignInLimiter(): SignInLimiter {
  return ((globalThis as WithLimiter)[KEY] ??= createSignInLimiter());
}
