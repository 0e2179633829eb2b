import { formatTimestamp } from './format';

/** An exact time in UTC, machine-readable in dateTime and spelled out for people. */
export function Timestamp({ at, className }: { at: string; className?: string }) {
  return (
    <time dateTime={at} title={at} className={className}>
      {formatTimestamp(at)}
    </time>
  );
}
