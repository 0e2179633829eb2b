'use client';
// "Fix all at-risk nodes": one preview of every node that needs a fix (in waves of at most the fleet cap), one
// confirm, then the run's progress node by node. The server stops the run at the first failure or a pause.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { nodeKeys, remediationKeys } from '../../lib/queries/keys';
import { applyFleet, fleetRunQuery, meQuery, previewFleet, settingsQuery } from '../../lib/queries/remediation';
import type { FleetPreview, FleetRun } from '../../lib/remediation/types';
import { RouteLink } from '../nav/RouteLink';
import { Badge } from '../ui/Badge';
import { Icon } from '../ui/Icon';
import { Dialog } from './Dialog';
import { PausedBanner } from './PauseControl';
import { describeRefusal } from './PreviewDialog';
import styles from './remediation.module.css';
import { executorLabel, remediationStatusPresentation } from './status';

function runnablePlans(preview: FleetPreview) {
  return preview.nodes.flatMap((n) =>
    n.preview && !n.preview.nothingToDo ? [{ node: n.node, planId: n.preview.planId }] : [],
  );
}

function FleetPreviewView({ preview }: { preview: FleetPreview }) {
  const waveOf = new Map(preview.waves.flatMap((w, i) => w.map((n) => [n, i + 1] as const)));
  return (
    <>
      <p>
        At most <strong>{preview.cap}</strong> at a time, in {preview.waves.length}{' '}
        {preview.waves.length === 1 ? 'wave' : 'waves'}. The run stops at the first failure.
      </p>
      {preview.blockers.length > 0 && (
        <div className="banner tone-warn" role="alert">
          <Icon shape="warn" />
          <ul className="plain-list">
            {preview.blockers.map((b) => (
              <li key={b}>{b}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="table-wrap">
        <table aria-label="Nodes to fix">
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Wave</th>
              <th scope="col">Plan</th>
              <th scope="col">Runs on</th>
            </tr>
          </thead>
          <tbody>
            {preview.nodes.map((n) => (
              <tr key={n.node}>
                <th scope="row">{n.node}</th>
                <td>{waveOf.get(n.node) ?? '–'}</td>
                <td>
                  {n.preview ? (
                    n.preview.nothingToDo ? (
                      'nothing to do'
                    ) : (
                      <>
                        {n.preview.plan.dropIn.action === 'write' ? (
                          <>
                            write <code>{n.preview.plan.dropIn.path}</code>
                          </>
                        ) : (
                          'keep the drop-in'
                        )}
                        , repair {n.preview.plan.repairs.length}{' '}
                        {n.preview.plan.repairs.length === 1 ? 'pod' : 'pods'}
                        {n.preview.blockers.length > 0 && (
                          <div className={styles.inlineError}>{n.preview.blockers.join('; ')}</div>
                        )}
                      </>
                    )
                  ) : (
                    <span className="muted">skipped: {n.skipped}</span>
                  )}
                </td>
                <td className="small">{n.preview ? executorLabel(n.preview.executor, n.node) : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function FleetRunView({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const run = useQuery(fleetRunQuery(id));
  const status = run.data?.status;
  useEffect(() => {
    if (status && status !== 'running') void queryClient.invalidateQueries({ queryKey: nodeKeys.all });
  }, [status, queryClient]);
  if (run.isError) return <p className={styles.inlineError}>Could not load the run: {run.error.message}</p>;
  if (!run.data) return <p role="status">Starting…</p>;
  const r: FleetRun = run.data;
  return (
    <div className="stack">
      <p role="status">
        Run <code>{r.id}</code>: <strong>{r.status}</strong>
        {r.status === 'running' && <> (wave {r.currentWave + 1})</>}
        {r.stoppedReason && <> · stopped: {r.stoppedReason}</>}
      </p>
      <div className="table-wrap">
        <table aria-label="Fleet run">
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Wave</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {r.nodes.map((n) => (
              <tr key={n.node}>
                <th scope="row">
                  <RouteLink href={`/nodes/${encodeURIComponent(n.node)}#remediation`} prefetch={false}>
                    {n.node}
                  </RouteLink>
                </th>
                <td>{n.wave + 1}</td>
                <td>
                  {n.status === null ? (
                    <span className="muted">waiting</span>
                  ) : n.status === 'skipped' ? (
                    <span className="muted">skipped</span>
                  ) : (
                    <Badge presentation={remediationStatusPresentation[n.status]} />
                  )}
                  {n.error && <div className={styles.inlineError}>{n.error}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function FleetFixAll() {
  const me = useQuery(meQuery());
  const settings = useQuery(settingsQuery());
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [runId, setRunId] = useState<string | null>(null);
  const preview = useMutation<FleetPreview, Error>({ mutationFn: previewFleet });
  const apply = useMutation<FleetRun, Error, Array<{ node: string; planId: string }>>({
    mutationFn: applyFleet,
    onSuccess: (run) => {
      queryClient.setQueryData(remediationKeys.fleetRun(run.id), run);
      setRunId(run.id);
    },
  });

  const paused = settings.data?.paused === true;
  if (!me.data?.canRemediate) return settings.data ? <PausedBanner settings={settings.data} /> : null;

  const plans = preview.data ? runnablePlans(preview.data) : [];
  const start = () => {
    setRunId(null);
    apply.reset();
    preview.reset();
    setOpen(true);
    preview.mutate();
  };

  return (
    <>
      {settings.data && <PausedBanner settings={settings.data} />}
      <p className="actions">
        <button type="button" className="button" onClick={start} disabled={paused}>
          Fix all at-risk nodes
        </button>
        {runId && (
          <button type="button" className="button" onClick={() => setOpen(true)}>
            Show the fleet run
          </button>
        )}
      </p>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        busy={apply.isPending}
        title="Fix all at-risk nodes"
        footer={
          runId ? (
            <button type="button" className="button" onClick={() => setOpen(false)}>
              Close
            </button>
          ) : (
            <>
              <button type="button" className="button" onClick={() => setOpen(false)} disabled={apply.isPending}>
                Cancel
              </button>
              {apply.isError && (
                <button type="button" className="button" onClick={start}>
                  Preview again
                </button>
              )}
              <button
                type="button"
                className={`button ${styles.primary}`}
                disabled={
                  !preview.data || preview.data.blockers.length > 0 || plans.length === 0 || apply.isPending || apply.isError
                }
                onClick={() => apply.mutate(plans)}
              >
                {plans.length > 0 ? `Confirm: fix ${plans.length} ${plans.length === 1 ? 'node' : 'nodes'}` : 'Confirm'}
              </button>
            </>
          )
        }
      >
        {runId ? (
          <FleetRunView id={runId} />
        ) : (
          <>
            {preview.isPending && <p role="status">Building a plan for every node that needs one (dry runs)…</p>}
            {preview.isError && (
              <div className="banner tone-bad" role="alert">
                <Icon shape="bad" />
                <p>
                  <strong>The dry run failed.</strong> {describeRefusal(preview.error)}
                </p>
              </div>
            )}
            {preview.data &&
              (preview.data.nodes.length === 0 ? (
                <p>No node is broken or at risk: there is nothing to fix.</p>
              ) : (
                <>
                  <FleetPreviewView preview={preview.data} />
                  {plans.length === 0 && <p>None of these nodes has a plan that changes anything.</p>}
                </>
              ))}
            {apply.isError && (
              <div className="banner tone-bad" role="alert">
                <Icon shape="bad" />
                <p>
                  <strong>Not started.</strong> {describeRefusal(apply.error)}
                </p>
              </div>
            )}
          </>
        )}
      </Dialog>
    </>
  );
}
