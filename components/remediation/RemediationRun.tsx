// One applied remediation: who asked, what ran where, how far it got, and (once finished) the evidence: the
// agent's result, the termination message, the log tail, and what the node's next report said.
import type { RemediationRecord } from '../../lib/remediation/types';
import { Badge } from '../ui/Badge';
import { Icon } from '../ui/Icon';
import { Timestamp } from '../ui/Timestamp';
import styles from './remediation.module.css';
import { executorLabel, recordPresentation, remediationSteps } from './status';

function Steps({ record }: { record: RemediationRecord }) {
  const steps = remediationSteps(record);
  if (steps.length === 0) return null;
  return (
    <ol className={styles.steps} aria-label="Progress">
      {steps.map((s) => (
        <li key={s.label} data-phase={s.phase} aria-current={s.phase === 'current' ? 'step' : undefined}>
          {s.phase === 'done' && <Icon shape="check" />}
          {s.phase === 'failed' && <Icon shape="bad" />}
          {s.phase === 'current' && <Icon shape="clock" />}
          {s.label}
        </li>
      ))}
    </ol>
  );
}

export function Evidence({ record }: { record: RemediationRecord }) {
  const ev = record.evidence;
  const v = record.verification;
  return (
    <div className={styles.evidence}>
      {(v.agent || v.nextReport) && (
        <dl className="kv small">
          {v.agent && (
            <div>
              <dt>Agent&apos;s re-scan</dt>
              <dd>
                {v.agent.verified ? 'verified' : 'not verified'}: {v.agent.summary}
              </dd>
            </div>
          )}
          {v.nextReport && (
            <div>
              <dt>Next report</dt>
              <dd>
                {v.nextReport.verified ? 'verified' : 'not verified'}: {v.nextReport.reason} (
                <Timestamp at={v.nextReport.at} />)
              </dd>
            </div>
          )}
        </dl>
      )}
      {ev && (
        <details>
          <summary>Evidence</summary>
          <dl className="kv small">
            <div>
              <dt>Pod</dt>
              <dd>{ev.podName ?? 'none'}</dd>
            </div>
            <div>
              <dt>Exit code</dt>
              <dd>
                {ev.exitCode ?? 'unknown'}
                {ev.terminationReason ? ` (${ev.terminationReason})` : ''}
              </dd>
            </div>
            <div>
              <dt>Collected</dt>
              <dd>
                <Timestamp at={ev.collectedAt} />
              </dd>
            </div>
          </dl>
          {ev.result && (
            <>
              <h4>Result</h4>
              {ev.result.changed.length > 0 && (
                <ul className="plain-list small">
                  {ev.result.changed.map((c) => (
                    <li key={c}>{c}</li>
                  ))}
                </ul>
              )}
              <pre tabIndex={0} aria-label="Result JSON">{JSON.stringify(ev.result, null, 2)}</pre>
            </>
          )}
          {ev.terminationMessage && !ev.result && (
            <>
              <h4>Termination message</h4>
              <pre tabIndex={0} aria-label="Termination message">{ev.terminationMessage}</pre>
            </>
          )}
          <h4>Log tail</h4>
          {ev.log ? (
            <pre tabIndex={0} aria-label="Log tail">{ev.log}</pre>
          ) : (
            <p className="muted small">{ev.logError ?? 'No log output.'}</p>
          )}
        </details>
      )}
    </div>
  );
}

export function RemediationRun({ record }: { record: RemediationRecord }) {
  const presentation = recordPresentation(record);
  const repairs = record.plan.repairs.length;
  return (
    <li id={`remediation-${record.id}`} aria-label={`Remediation ${record.id}: ${presentation.label}`}>
      <p className="state-line">
        <Badge presentation={presentation} />
        <span>
          by <strong>{record.requestedBy}</strong> · <Timestamp at={record.appliedAt ?? record.createdAt} /> · on{' '}
          {executorLabel(record.executor, record.node)}
          {record.jobName && (
            <>
              {' '}
              · Job <code>{record.jobNamespace ? `${record.jobNamespace}/` : ''}{record.jobName}</code>
            </>
          )}
        </span>
      </p>
      <Steps record={record} />
      <p className="muted small">
        Plan <code>{record.planId}</code>: {record.plan.dropIn.action === 'write' ? 'write the drop-in' : 'keep the drop-in'}
        , {repairs} {repairs === 1 ? 'pod' : 'pods'} to repair.
        {record.progress?.message && record.progress.message !== record.error && <> Latest: {record.progress.message}</>}
      </p>
      {record.dryRunError && (
        <p className={styles.inlineError}>The Kubernetes dry run refused the Job: {record.dryRunError}</p>
      )}
      {record.error && <p className={styles.inlineError}>{record.error}</p>}
      {record.regression && (
        <p className={styles.inlineError} data-testid="regressed">
          Regressed at <Timestamp at={record.regression.at} />: {record.regression.reason}
        </p>
      )}
      <Evidence record={record} />
    </li>
  );
}
