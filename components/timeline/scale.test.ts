import { describe, expect, it } from 'vitest';
import { fraction, tickLabel, ticks } from './scale';

const H = 3_600_000;
const t0 = Date.parse('2026-11-26T10:07:00Z');

describe('fraction', () => {
  it('places times in the window and clamps what lies outside', () => {
    const w = { from: t0, to: t0 + H };
    expect(fraction(t0 + H / 4, w)).toBe(0.25);
    expect(fraction(t0 - H, w)).toBe(0);
    expect(fraction(t0 + 2 * H, w)).toBe(1);
    expect(fraction(t0, { from: t0, to: t0 })).toBe(0);
  });
});

describe('ticks', () => {
  it('falls on round UTC boundaries inside the window, a handful of them', () => {
    const w = { from: t0, to: t0 + 24 * H };
    const ts = ticks(w);
    expect(ts.length).toBeGreaterThanOrEqual(3);
    expect(ts.length).toBeLessThanOrEqual(6);
    for (const t of ts) {
      expect(t).toBeGreaterThanOrEqual(w.from);
      expect(t).toBeLessThanOrEqual(w.to);
      expect(t % H).toBe(0);
    }
  });
  it('labels hours within a day and dates for a month', () => {
    expect(tickLabel(Date.parse('2026-11-26T12:00:00Z'), { from: t0, to: t0 + H })).toBe('12:00');
    expect(tickLabel(Date.parse('2026-11-20T00:00:00Z'), { from: t0 - 30 * 24 * H, to: t0 })).toBe('11-20');
  });
});
