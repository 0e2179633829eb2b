'use client';
// What fleet search found beyond node names: each pod (or veth) with the node it is on and the veth that carries
// it, linked to that veth's row on the node page. The answer the 3 a.m. question "where is pod X?" needs.
import type { FleetSearch, VethMatchField } from '../../lib/nodes/searchTypes';
import { RouteLink } from '../nav/RouteLink';
import { plural } from '../ui/format';
import { nodeHref } from './FleetTable';

const FIELD_WORDS: Record<VethMatchField, string> = {
  pod: 'pod name',
  namespace: 'namespace',
  podIP: 'pod IP',
  veth: 'veth name',
  mac: 'MAC',
};

/** The node page with this veth's row open and in view. */
export function vethHref(node: string, ifname: string): string {
  return `${nodeHref(node)}?veth=${encodeURIComponent(ifname)}#veth-${encodeURIComponent(ifname)}`;
}

export function SearchHits({ search, pending, error }: { search: FleetSearch | undefined; pending: boolean; error: Error | null }) {
  if (error) {
    return (
      <p className="muted small" role="status">
        Pod search failed: {error.message}. Node names still filter the table below.
      </p>
    );
  }
  if (!search) return pending ? <p className="muted small" role="status">Searching pods, IPs, veths and MACs…</p> : null;
  if (search.hits.length === 0) {
    return (
      <p className="muted small" role="status">
        No pod, pod IP, veth or MAC contains “{search.q}”.
      </p>
    );
  }
  return (
    <section className="card search-hits" aria-labelledby="search-hits-heading">
      <h2 id="search-hits-heading">
        {plural(search.hits.length, 'veth')} matching “{search.q}”{search.truncated ? ' (the first ones; narrow the search for the rest)' : ''}
      </h2>
      <ul>
        {search.hits.map((h) => (
          <li key={`${h.node}/${h.ifname}`}>
            <RouteLink href={vethHref(h.node, h.ifname)} prefetch={false}>
              {h.pod ? (
                <>
                  <span className="muted">{h.pod.namespace}/</span>
                  {h.pod.name}
                </>
              ) : (
                'unknown pod'
              )}
            </RouteLink>{' '}
            on node <strong className="ident">{h.node}</strong>, veth <code>{h.ifname}</code>
            <span className="muted small">
              {' '}
              · {h.podIP ?? 'no IP'} · <code>{h.mac}</code> · matched {h.matched.map((f) => FIELD_WORDS[f]).join(', ')}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
