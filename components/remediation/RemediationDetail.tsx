'use client';
// One remediation on its own page (linked from the audit log), kept live while it is still moving.
import { useQuery } from '@tanstack/react-query';
import { ApiError } from '../../lib/queries/errors';
import { remediationQuery } from '../../lib/queries/remediation';
import { RouteLink } from '../nav/RouteLink';
import { Icon } from '../ui/Icon';
import styles from './remediation.module.css';
import { RemediationRun } from './RemediationRun';

export function RemediationDetail({ node, id }: { node: string; id: string }) {
  const one = useQuery(remediationQuery(id));
  const record = one.data && one.data.node === node ? one.data : null;
  const nodeHref = `/nodes/${encodeURIComponent(node)}`;
  const missing = (one.isError && one.error instanceof ApiError && one.error.status === 404) || (one.data && !record);
  return (
    <div className="stack">
      <nav aria-label="Breadcrumb" className="breadcrumbs">
        <ol>
          <li>
            <RouteLink href="/">Fleet</RouteLink>
          </li>
          <li>
            <RouteLink href={nodeHref}>{node}</RouteLink>
          </li>
          <li>
            <span aria-current="page">Remediation {id}</span>
          </li>
        </ol>
      </nav>
      <div className="page-head">
        <h1>Remediation {id}</h1>
      </div>
      {one.isPending && <p role="status">Loading…</p>}
      {missing ? (
        <div className="banner tone-unknown" role="status">
          <Icon shape="unknown" />
          <p>
            {node} has no remediation {id}. <RouteLink href={nodeHref}>See the node</RouteLink> or the{' '}
            <RouteLink href="/audit">audit log</RouteLink>.
          </p>
        </div>
      ) : (
        one.isError && (
          <div className="banner tone-bad" role="alert">
            <Icon shape="bad" />
            <p>Could not load remediation {id}: {one.error.message}</p>
          </div>
        )
      )}
      {record && (
        <section className="card" aria-label="Remediation details">
          <ol className={styles.runs} aria-label="Remediation">
            <RemediationRun record={record} />
          </ol>
          <details>
            <summary>Plan</summary>
            <pre tabIndex={0} className={styles.fileContent}>{JSON.stringify(record.plan, null, 2)}</pre>
          </details>
        </section>
      )}
    </div>
  );
}
