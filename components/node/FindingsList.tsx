import type { Finding } from '../../lib/report/schema';
import { SeverityBadge } from '../ui/Badge';

/** Sorted findings (lib/nodes/findings.ts: the agent's, plus what the node's state rests on). */
export function FindingsList({ findings }: { findings: Finding[] }) {
  const sorted = findings;
  return (
    <section className="card" id="findings" aria-labelledby="findings-heading">
      <div className="section-head">
        <h2 id="findings-heading">Findings</h2>
        <span className="muted">{findings.length}</span>
      </div>
      {sorted.length === 0 ? (
        <p className="muted">The agent found nothing worth mentioning.</p>
      ) : (
        <ul className="findings">
          {sorted.map((f, i) => (
            <li key={`${f.code}-${f.path ?? ''}-${i}`}>
              <SeverityBadge severity={f.severity} />
              <div>
                <p>{f.message}</p>
                <p className="muted small">
                  <code>{f.code}</code>
                  {f.path && (
                    <>
                      {' · '}
                      <code>{f.path}</code>
                    </>
                  )}
                </p>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
