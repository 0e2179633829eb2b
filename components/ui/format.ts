// Plain-text formatting for ages, times and identifiers. Pure, so server and client render the same characters.

/** "12 s", "4 min 5 s", "3 h 12 min", "2 d 4 h": two units at most, precise where it matters (the first minutes). */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

export function formatAge(seconds: number | null): string {
  if (seconds === null) return 'never';
  return `${formatDuration(seconds)} ago`;
}

/** Always UTC, always the same shape: "2026-11-26 14:03:12 UTC". Night-shift readers compare these with logs. */
export function formatTimestamp(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function formatDate(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t).toISOString().slice(0, 10);
}

export function shortSha(sha256: string): string {
  return sha256.slice(0, 12);
}

export function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? path : path.slice(i + 1);
}

const AAT_NAMES = ['permanent', 'random', 'stolen', 'set by userspace'] as const;

/** sysfs addr_assign_type with its meaning: "1 (random)". */
export function formatAddrAssignType(aat: number | null): string {
  if (aat === null) return 'unknown';
  const name = AAT_NAMES[aat];
  return name ? `${aat} (${name})` : String(aat);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
