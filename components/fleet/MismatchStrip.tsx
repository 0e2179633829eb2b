// A node's last 24 h of ARP mismatches as 24 bars, oldest left. Bar height carries the count (no colour needed),
// each hour has a tooltip, and the whole strip has one label for screen readers. Fixed height: it must not change
// the row height the virtualized table measures.
import { plural } from '../ui/format';

const HOUR = 3600_000;

function hourLabel(endsAt: string, i: number, total: number): string {
  const from = new Date(Date.parse(endsAt) - (total - i) * HOUR);
  return `${from.toISOString().slice(11, 16)} UTC`;
}

export function stripLabel(strip: readonly number[]): string {
  const peak = Math.max(0, ...strip);
  const now = strip.at(-1) ?? 0;
  return `Mismatches in the last 24 h: peak ${peak}, now ${now}`;
}

export function MismatchStrip({ strip, endsAt }: { strip: readonly number[]; endsAt: string }) {
  const peak = Math.max(0, ...strip);
  const label = stripLabel(strip);
  return (
    <span className="mismatch-strip" role="img" aria-label={label} title={label} data-peak={peak}>
      {strip.map((n, i) => (
        <span
          key={i}
          className={n > 0 ? 'bar bad' : 'bar'}
          style={{ height: n > 0 ? `${Math.max(25, Math.round((n / peak) * 100))}%` : undefined }}
          title={`${hourLabel(endsAt, i, strip.length)}: ${plural(n, 'mismatch', 'mismatches')}`}
        />
      ))}
    </span>
  );
}
