'use client';
// Says how old the data on screen is and whether refreshing it failed. A failed refresh must be loud: the rows
// below would otherwise keep looking current while they age.
import { useLiveSeconds } from './Age';
import { formatDuration } from './format';
import { Icon } from './Icon';
import { Timestamp } from './Timestamp';

function SinceReceived() {
  const seconds = useLiveSeconds(0);
  // Before the first client tick (and without JavaScript) there is nothing live to say.
  if (seconds === null || seconds < 1) return null;
  return <> · refreshed {formatDuration(seconds)} ago</>;
}

export function Freshness({ asOf, refreshError }: { asOf: string; refreshError: Error | null }) {
  return (
    <>
      <p className="muted small">
        Data as of <Timestamp at={asOf} />
        <SinceReceived key={asOf} />
        <noscript> · a snapshot: reload the page for newer data</noscript>
      </p>
      {refreshError && (
        <div className="banner tone-bad" role="alert">
          <Icon shape="bad" />
          <p>
            <strong>Could not refresh:</strong> {refreshError.message}. What you see is from{' '}
            <Timestamp at={asOf} /> and may be out of date. Retrying automatically.
          </p>
        </div>
      )}
    </>
  );
}
