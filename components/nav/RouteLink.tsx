'use client';
// A next/link that tells RouteBody while its navigation is pending, so the destination's skeleton can show.
// Without JavaScript it is a plain <a href>. While the live stream says the server is away, a click first checks
// that the server answers: if not, the page stays (with its "out of date" banner) and the link opens once the
// server is back (blockedNavigation.ts), instead of the browser's error page.
import Link, { useLinkStatus } from 'next/link';
import { useEffect, useRef } from 'react';
import { useLiveStatus } from '../live/status';
import { serverAnswers, setBlockedNavigation } from './blockedNavigation';
import { endPendingNavigation, startPendingNavigation } from './pendingNavigation';

function PendingReporter({ href }: { href: string }) {
  const { pending } = useLinkStatus();
  useEffect(() => {
    if (!pending) return;
    startPendingNavigation(href);
    return () => endPendingNavigation(href);
  }, [pending, href]);
  return null;
}

type Props = Omit<React.AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & {
  href: string;
  /** As next/link; false for long lists of dynamic pages, where prefetching every row buys nothing. */
  prefetch?: boolean | null;
};

export function RouteLink({ href, children, prefetch, onClick, ...rest }: Props) {
  const status = useLiveStatus();
  // Set while the link clicks itself again after the server answered: that click is next/link's to handle.
  const checked = useRef(false);
  return (
    <Link
      href={href}
      prefetch={prefetch}
      onClick={(e) => {
        onClick?.(e);
        if (checked.current) {
          checked.current = false;
          return;
        }
        if (e.defaultPrevented || status === 'live' || status === 'connecting') return;
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
        e.preventDefault();
        const anchor = e.currentTarget;
        void serverAnswers(href).then((up) => {
          setBlockedNavigation(up ? null : href);
          if (!up) return;
          checked.current = true;
          anchor.click();
        });
      }}
      {...rest}
    >
      {children}
      <PendingReporter href={href} />
    </Link>
  );
}
