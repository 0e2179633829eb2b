'use client';
// Drift of the link files behind a node's policy: findings (content changed while the mtime stayed, as a package
// upgrade does; the verdict for new veths changed; the differs-from-package flag flipped) with the package event
// they are attributed to, and the diff of the winning file against its previous content.
import { useQuery } from '@tanstack/react-query';
import type { DriftFinding, DriftKind, LinkFileVersionEntry } from '../../lib/history/types';
import { linkFileHistoryUrl } from '../../lib/queries/fetchers';
import { linkFileHistoryQuery } from '../../lib/queries/options';
import { Icon } from '../ui/Icon';
import { Timestamp } from '../ui/Timestamp';

const KIND_LABEL: Record<DriftKind, string> = {
  'content-changed-mtime-unchanged': 'Content changed, mtime kept',
  'content-changed-mtime-older': 'Content changed, mtime went back',
  'policy-changed': 'Policy for new veths changed',
  'differs-from-package': '“Differs from package” flipped',
};

function DriftItem({ d }: { d: DriftFinding }) {
  return (
    <li data-kind={d.kind}>
      <span className="badge tone-warn">
        <Icon shape="warn" />
        Drift
      </span>
      <div>
        <p>
          <strong>{KIND_LABEL[d.kind]}</strong> · {d.message}
        </p>
        <p className="muted small">
          Seen <Timestamp at={d.at} />
          {d.path && (
            <>
              {' '}
              in <code>{d.path}</code>
            </>
          )}
        </p>
      </div>
      <div className="drift-package">
        {d.attributedTo ? (
          <>
            <span className="small">Package event</span>
            <span>
              {d.attributedTo.action} <strong>{d.attributedTo.package}</strong>{' '}
              {d.attributedTo.version && <code>{d.attributedTo.version}</code>}
            </span>
            <span className="muted small">
              <Timestamp at={d.attributedTo.at} />
            </span>
          </>
        ) : (
          <span className="muted small">No package event within 24 h before it: changed by hand or by a tool?</span>
        )}
      </div>
    </li>
  );
}

function Diff({ entry }: { entry: LinkFileVersionEntry }) {
  if (entry.diff === null) {
    return (
      <p className="muted small">
        The last change of <code>{entry.path}</code> (<Timestamp at={entry.at} />) kept the same text, or its content
        was not sent.
      </p>
    );
  }
  return (
    <figure className="diff">
      <figcaption className="small">
        <code>{entry.path}</code> against its previous content, changed <Timestamp at={entry.at} />
      </figcaption>
      <pre aria-label={`Diff of ${entry.path}`}>
        {entry.diff.split('\n').map((line, i) => {
          const kind = line.startsWith('+++') || line.startsWith('---') ? 'meta' : line[0] === '+' ? 'add' : line[0] === '-' ? 'del' : line.startsWith('@@') ? 'hunk' : 'ctx';
          return (
            <span key={i} className={`diff-${kind}`}>
              {line}
              {'\n'}
            </span>
          );
        })}
      </pre>
    </figure>
  );
}

/** Drift findings and the winning file's latest diff, for the link-policy card. */
export function LinkDrift({ node, winningFile }: { node: string; winningFile: string | null }) {
  const { data, error, isPending } = useQuery(linkFileHistoryQuery(node));
  if (isPending) return <p className="muted small">Loading link-file history…</p>;
  if (error)
    return (
      <p className="cell-flag tone-bad small" role="alert">
        <Icon shape="bad" />
        Could not load link-file history: {error.message}
      </p>
    );
  const drift = [...data.drift].reverse();
  const track = winningFile ? data.files.find((f) => f.path === winningFile) : undefined;
  const lastChange = track ? [...track.versions].reverse().find((v) => v.change === 'changed') : undefined;
  return (
    <div className="link-drift">
      <div className="section-head">
        <h3 id="drift-heading">Drift</h3>
        <span className="muted">{drift.length}</span>
        <span className="export-links small">
          Export link-file history:{' '}
          <a href={linkFileHistoryUrl(node, 'csv')} download={`${node}-link-files.csv`}>
            CSV
          </a>{' '}
          <a href={linkFileHistoryUrl(node)} download={`${node}-link-files.json`}>
            JSON
          </a>
        </span>
      </div>
      {drift.length === 0 ? (
        <p className="muted small">No drift: the link files kept their content, or changed with a new mtime.</p>
      ) : (
        <ul className="findings drift-list" aria-labelledby="drift-heading">
          {drift.map((d) => (
            <DriftItem key={`${d.eventId}-${d.kind}`} d={d} />
          ))}
        </ul>
      )}
      {lastChange && <Diff entry={lastChange} />}
    </div>
  );
}
