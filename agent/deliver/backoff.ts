// Retry delays for a server that is down or overloaded: exponential growth so a fleet of agents does not hammer a
// recovering server, a cap so a node reports again soon after it returns, and jitter so agents that lost the
// server together do not come back in lock-step.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000 };

/** The ceiling for the given failed attempt (0 = first retry): base * 2^attempt, capped. */
export function backoffCeiling(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const exp = policy.baseMs * 2 ** Math.min(Math.max(0, attempt), 30);
  return Math.min(policy.maxMs, exp);
}

/**
 * "Equal jitter": half the ceiling fixed, half random. Never shorter than half the ceiling (so the growth is real)
 * and never longer than the ceiling. `random` returns [0, 1), injectable so the schedule is testable.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = backoffCeiling(attempt, policy);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
