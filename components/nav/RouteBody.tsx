'use client';
// Holds the page. While an in-app navigation waits for the server for longer than a blink, it shows the
// destination's skeleton instead (the old page stays mounted, hidden, so nothing is lost if it comes back).
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { useLiveStatus } from '../live/status';
import { Icon } from '../ui/Icon';
import { setBlockedNavigation, useBlockedNavigation } from './blockedNavigation';
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

  // A link clicked while the server was away (RouteLink) opens once the live stream is back.
  const blocked = useBlockedNavigation();
  const live = useLiveStatus() === 'live';
  const router = useRouter();
  useEffect(() => {
    if (blocked === null || !live) return;
    setBlockedNavigation(null);
    router.push(blocked);
  }, [blocked, live, router]);

  const skeleton = late !== null && late === target ? skeletonFor(late) : null;
  return (
    <>
      {blocked !== null && (
        <div className="banner tone-warn nav-notice" role="alert">
          <Icon shape="warn" />
          <p>
            <strong>The server is not answering</strong>, so that page cannot open yet. What you see is out of date;
            retrying, and the page you asked for opens when the server is back.
          </p>
        </div>
      )}
      {target !== null && <div className="pending-bar" role="progressbar" aria-label="Loading page" />}
      {skeleton}
      <div hidden={skeleton !== null}>{children}</div>
    </>
  );
}
