'use client';
// A next/link that tells RouteBody while its navigation is pending, so the destination's skeleton can show.
// Without JavaScript it is a plain <a href>.
import Link, { useLinkStatus } from 'next/link';
import { useEffect } from 'react';
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

export function RouteLink({ href, children, prefetch, ...rest }: Props) {
  return (
    <Link href={href} prefetch={prefetch} {...rest}>
      {children}
      <PendingReporter href={href} />
    </Link>
  );
}
