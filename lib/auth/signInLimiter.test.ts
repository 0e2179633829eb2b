// Failed sign-ins per client address: blocked after the limit with a Retry-After until the window ends; memory
// bounded by address count and by expiry. Time is passed in, never waited for.
import { describe, expect, it } from 'vitest';
import { toHttpError } from '../http/errors';
import { createSignInLimiter, SignInThrottledError } from './signInLimiter';

describe('sign-in limiter', () => {
  it('blocks an address after maxFailures within the window, and only that address', () => {
    const l = createSignInLimiter({ maxFailures: 3, windowMs: 60_000 });
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(() => l.check('a', t0 + i)).not.toThrow();
      l.fail('a', t0 + i);
    }
    let err: unknown;
    try {
      l.check('a', t0 + 10_000);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SignInThrottledError);
    expect(toHttpError(err)).toMatchObject({ status: 429, headers: { 'retry-after': '50' } });
    expect(() => l.check('b', t0 + 10_000)).not.toThrow();
    // The window ends, the block with it.
    expect(() => l.check('a', t0 + 60_000)).not.toThrow();
    expect(l.size()).toBe(0);
  });

  it('a success clears the failures', () => {
    const l = createSignInLimiter({ maxFailures: 2 });
    l.fail('a', 0);
    l.succeed('a');
    l.fail('a', 1);
    expect(() => l.check('a', 2)).not.toThrow();
  });

  it('remembers at most maxClients addresses, dropping the stalest', () => {
    const l = createSignInLimiter({ maxFailures: 1, maxClients: 100 });
    for (let i = 0; i < 1000; i++) l.fail(`10.0.${i >> 8}.${i & 255}`, 5);
    expect(l.size()).toBe(100);
    expect(() => l.check('10.0.3.231', 6)).toThrow(SignInThrottledError); // the newest is kept
    expect(() => l.check('10.0.0.0', 6)).not.toThrow(); // the oldest was dropped
  });
});
