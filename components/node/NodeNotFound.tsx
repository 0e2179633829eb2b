'use client';
import { useParams } from 'next/navigation';
import { RouteLink } from '../nav/RouteLink';

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function NodeNotFound() {
  const params = useParams<{ name?: string }>();
  const name = typeof params?.name === 'string' ? safeDecode(params.name) : null;
  return (
    <div className="card">
      <h1>{name ? <>No node named &ldquo;{name}&rdquo;</> : 'No such node'}</h1>
      <p>
        This dashboard has never received a report from a node by that name. Check the spelling, or whether the
        node&apos;s agent is running and can reach this server.
      </p>
      <p>
        <RouteLink href="/">See all nodes in the fleet</RouteLink>
      </p>
    </div>
  );
}
