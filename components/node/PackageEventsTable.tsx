import type { PackageEvent } from '../../lib/report/schema';
import { Timestamp } from '../ui/Timestamp';

/** dpkg/apt history for the packages that own link files: an upgrade here is when a policy can silently change. */
export function PackageEventsTable({ events }: { events: PackageEvent[] }) {
  const newestFirst = [...events].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  return (
    <section id="package-events">
      <div className="table-wrap" role="region" aria-labelledby="package-events-caption" tabIndex={0}>
        <table>
          <caption id="package-events-caption">
            <h2>Package events</h2> <span className="muted">· {events.length}, newest first</span>
          </caption>
          {newestFirst.length > 0 && (
            <>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Action</th>
                  <th scope="col">Package</th>
                  <th scope="col">Version</th>
                  <th scope="col">Source</th>
                </tr>
              </thead>
              <tbody>
                {newestFirst.map((e, i) => (
                  <tr key={`${e.at}-${e.package}-${i}`}>
                    <th scope="row" className="nowrap">
                      <Timestamp at={e.at} />
                    </th>
                    <td>{e.action}</td>
                    <td>
                      {e.package}
                      {e.arch && <span className="muted">:{e.arch}</span>}
                    </td>
                    <td>
                      {e.fromVersion && (
                        <>
                          <code>{e.fromVersion}</code> →{' '}
                        </>
                      )}
                      {e.toVersion ? <code>{e.toVersion}</code> : <span className="muted">none</span>}
                    </td>
                    <td>
                      <code>{e.source}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </>
          )}
        </table>
        {newestFirst.length === 0 && <p className="empty">No package events for the link files&apos; packages.</p>}
      </div>
    </section>
  );
}
