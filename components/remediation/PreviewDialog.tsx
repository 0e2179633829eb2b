'use client';
// Remediate = preview first (a server-side dry run that returns the exact plan and, for Kubernetes, the Job),
// then confirm with that plan's id. If the node changed or the preview expired in between, the server refuses the
// apply and we ask for a fresh preview rather than running something the operator did not see.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError } from '../../lib/queries/errors';
import { nodeKeys, remediationKeys } from '../../lib/queries/keys';
import { fetchRemediationPreview, postRemediation } from '../../lib/queries/remediation';
import type { PlanPreview, RemediationRecord } from '../../lib/remediation/types';
import { Icon } from '../ui/Icon';
import { Dialog } from './Dialog';
import { PlanView } from './PlanView';
import styles from './remediation.module.css';

export function describeRefusal(err: unknown): string {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  switch (err.status) {
    case 401:
    case 403:
      return `Only operators may remediate (${err.message}). Sign in as an operator and try again.`;
    case 409:
      return `Refused: ${err.message}`;
    case 423:
      return `Remediation is paused: ${err.message}`;
    default:
      return `${err.message} (HTTP ${err.status})`;
  }
}

/** Re-renders once when the given time passes, so an expired preview disables its Confirm button by itself. */
function useExpired(at: string | null): boolean {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at === null) return;
    const left = Date.parse(at) - Date.now();
    if (left <= 0) return;
    const t = setTimeout(() => setNow(Date.now()), left + 50);
    return () => clearTimeout(t);
  }, [at]);
  return at !== null && Date.parse(at) <= now;
}

interface Props {
  node: string;
  open: boolean;
  onClose: () => void;
  onApplied: (r: RemediationRecord) => void;
}

export function PreviewDialog({ node, open, onClose, onApplied }: Props) {
  const queryClient = useQueryClient();
  const preview = useMutation<PlanPreview, Error>({ mutationFn: () => fetchRemediationPreview(node) });
  const apply = useMutation<RemediationRecord, Error, string>({
    mutationFn: async (planId) => (await postRemediation(node, planId)).remediation,
    onSuccess: (record) => {
      void queryClient.invalidateQueries({ queryKey: remediationKeys.node(node) });
      void queryClient.invalidateQueries({ queryKey: remediationKeys.settings() });
      void queryClient.invalidateQueries({ queryKey: nodeKeys.detail(node) });
      onApplied(record);
    },
  });
  const { mutate: runPreview, reset: resetPreview } = preview;
  const { reset: resetApply } = apply;

  useEffect(() => {
    if (!open) return;
    resetApply();
    runPreview();
    return () => resetPreview();
  }, [open, runPreview, resetPreview, resetApply]);

  const data = preview.data ?? null;
  const expired = useExpired(data?.expiresAt ?? null);
  const dryRunFailed = data?.jobDryRun ? !data.jobDryRun.ok : false;
  const blocked = data !== null && (data.blockers.length > 0 || data.nothingToDo || dryRunFailed || expired);
  const busy = apply.isPending;

  const again = () => {
    resetApply();
    runPreview();
  };

  return (
    <Dialog
      open={open}
      onClose={onClose}
      busy={busy}
      title={`Remediate ${node}`}
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          {(apply.isError || expired) && (
            <button type="button" className="button" onClick={again} disabled={preview.isPending}>
              Preview again
            </button>
          )}
          <button
            type="button"
            className={`button ${styles.primary}`}
            disabled={data === null || blocked || busy || preview.isPending || apply.isError}
            onClick={() => data && apply.mutate(data.planId)}
          >
            {busy ? 'Starting…' : 'Confirm remediation'}
          </button>
        </>
      }
    >
      {preview.isPending && (
        <p role="status" aria-live="polite">
          Building the plan (dry run)…
        </p>
      )}
      {preview.isError && (
        <div className="banner tone-bad" role="alert">
          <Icon shape="bad" />
          <p>
            <strong>The dry run failed.</strong> {describeRefusal(preview.error)}
          </p>
        </div>
      )}
      {data && !preview.isPending && (
        <>
          {data.nothingToDo && (
            <div className="banner tone-ok" role="status">
              <Icon shape="check" />
              <p>Nothing to do: the drop-in is already in place and no pod has the wrong gateway MAC.</p>
            </div>
          )}
          {data.blockers.length > 0 && (
            <div className="banner tone-warn" role="alert">
              <Icon shape="warn" />
              <div>
                <p>
                  <strong>This cannot run right now:</strong>
                </p>
                <ul className="plain-list">
                  {data.blockers.map((b) => (
                    <li key={b}>{b}</li>
                  ))}
                </ul>
              </div>
            </div>
          )}
          {expired && (
            <div className="banner tone-stale" role="alert">
              <Icon shape="clock" />
              <p>This preview has expired. Preview again to see the node&apos;s current plan before confirming.</p>
            </div>
          )}
          <PlanView preview={data} />
        </>
      )}
      {apply.isError && (
        <div className="banner tone-bad" role="alert">
          <Icon shape="bad" />
          <p>
            <strong>Not started.</strong> {describeRefusal(apply.error)} Preview again to see the node&apos;s current
            plan.
          </p>
        </div>
      )}
    </Dialog>
  );
}
