// Which nodes came up protected (the drop-in in their first report) and which needed remediation later.
import type { PreventionFleetRow } from '../../lib/prevention/provenanceRead';
import { PROVENANCES } from '../../lib/prevention/provenance';
import { Badge } from '../ui/Badge';
import { provenancePresentation } from './provenancePresentation';

export function ProvenanceTable({ rows }: { rows: PreventionFleetRow[] }) {
  const counts = Object.fromEntries(PROVENANCES.map((p) => [p, rows.filter((r) => r.provenance === p).length]));
  return (
    <section className="card" aria-labelledby="provenance-heading">
      <h2 id="provenance-heading">Protected at provisioning?</h2>
      <p aria-label="Provenance counts">
        {PROVENANCES.map((p) => `${provenancePresentation[p].label}: ${counts[p]}`).join(' · ')}
      </p>
      {rows.length === 0 ? (
        <p>No node has reported yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">OS</th>
              <th scope="col">Provisioning</th>
              <th scope="col">Drop-in since</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.name}>
                <th scope="row">
                  <a href={`/nodes/${encodeURIComponent(r.name)}`}>{r.name}</a>
                </th>
                <td>{r.osPrettyName ?? '—'}</td>
                <td>
                  <Badge presentation={provenancePresentation[r.provenance]} />
                </td>
                <td>{r.since ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
