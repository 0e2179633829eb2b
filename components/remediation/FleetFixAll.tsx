'use client';
// "Fix all at-risk nodes": one preview of every node that needs a fix (in waves of at most the fleet cap), one
// confirm, then the run's progress node by node. The server stops the run at the first failure or a pause.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { nodeKeys, remediationKeys } from '../../lib/queries/keys';
import { applyFleet, fleetRunQuery, meQuery, previewFleet, settingsQuery } from '../../lib/queries/remediation';
import type { NodeState } from '../../lib/nodes/types';
import { fleetQuery } from '../../lib/queries/options';
import type { FleetPreview, FleetRun } from '../../lib/remediation/types';
import { RouteLink } from '../nav/RouteLink';
import { Badge } from '../ui/Badge';
import { Icon } from '../ui/Icon';
import { Dialog } from './Dialog';
import { PausedBanner } from './PauseControl';
import { describeRefusal } from './PreviewDialog';
import styles from './remediation.module.css';
import { executorLabel, remediationStatusPresentation } from './status';

/** Nodes the preview can fix (a plan that changes something, nothing refusing it), in the server's order. */
function fixableNodes(preview: FleetPreview) {
  return preview.nodes.flatMap((n) => (n.preview && n.skipped === null && !n.preview.nothingToDo ? [{ node: n.node, preview: n.preview }] : []));
}

/** The nodes it will skip, grouped by their one reason. */
function skippedGroups(preview: FleetPreview): Array<{ reason: string; nodes: string[] }> {
  const groups = new Map<string, string[]>();
  for (const n of preview.nodes) {
    if (n.preview && n.skipped === null && !n.preview.nothingToDo) continue;
    const reason = n.skipped ?? 'the plan changes nothing';
    groups.set(reason, [...(groups.get(reason) ?? []), n.node]);
  }
  return [...groups].map(([reason, nodes]) => ({ reason, nodes }));
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Which kinds of node the fix covers, from the fleet's states: broken and stale are not obvious from the title. */
function Coverage({ nodes, states }: { nodes: string[]; states: Map<string, NodeState> }) {
  const count = (s: NodeState) => nodes.filter((n) => states.get(n) === s).length;
  const broken = count('broken');
  const atRisk = count('at-risk');
  const stale = count('stale');
  return (
    <p>
      Includes {plural(broken, 'broken node')} (pods already cut off), {plural(atRisk, 'at-risk node')} (new pods
      would break){stale > 0 ? ` and ${plural(stale, 'stale node')}` : ', and no stale node'}.
      {stale > 0 && ' A stale node has not reported lately: its plan comes from its last report, which may be out of date.'}
    </p>
  );
}

function FleetPreviewView({
  preview,
  excluded,
  onToggle,
  states,
}: {
  preview: FleetPreview;
  excluded: ReadonlySet<string>;
  onToggle: (node: string) => void;
  states: Map<string, NodeState>;
}) {
  const fixable = fixableNodes(preview);
  const included = fixable.filter((n) => !excluded.has(n.node)).map((n) => n.node);
  const waveOf = new Map(included.map((n, i) => [n, Math.floor(i / Math.max(1, preview.cap)) + 1] as const));
  const skipped = skippedGroups(preview);
  const waveCount = Math.ceil(included.length / Math.max(1, preview.cap));
  return (
    <>
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
      {fixable.length > 0 && (
        <>
          <Coverage nodes={fixable.map((n) => n.node)} states={states} />
          <p>
            At most <strong>{preview.cap}</strong> at a time, in {plural(waveCount, 'wave')}. The run stops at the first
            failure. Untick a node to leave it out.
          </p>
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
                {fixable.map(({ node, preview: p }) => (
                  <tr key={node}>
                    <th scope="row">
                      <label className="inline-cell">
                        <input type="checkbox" checked={!excluded.has(node)} onChange={() => onToggle(node)} />
                        {node}
                      </label>
                    </th>
                    <td>{waveOf.get(node) ?? 'left out'}</td>
                    <td>
                      {p.plan.dropIn.action === 'write' ? (
                        <>
                          write <code>{p.plan.dropIn.path}</code>
                        </>
                      ) : (
                        'keep the drop-in'
                      )}
                      , repair {plural(p.plan.repairs.length, 'pod')}
                      {states.get(node) === 'stale' && <span className="muted small"> · stale: from its last report</span>}
                    </td>
                    <td className="small">{executorLabel(p.executor, node)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {skipped.length > 0 && (
        <section aria-label="Nodes it will skip">
          {skipped.map((g) => (
            <details key={g.reason} className="skip-group">
              <summary>
                Skipping {plural(g.nodes.length, 'node')}: {g.reason}
              </summary>
              <p className="small">{g.nodes.join(', ')}</p>
            </details>
          ))}
        </section>
      )}
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
  const [excluded, setExcluded] = useState<ReadonlySet<string>>(() => new Set());
  const fleet = useQuery({ ...fleetQuery(), enabled: open });
  const states = new Map((fleet.data?.nodes ?? []).map((n) => [n.name, n.state] as const));
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

  const plans = preview.data
    ? fixableNodes(preview.data)
        .filter((n) => !excluded.has(n.node))
        .map((n) => ({ node: n.node, planId: n.preview.planId }))
    : [];
  const toggle = (node: string) =>
    setExcluded((prev) => {
      const next = new Set(prev);
      if (!next.delete(node)) next.add(node);
      return next;
    });
  const confirmWhy = !preview.data
    ? null
    : preview.data.blockers.length > 0
      ? preview.data.blockers.join('; ')
      : plans.length === 0
        ? 'No node is ticked.'
        : apply.isError
          ? 'Preview again first: the plans may have changed.'
          : null;
  const start = () => {
    setRunId(null);
    setExcluded(new Set());
    apply.reset();
    preview.reset();
    setOpen(true);
    preview.mutate();
  };

  return (
    <>
      {settings.data && <PausedBanner settings={settings.data} />}
      <p className="actions">
        <button type="button" className="button" onClick={start} disabled={paused} aria-describedby={paused ? 'fix-all-why' : undefined}>
          Fix all at-risk nodes
        </button>
        {paused && (
          <span id="fix-all-why" className="muted small">
            Remediation is paused fleet-wide: resume it to fix nodes.
          </span>
        )}
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
              {confirmWhy && (
                <span id="fix-all-confirm-why" className="muted small">
                  {confirmWhy}
                </span>
              )}
              <button
                type="button"
                className={`button ${styles.primary}`}
                disabled={!preview.data || confirmWhy !== null || apply.isPending}
                aria-describedby={confirmWhy ? 'fix-all-confirm-why' : undefined}
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
                  <FleetPreviewView preview={preview.data} excluded={excluded} onToggle={toggle} states={states} />
                  {fixableNodes(preview.data).length === 0 && <p>None of these nodes has a plan that changes anything.</p>}
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
