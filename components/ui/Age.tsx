'use client';
// "12 s ago", counting up live. The server computed the age when it built the view (reportAgeSeconds, on the
// server's clock); the browser only adds the seconds that passed since it received that view, so a browser with
// a wrong clock still shows the right age. The exact time is in the <time> element and its tooltip.
import { useState } from 'react';
import { useClockSeconds } from './clock';
import { formatAge, formatTimestamp } from './format';

export function useLiveSeconds(baseSeconds: number | null): number | null {
  const clock = useClockSeconds();
  const [anchor, setAnchor] = useState({ base: baseSeconds, clock });
  if (anchor.base !== baseSeconds || (anchor.clock === null && clock !== null)) {
    // New data (or the first client tick): count from here. Setting state during render is React's way to
    // adjust state to a prop change without an extra committed frame.
    setAnchor({ base: baseSeconds, clock });
  }
  if (baseSeconds === null) return null;
  const elapsed = anchor.clock === null || clock === null ? 0 : Math.max(0, clock - anchor.clock);
  return baseSeconds + elapsed;
}

export function Age({ at, seconds }: { at: string | null; seconds: number | null }) {
  const live = useLiveSeconds(seconds);
  if (at === null) return <span className="muted">never</span>;
  return (
    <time dateTime={at} title={formatTimestamp(at)}>
      {formatAge(live)}
    </time>
  );
}
