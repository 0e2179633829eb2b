import type { Metadata, Viewport } from 'next';
import { RouteBody } from '../components/nav/RouteBody';
import { RouteLink } from '../components/nav/RouteLink';
import { LiveConnection } from '../components/live/LiveConnection';
import { SessionWatch } from '../components/nav/SessionWatch';
import { SiteNav } from '../components/nav/SiteNav';
import { QueryProvider } from '../components/providers/QueryProvider';
import { SessionHeader } from '../components/remediation/SessionHeader';
import './globals.css';

export const metadata: Metadata = {
  title: { template: '%s · vethwatch', default: 'vethwatch' },
  description:
    'Finds nodes where udev MACAddressPolicy=persistent rewrites Amazon VPC CNI host veth MACs and breaks pod traffic.',
};

export const viewport: Viewport = {
  colorScheme: 'light dark',
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#ffffff' },
    { media: '(prefers-color-scheme: dark)', color: '#161b22' },
  ],
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <QueryProvider>
          <header className="site-header">
            <div className="site-header-inner">
              <RouteLink href="/" className="brand">
                vethwatch
              </RouteLink>
              <SiteNav />
              <LiveConnection />
              <SessionHeader />
            </div>
          </header>
          <SessionWatch />
          <main id="main" className="site-main" tabIndex={-1}>
            <RouteBody>{children}</RouteBody>
          </main>
        </QueryProvider>
        <footer className="site-footer">
          <p>
            vethwatch watches udev&apos;s MAC policy for pod veths. Times are UTC; hover an age for the exact time.
          </p>
        </footer>
      </body>
    </html>
  );
}
