// What a remediation would do, exactly as the agent will check it with --plan-id: the file it writes, whether
// udev is reloaded, each pod it repairs, what it leaves alone and why, and who runs it.
import type { PlanPreview } from '../../lib/remediation/types';
import { Icon } from '../ui/Icon';
import { Timestamp } from '../ui/Timestamp';
import { planShellSteps } from '../../lib/remediation/shellSteps';
import styles from './remediation.module.css';
import { executorLabel } from './status';

function podName(pod: { namespace: string; name: string } | null): string {
  return pod ? `${pod.namespace}/${pod.name}` : 'no pod known';
}

function jobSummary(spec: Record<string, unknown>): Array<[string, string]> {
  // A few facts an operator checks before letting a privileged Job onto a node; the full object is below them.
  const rows: Array<[string, string]> = [];
  const podSpec = (spec.spec as { template?: { spec?: Record<string, unknown> } } | undefined)?.template?.spec;
  if (!podSpec) return rows;
  if (typeof podSpec.nodeName === 'string') rows.push(['Node', podSpec.nodeName]);
  const containers = Array.isArray(podSpec.containers) ? (podSpec.containers as Array<Record<string, unknown>>) : [];
  const c = containers[0];
  if (c) {
    if (typeof c.image === 'string') rows.push(['Image', c.image]);
    const argv = [...((c.command as string[] | undefined) ?? []), ...((c.args as string[] | undefined) ?? [])];
    if (argv.length > 0) rows.push(['Command', argv.join(' ')]);
    const sc = c.securityContext as { privileged?: boolean } | undefined;
    if (sc?.privileged !== undefined) rows.push(['Privileged', sc.privileged ? 'yes' : 'no']);
  }
  if (podSpec.hostNetwork !== undefined) rows.push(['Host network', podSpec.hostNetwork ? 'yes' : 'no']);
  const inner = spec.spec as { activeDeadlineSeconds?: number; backoffLimit?: number; ttlSecondsAfterFinished?: number };
  if (inner.activeDeadlineSeconds !== undefined) rows.push(['Deadline', `${inner.activeDeadlineSeconds} s`]);
  if (inner.backoffLimit !== undefined) rows.push(['Retries', String(inner.backoffLimit)]);
  if (inner.ttlSecondsAfterFinished !== undefined) rows.push(['Deleted after', `${inner.ttlSecondsAfterFinished} s`]);
  return rows;
}

export function PlanView({ preview }: { preview: PlanPreview }) {
  const { plan } = preview;
  const shell = planShellSteps(plan);
  return (
    <>
      <section aria-labelledby="plan-executor">
        <h3 id="plan-executor">Runs on</h3>
        <p>
          <strong>{executorLabel(preview.executor, preview.node)}</strong>
          <span className="muted small"> · {preview.executorDetail}</span>
        </p>
        {preview.command && (
          <p className="small">
            Command: <code>{preview.command.join(' ')}</code>
          </p>
        )}
        {preview.job && (
          <details>
            <summary>
              Job <code>{preview.job.namespace}/{preview.job.name}</code>
            </summary>
            <dl className="kv small">
              {jobSummary(preview.job.spec).map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>
                    <code>{v}</code>
                  </dd>
                </div>
              ))}
            </dl>
            <pre tabIndex={0} className={styles.fileContent}>{JSON.stringify(preview.job.spec, null, 2)}</pre>
          </details>
        )}
        {preview.jobDryRun && !preview.jobDryRun.ok && (
          <div className="banner tone-bad" role="alert">
            <Icon shape="bad" />
            <p>
              <strong>The Kubernetes API refused the Job in a dry run</strong>
              {preview.jobDryRun.reason ? ` (${preview.jobDryRun.reason})` : ''}: {preview.jobDryRun.message ?? 'no message'}
            </p>
          </div>
        )}
      </section>

      <section aria-labelledby="plan-file">
        <h3 id="plan-file">Link file</h3>
        <p>
          {plan.dropIn.action === 'write' ? 'Writes' : 'Keeps'} <code>{plan.dropIn.path}</code>
          <span className="muted small"> · {plan.dropIn.reason}</span>
        </p>
        {plan.dropIn.action === 'write' && (
          <pre tabIndex={0} className={styles.fileContent} aria-label={`Content of ${plan.dropIn.path}`}>
            {plan.dropIn.content}
          </pre>
        )}
        <p>
          udev reload: <strong>{plan.reload.run ? 'yes' : 'no'}</strong>
          <span className="muted small"> · {plan.reload.reason}</span>
        </p>
      </section>

      {shell.length > 0 && (
        <section aria-labelledby="plan-shell">
          <h3 id="plan-shell">By hand, the same steps</h3>
          <ol>
            {shell.map((s, i) => (
              <li key={i}>
                <p className="small">{s.title}</p>
                <pre tabIndex={0} aria-label={`Shell: ${s.title}`}>
                  <code>{s.shell}</code>
                </pre>
              </li>
            ))}
          </ol>
        </section>
      )}

      <section aria-labelledby="plan-repairs">
        <h3 id="plan-repairs">Pods to repair ({plan.repairs.length})</h3>
        {plan.repairs.length === 0 ? (
          <p className="muted">No pod has the wrong gateway MAC.</p>
        ) : (
          <div className="table-wrap">
            <table aria-labelledby="plan-repairs">
              <thead>
                <tr>
                  <th scope="col">Pod</th>
                  <th scope="col">Host veth</th>
                  <th scope="col">From → to</th>
                  <th scope="col">Method</th>
                </tr>
              </thead>
              <tbody>
                {plan.repairs.map((r) => (
                  <tr key={r.hostIfname}>
                    <th scope="row">{podName(r.pod)}</th>
                    <td className="mono">{r.hostIfname}</td>
                    <td className="mono nowrap">
                      {r.from} → {r.to}
                    </td>
                    <td>
                      <code>{r.method}</code>
                      <div className="muted small">{r.reason}</div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {plan.leaveAlone.length > 0 && (
        <section aria-labelledby="plan-left-alone">
          <h3 id="plan-left-alone">Left alone ({plan.leaveAlone.length})</h3>
          <ul className="plain-list small">
            {plan.leaveAlone.map((l) => (
              <li key={l.hostIfname}>
                <span className="mono">{l.hostIfname}</span> ({podName(l.pod)}): {l.reason}
              </li>
            ))}
          </ul>
        </section>
      )}

      {(plan.warnings.length > 0 || plan.advice.length > 0) && (
        <section aria-labelledby="plan-advice">
          <h3 id="plan-advice">Warnings and advice</h3>
          {plan.warnings.map((w) => (
            <div key={w} className="banner tone-warn">
              <Icon shape="warn" />
              <p>{w}</p>
            </div>
          ))}
          <ul className="plain-list">
            {plan.advice.map((a) => (
              <li key={a}>{a}</li>
            ))}
          </ul>
        </section>
      )}

      <p className="muted small">
        Plan <code>{preview.planId}</code> from the report received <Timestamp at={preview.reportReceivedAt} />. Valid
        until <Timestamp at={preview.expiresAt} />.
      </p>
    </>
  );
}
