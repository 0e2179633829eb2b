'use client';
// The fleet page's body. Its data was prefetched on the server and hydrated into the cache, so the first render
// (and the HTML a browser without JavaScript gets) is complete; from then on TanStack Query refreshes it.
import { useSuspenseQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { fleetQuery } from '../../lib/queries/options';
import { Freshness } from '../ui/Freshness';
import { FleetSummary } from './FleetSummary';
import { FleetTable } from './FleetTable';
import { worstFirst } from './order';

export function FleetView() {
  const { data: fleet, error, isRefetchError } = useSuspenseQuery(fleetQuery());
  const nodes = useMemo(() => worstFirst(fleet.nodes), [fleet.nodes]);
  return (
    <>
      <div className="page-head">
        <h1>Fleet</h1>
      </div>
      <Freshness asOf={fleet.generatedAt} refreshError={isRefetchError ? error : null} />
      <FleetSummary counts={fleet.counts} />
      {nodes.length === 0 ? (
        <div className="card">
          <h2>No node has reported yet</h2>
          <p>
            Nodes appear here after their agent sends its first report. As root on a node, with the shared token in{' '}
            <code>VETHWATCH_AGENT_TOKEN</code>, run <code>npm run agent -- --server http://DASHBOARD-HOST:PORT</code>.
          </p>
        </div>
      ) : (
        <FleetTable nodes={nodes} />
      )}
    </>
  );
}
