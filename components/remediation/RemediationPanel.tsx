'use client';
// The node page's remediation section: which executor would run a fix, the Remediate button (operators only),
// the pause banner, and this node's remediations with live progress and evidence.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { NodeDetail } from '../../lib/nodes/types';
import { nodeKeys, remediationKeys } from '../../lib/queries/keys';
import { meQuery, nodeRemediationsQuery, settingsQuery } from '../../lib/queries/remediation';
import type { MeResponse, RemediationRecord } from '../../lib/remediation/types';
import { Icon } from '../ui/Icon';
import { PauseControl, PausedBanner } from './PauseControl';
import { PreviewDialog } from './PreviewDialog';
import styles from './remediation.module.css';
import { RemediationRun } from './RemediationRun';
import { executorLabel } from './status';

/** Why the Remediate button is disabled for an operator, or null when it is not. */
function disabledBecause(me: MeResponse, node: string, paused: boolean, active: RemediationRecord[]): string | null {
  if (paused) return 'Remediation is paused fleet-wide.';
  if (me.executor === 'none') return `No executor is configured: ${me.executorDetail}`;
  if (me.executor === 'local' && me.localNode !== null && me.localNode !== node) {
    return `The local executor can only fix this host (${me.localNode}).`;
  }
  if (active.length > 0) return 'A remediation is already running on this node; one at a time.';
  return null;
}

/** When a run on this node settles, the node's own state changed too: refresh it rather than wait a cycle. */
function useRefreshNodeOnSettle(node: string, records: RemediationRecord[] | undefined) {
  const queryClient = useQueryClient();
  const seen = useRef(new Map<string, string>());
  useEffect(() => {
    if (!records) return;
    let changed = false;
    for (const r of records) {
      const before = seen.current.get(r.id);
      if (before !== undefined && before !== r.status) changed = true;
      seen.current.set(r.id, r.status);
    }
    if (changed) {
      void queryClient.invalidateQueries({ queryKey: nodeKeys.detail(node) });
      void queryClient.invalidateQueries({ queryKey: nodeKeys.fleet() });
      void queryClient.invalidateQueries({ queryKey: remediationKeys.settings() });
    }
  }, [node, records, queryClient]);
}

export function RemediationPanel({ node }: { node: NodeDetail }) {
  const me = useQuery(meQuery());
  const settings = useQuery(settingsQuery());
  const list = useQuery(nodeRemediationsQuery(node.name));
  const [open, setOpen] = useState(false);
  useRefreshNodeOnSettle(node.name, list.data?.remediations);

  const operator = me.data?.canRemediate === true;
  const paused = settings.data?.paused === true;
  const active = list.data?.active ?? [];
  const reason = me.data && operator ? disabledBecause(me.data, node.name, paused, active) : null;
  const runs = list.data?.remediations ?? [];

  return (
    <section className="card" id="remediation" aria-labelledby="remediation-heading">
      <div className={styles.panelHead}>
        <h2 id="remediation-heading">Remediation</h2>
        {operator && (
          <button
            type="button"
            className={`button ${styles.primary}`}
            disabled={reason !== null}
            aria-describedby={paused ? 'remediate-paused' : reason !== null ? 'remediate-disabled' : undefined}
            onClick={() => setOpen(true)}
          >
            Remediate
          </button>
        )}
      </div>
      {me.data && (
        <p className="small">
          Runs on: <strong>{executorLabel(me.data.executor, node.name)}</strong>
          <span className="muted"> · {me.data.executorDetail}</span>
        </p>
      )}
      {settings.data && (
        <div id="remediate-paused">
          <PausedBanner settings={settings.data} />
        </div>
      )}
      {reason !== null && !paused && (
        <p id="remediate-disabled" className="muted small">
          {reason}
        </p>
      )}
      {me.data && me.data.role !== 'operator' && (
        <p className="muted small">
          Only operators can remediate; you are signed in as a viewer
          {me.data.sessionLogin ? ' (sign in as operator at the top of the page)' : ''}.
        </p>
      )}
      {me.data && me.data.role === 'operator' && !operator && (
        <p className="muted small">Remediation is unavailable here: {me.data.executorDetail}.</p>
      )}
      {operator && settings.data && <PauseControl settings={settings.data} />}
      {list.isError && (
        <div className="banner tone-bad" role="alert">
          <Icon shape="bad" />
          <p>Could not load this node&apos;s remediations: {list.error.message}</p>
        </div>
      )}
      {runs.length > 0 ? (
        <>
          <h3>History</h3>
          <ol className={styles.runs} aria-label="Remediations of this node">
            {runs.map((r) => (
              <RemediationRun key={r.id} record={r} />
            ))}
          </ol>
        </>
      ) : (
        list.data && <p className="muted">No remediation has run on this node.</p>
      )}
      {operator && (
        <PreviewDialog
          node={node.name}
          open={open}
          onClose={() => setOpen(false)}
          onApplied={() => setOpen(false)}
        />
      )}
    </section>
  );
}
