import type { Metadata } from 'next';
import { RouteLink } from '../components/nav/RouteLink';

export const metadata: Metadata = { title: 'Not found' };

export default function NotFound() {
  return (
    <div className="card">
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
      <p>
        <RouteLink href="/">Go to the fleet</RouteLink>
      </p>
    </div>
  );
}
