'use client';
// The fleet-wide pause switch: everyone sees the banner while remediation is paused (and why); operators can
// pause with a reason, or resume.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { remediationKeys } from '../../lib/queries/keys';
import { updateSettings } from '../../lib/queries/remediation';
import type { RemediationSettings } from '../../lib/remediation/types';
import { Icon } from '../ui/Icon';
import { Timestamp } from '../ui/Timestamp';
import { describeRefusal } from './PreviewDialog';
import styles from './remediation.module.css';

export function PausedBanner({ settings }: { settings: RemediationSettings }) {
  if (!settings.paused) return null;
  return (
    <div className="banner tone-warn" role="status">
      <Icon shape="warn" />
      <p>
        <strong>Remediation is paused fleet-wide</strong>
        {settings.pausedBy && <> by {settings.pausedBy}</>}
        {settings.pausedAt && (
          <>
            {' '}
            since <Timestamp at={settings.pausedAt} />
          </>
        )}
        : {settings.pauseReason ?? 'no reason given'}. No new remediation can start on any node until an operator resumes it.
      </p>
    </div>
  );
}

export function PauseControl({ settings }: { settings: RemediationSettings }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const update = useMutation({
    mutationFn: updateSettings,
    onSuccess: (next) => {
      queryClient.setQueryData(remediationKeys.settings(), next);
      setReason('');
    },
  });

  return (
    <div className="stack">
      {settings.paused ? (
        <p className={styles.pauseForm}>
          <button type="button" className="button" disabled={update.isPending} onClick={() => update.mutate({ paused: false })}>
            Resume remediation fleet-wide
          </button>
        </p>
      ) : (
        <form
          className={styles.pauseForm}
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.trim() !== '') update.mutate({ paused: true, reason: reason.trim() });
          }}
        >
          <label htmlFor="pause-reason">Reason to pause</label>
          <input
            id="pause-reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            required
            maxLength={500}
            placeholder="e.g. change freeze until Monday"
          />
          <button
            type="submit"
            className="button"
            disabled={update.isPending || reason.trim() === ''}
            aria-describedby="pause-why"
          >
            Pause remediation fleet-wide
          </button>
          <span id="pause-why" className="muted small">
            {reason.trim() === '' ? 'Give a reason to pause. ' : ''}Pausing stops new remediations on every node, not just
            this one.
          </span>
        </form>
      )}
      {update.isError && (
        <p className={styles.inlineError} role="alert">
          {describeRefusal(update.error)}
        </p>
      )}
      <p className="muted small">
        At most {settings.maxConcurrent} {settings.maxConcurrent === 1 ? 'remediation runs' : 'remediations run'} at
        once across the fleet; {settings.active} running now.
      </p>
    </div>
  );
}
