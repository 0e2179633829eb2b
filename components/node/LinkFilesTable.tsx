import type { LinkFileInfo } from '../../lib/report/schema';
import { formatDate, formatTimestamp, shortSha } from '../ui/format';
import { Icon } from '../ui/Icon';

function Differs({ value }: { value: boolean | null }) {
  if (value === null) return <span className="muted">n/a</span>;
  if (!value) return <>No</>;
  return (
    <span className="cell-flag tone-warn">
      <Icon shape="warn" />
      Yes, edited
    </span>
  );
}

export function LinkFilesTable({ files }: { files: LinkFileInfo[] }) {
  return (
    <section id="link-files">
      <div className="table-wrap" role="region" aria-labelledby="link-files-caption" tabIndex={0}>
        <table>
          <caption id="link-files-caption">
            <h2>Link files</h2> <span className="muted">· {files.length}, in the order udev reads them</span>
          </caption>
          {files.length === 0 ? null : (
            <>
              <thead>
                <tr>
                  <th scope="col">Path</th>
                  <th scope="col">Masked</th>
                  <th scope="col">Package</th>
                  <th scope="col">Differs from package</th>
                  <th scope="col">MACAddressPolicy</th>
                  <th scope="col">Modified</th>
                  <th scope="col">SHA-256</th>
                </tr>
              </thead>
              <tbody>
                {files.map((f) => (
                  <tr key={f.path}>
                    <th scope="row">
                      <code className="ident">{f.path}</code>
                      {f.kind === 'dropin' && (
                        <div className="muted small">drop-in{f.dropInFor ? ` for ${f.dropInFor}` : ''}</div>
                      )}
                    </th>
                    <td>
                      {f.masked ? (
                        <span className="cell-flag tone-unknown">
                          <Icon shape="unknown" />
                          Masked{f.maskedBy ? ' by ' : ''}
                          {f.maskedBy && <code>{f.maskedBy}</code>}
                        </span>
                      ) : (
                        'No'
                      )}
                    </td>
                    <td>
                      {f.package ? (
                        <>
                          {f.package.name} <span className="muted">{f.package.version ?? ''}</span>
                        </>
                      ) : (
                        <span className="muted">none (local file)</span>
                      )}
                    </td>
                    <td>
                      <Differs value={f.differsFromPackage} />
                    </td>
                    <td>{f.macAddressPolicy ? <code>{f.macAddressPolicy}</code> : <span className="muted">not set</span>}</td>
                    <td className="nowrap">
                      <time dateTime={f.mtime} title={formatTimestamp(f.mtime)}>
                        {formatDate(f.mtime)}
                      </time>
                    </td>
                    <td>
                      <code title={f.sha256}>{shortSha(f.sha256)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </>
          )}
        </table>
        {files.length === 0 && <p className="empty">No .link files were found on this node.</p>}
      </div>
    </section>
  );
}
