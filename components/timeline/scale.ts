// Time-axis arithmetic for timelines: pure, so it is tested without a browser.

export interface Window {
  from: number;
  to: number;
}

/** Position of t in the window as a fraction 0..1 (clamped). */
export function fraction(t: number, w: Window): number {
  if (w.to <= w.from) return 0;
  return Math.min(1, Math.max(0, (t - w.from) / (w.to - w.from)));
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const STEPS = [5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY];

/** Tick times on round UTC boundaries, about `target` of them across the window. */
export function ticks(w: Window, target = 6): number[] {
  const span = w.to - w.from;
  const step = STEPS.find((s) => span / s <= target) ?? STEPS[STEPS.length - 1];
  const out: number[] = [];
  for (let t = Math.ceil(w.from / step) * step; t <= w.to; t += step) out.push(t);
  return out;
}

/** A tick's label: time of day for windows within a day or two, the date beyond. UTC, like every time here. */
export function tickLabel(t: number, w: Window): string {
  const iso = new Date(t).toISOString();
  if (w.to - w.from <= 2 * DAY) return iso.slice(11, 16);
  return iso.slice(5, 10) + (new Date(t).getUTCHours() === 0 ? '' : ` ${iso.slice(11, 16)}`);
}
