'use client';
// Holds the page. While an in-app navigation waits for the server for longer than a blink, it shows the
// destination's skeleton instead (the old page stays mounted, hidden, so nothing is lost if it comes back).
import { usePathname } from 'next/navigation';
import { useEffect, useState } from 'react';
import { FleetSkeleton } from '../fleet/FleetSkeleton';
import { NodeSkeleton } from '../node/NodeSkeleton';
import { usePendingNavigation } from './pendingNavigation';

/** Below this a skeleton would only flash; the header's progress bar covers the wait. */
const SKELETON_DELAY_MS = 150;

function skeletonFor(href: string): React.ReactNode {
  const path = href.split(/[?#]/)[0];
  if (path === '/') return <FleetSkeleton />;
  if (path.startsWith('/nodes/')) return <NodeSkeleton />;
  return null;
}

export function RouteBody({ children }: { children: React.ReactNode }) {
  const pending = usePendingNavigation();
  const pathname = usePathname();
  const [late, setLate] = useState<string | null>(null);
  const target = pending && pending.href.split(/[?#]/)[0] !== pathname ? pending.href : null;

  useEffect(() => {
    if (target === null) return;
    const t = setTimeout(() => setLate(target), SKELETON_DELAY_MS);
    return () => {
      clearTimeout(t);
      setLate(null);
    };
  }, [target]);

  const skeleton = late !== null && late === target ? skeletonFor(late) : null;
  return (
    <>
      {target !== null && <div className="pending-bar" role="progressbar" aria-label="Loading page" />}
      {skeleton}
      <div hidden={skeleton !== null}>{children}</div>
    </>
  );
}
