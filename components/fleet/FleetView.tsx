'use client';
// The fleet page's body. Its data was prefetched on the server and hydrated into the cache, so the first render
// (and the HTML a browser without JavaScript gets) is complete; from then on TanStack Query and the live stream
// keep it fresh. Search, filters and sort live in the URL.
import { useQuery, useSuspenseQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { isSearchTerm } from '../../lib/nodes/searchTypes';
import type { NodeState } from '../../lib/nodes/types';
import { fleetQuery, fleetSearchQuery } from '../../lib/queries/options';
import { hrefWith, useUrlParams } from '../timeline/urlState';
import { Freshness } from '../ui/Freshness';
import { fleetCsv, fleetJson } from './exportRows';
import { FleetFilters } from './FleetFilters';
import { FleetHazards } from './FleetHazards';
import { FleetSummary } from './FleetSummary';
import { FleetTable } from './FleetTable';
import { FleetFixAll } from '../remediation/FleetFixAll';
import { SearchHits } from './SearchHits';
import { applyFleetFilter, facets as facetsOf, filterParams, parseFleetFilter, type FleetFilter } from './query';

function download(name: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function FleetView() {
  const { data: fleet, error, isRefetchError } = useSuspenseQuery(fleetQuery());
  const [params, setParams] = useUrlParams();
  const paramString = params.toString();
  const filter = useMemo(() => parseFleetFilter(new URLSearchParams(paramString)), [paramString]);
  // Pods, IPs, veths and MACs live in each node's report: the server searches those (GET /api/v1/nodes?q=).
  const term = filter.q.trim();
  const searching = isSearchTerm(term);
  const search = useQuery({ ...fleetSearchQuery(term), enabled: searching });
  const searchData = searching ? search.data : undefined;
  const found = useMemo(() => new Set(searchData?.q === term ? searchData.nodes.map((n) => n.name) : []), [searchData, term]);
  const nodes = useMemo(() => applyFleetFilter(fleet.nodes, filter, found), [fleet.nodes, filter, found]);
  const facets = useMemo(() => facetsOf(fleet.nodes), [fleet.nodes]);
  const change = (next: Partial<FleetFilter>) => setParams(filterParams({ ...filter, ...next }));
  return (
    <>
      <div className="page-head">
        <h1>Fleet</h1>
      </div>
      <Freshness asOf={fleet.generatedAt} refreshError={isRefetchError ? error : null} />
      <FleetSummary
        counts={fleet.counts}
        staleBroken={fleet.staleBroken ?? 0}
        active={filter.states}
        hrefFor={(states: NodeState[]) => hrefWith(params, filterParams({ ...filter, states }))}
        onPick={(states) => change({ states })}
      />
      <FleetHazards hazards={fleet.hazards} />
      <FleetFixAll />
      {fleet.nodes.length === 0 ? (
        <div className="card">
          <h2>No node has reported yet</h2>
          <p>
            Nodes appear here after their agent sends its first report. As root on a node, with the shared token in{' '}
            <code>VETHWATCH_AGENT_TOKEN</code>, run <code>npm run agent -- --server http://DASHBOARD-HOST:PORT</code>.
          </p>
        </div>
      ) : (
        <>
          <FleetFilters filter={filter} facets={facets} shown={nodes.length} total={fleet.nodes.length} onChange={change} />
          {searching && <SearchHits search={searchData?.q === term ? searchData : undefined} pending={search.isFetching} error={search.error} />}
          <FleetTable
            stripEndsAt={fleet.stripEndsAt ?? null}
            nodes={nodes}
            filter={filter}
            hrefFor={(sort, dir) => hrefWith(params, filterParams({ ...filter, sort, dir }))}
            onSort={(sort, dir) => change({ sort, dir })}
          />
          <p className="export-links small">
            Export these {nodes.length} rows:{' '}
            <button type="button" className="button" onClick={() => download('vethwatch-fleet.csv', 'text/csv', fleetCsv(nodes))}>
              CSV
            </button>{' '}
            <button
              type="button"
              className="button"
              onClick={() => download('vethwatch-fleet.json', 'application/json', fleetJson(nodes))}
            >
              JSON
            </button>
          </p>
        </>
      )}
    </>
  );
}
