'use client';
import { useQuery } from '@tanstack/react-query';
import { auditQuery, auditSearch, type AuditFilters } from '../../lib/queries/remediation';
import type { AuditEntry } from '../../lib/remediation/types';
import { RouteLink } from '../nav/RouteLink';
import { Icon } from '../ui/Icon';
import { Timestamp } from '../ui/Timestamp';
import { auditHref, type AuditInputs } from './auditFilters';
import styles from './remediation.module.css';

function nodeHref(node: string, remediationId: string | null): string {
  const base = `/nodes/${encodeURIComponent(node)}`;
  return remediationId ? `${base}/remediations/${encodeURIComponent(remediationId)}` : base;
}

function Row({ e }: { e: AuditEntry }) {
  return (
    <tr>
      <th scope="row" className="nowrap">
        <Timestamp at={e.at} />
      </th>
      <td>
        {e.actor}
        <div className="muted small">{e.via}</div>
      </td>
      <td>{e.action}</td>
      <td>
        {e.node ? (
          <RouteLink href={nodeHref(e.node, null)} prefetch={false}>
            {e.node}
          </RouteLink>
        ) : (
          <span className="muted">–</span>
        )}
      </td>
      <td className="mono">{e.planId ?? '–'}</td>
      <td className="mono">{e.jobName ?? '–'}</td>
      <td>
        {e.result ?? '–'}
        {e.detail && <div className="muted small">{e.detail}</div>}
      </td>
      <td>{e.verification ?? '–'}</td>
      <td>
        {e.node && e.remediationId ? (
          <RouteLink href={nodeHref(e.node, e.remediationId)} prefetch={false} aria-label={`Evidence of remediation ${e.remediationId}`}>
            Evidence
          </RouteLink>
        ) : (
          <span className="muted">–</span>
        )}
      </td>
    </tr>
  );
}

interface Props {
  filters: AuditFilters;
  inputs: AuditInputs;
  problems: string[];
}

export function AuditView({ filters, inputs, problems }: Props) {
  const page = useQuery({ ...auditQuery(filters), enabled: problems.length === 0 });
  const exportFilters = { ...filters, cursor: undefined, limit: undefined };
  return (
    <div className="stack">
      <div className="page-head">
        <h1>Audit log</h1>
      </div>
      <form method="get" action="/audit" className={`card ${styles.filters}`} aria-label="Filter the audit log">
        <label>
          Node
          <input name="node" defaultValue={inputs.node} placeholder="any node" />
        </label>
        <label>
          From (UTC)
          <input name="from" type="datetime-local" defaultValue={inputs.from} />
        </label>
        <label>
          To (UTC)
          <input name="to" type="datetime-local" defaultValue={inputs.to} />
        </label>
        {inputs.limit && <input type="hidden" name="limit" value={inputs.limit} />}
        <button type="submit" className="button">
          Filter
        </button>
        {(inputs.node || inputs.from || inputs.to) && (
          <RouteLink href="/audit" className="button">
            Clear
          </RouteLink>
        )}
        <a className="button" href={`/api/v1/audit${auditSearch({ ...exportFilters, limit: 1000 })}`} download="vethwatch-audit.json">
          Export JSON
        </a>
      </form>
      {problems.length > 0 && (
        <div className="banner tone-bad" role="alert">
          <Icon shape="bad" />
          <p>{problems.join('; ')}</p>
        </div>
      )}
      {page.isError && (
        <div className="banner tone-bad" role="alert">
          <Icon shape="bad" />
          <p>Could not load the audit log: {page.error.message}</p>
        </div>
      )}
      {page.isPending && problems.length === 0 && <p role="status">Loading…</p>}
      {page.data && (
        <>
          <div className="table-wrap card">
            <table aria-label="Audit log entries">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Node</th>
                  <th scope="col">Plan</th>
                  <th scope="col">Job</th>
                  <th scope="col">Result</th>
                  <th scope="col">Verification</th>
                  <th scope="col">Evidence</th>
                </tr>
              </thead>
              <tbody>
                {page.data.entries.length === 0 ? (
                  <tr>
                    <td colSpan={9} className="empty">
                      No entries{filters.cursor ? ' on this page' : ' match these filters'}.
                    </td>
                  </tr>
                ) : (
                  page.data.entries.map((e) => <Row key={e.id} e={e} />)
                )}
              </tbody>
            </table>
          </div>
          <nav aria-label="Audit log pages" className="actions">
            {filters.cursor && (
              <RouteLink href={auditHref(inputs, null)} className="button">
                Newest
              </RouteLink>
            )}
            {page.data.nextCursor && (
              <RouteLink href={auditHref(inputs, page.data.nextCursor)} className="button">
                Older entries
              </RouteLink>
            )}
          </nav>
        </>
      )}
    </div>
  );
}
