import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay, DEFAULT_BACKOFF } from './backoff';

describe('backoff', () => {
  it('doubles from 0.5 s and caps at 30 s', () => {
    const ceilings = Array.from({ length: 10 }, (_, i) => backoffCeiling(i));
    expect(ceilings).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
    expect(backoffCeiling(10_000)).toBe(DEFAULT_BACKOFF.maxMs);
    expect(backoffCeiling(-3)).toBe(500);
  });

  it('jitters between half the ceiling and the ceiling', () => {
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 0)).toBe(250);
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 0.999999)).toBe(500);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0.5)).toBe(3000);
    expect(backoffDelay(20, DEFAULT_BACKOFF, () => 0)).toBe(15000);
    for (let attempt = 0; attempt < 12; attempt++) {
      const d = backoffDelay(attempt);
      expect(d).toBeGreaterThanOrEqual(backoffCeiling(attempt) / 2);
      expect(d).toBeLessThanOrEqual(backoffCeiling(attempt));
    }
  });

  it('honours a custom policy', () => {
    expect(backoffCeiling(2, { baseMs: 10, maxMs: 25 })).toBe(25);
    expect(backoffDelay(1, { baseMs: 10, maxMs: 25 }, () => 0)).toBe(10);
  });
});
