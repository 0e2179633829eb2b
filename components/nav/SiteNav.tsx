'use client';
import { usePathname } from 'next/navigation';
import { RouteLink } from './RouteLink';

const items = [
  { href: '/', label: 'Fleet', matches: (p: string) => p === '/' || p.startsWith('/nodes/') },
  { href: '/prevent', label: 'Prevent', matches: (p: string) => p.startsWith('/prevent') },
  { href: '/audit', label: 'Audit log', matches: (p: string) => p.startsWith('/audit') },
];

export function SiteNav() {
  const pathname = usePathname();
  return (
    <nav className="site-nav" aria-label="Main">
      <ul>
        {items.map((item) => (
          <li key={item.href}>
            <RouteLink
              href={item.href}
              aria-current={pathname === item.href ? 'page' : item.matches(pathname) ? 'true' : undefined}
            >
              {item.label}
            </RouteLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
