'use client';
// Drift of the link files behind a node's policy: findings (content changed while the mtime stayed, as a package
// upgrade does; the verdict for new veths changed; the differs-from-package flag flipped), each with the files that
// changed in that report (their diffs) and what changed them: a vethwatch remediation or a package that owns them.
import { useQuery } from '@tanstack/react-query';
import type { DriftFileChange, DriftFinding, DriftKind, LinkFileVersionEntry } from '../../lib/history/types';
import { linkFileHistoryUrl } from '../../lib/queries/fetchers';
import { linkFileHistoryQuery } from '../../lib/queries/options';
import { Icon } from '../ui/Icon';
import { Timestamp } from '../ui/Timestamp';
import { RichText } from './RichText';

const KIND_LABEL: Record<DriftKind, string> = {
  'content-changed-mtime-unchanged': 'Content changed, mtime kept',
  'content-changed-mtime-older': 'Content changed, mtime went back',
  'policy-changed': 'Policy for new veths changed',
  'differs-from-package': '“Differs from package” flipped',
  remediation: 'Changed by a vethwatch remediation',
};

const CHANGE_LABEL: Record<DriftFileChange['change'], string> = { appeared: 'appeared', changed: 'changed', removed: 'removed' };

function DiffBlock({ diff, label }: { diff: string; label: string }) {
  return (
    <pre tabIndex={0} aria-label={label}>
      {diff.split('\n').map((line, i) => {
        const kind = line.startsWith('+++') || line.startsWith('---') ? 'meta' : line[0] === '+' ? 'add' : line[0] === '-' ? 'del' : line.startsWith('@@') ? 'hunk' : 'ctx';
        return (
          <span key={i} className={`diff-${kind}`}>
            {line}
            {'\n'}
          </span>
        );
      })}
    </pre>
  );
}

/** The files that changed in the report that revealed the finding: what explains it, each with its diff. */
function ChangedFiles({ files }: { files: DriftFileChange[] }) {
  if (files.length === 0) return null;
  return (
    <ul className="plain-list drift-files">
      {files.map((f) => (
        <li key={f.eventId}>
          <p className="small">
            {f.kind === 'dropin' ? 'Drop-in' : 'Link file'} <code>{f.path}</code> {CHANGE_LABEL[f.change]}
            {f.package ? (
              <span className="muted"> (package {f.package})</span>
            ) : (
              <span className="muted"> (no package owns it)</span>
            )}
          </p>
          {f.diff ? <DiffBlock diff={f.diff} label={`Diff of ${f.path}`} /> : <p className="muted small">Content not sent, or only metadata changed.</p>}
        </li>
      ))}
    </ul>
  );
}

function Cause({ d }: { d: DriftFinding }) {
  if (d.remediation) {
    return (
      <>
        <span className="small">vethwatch remediation</span>
        <span>
          <code>{d.remediation.id}</code> by <strong>{d.remediation.requestedBy}</strong>
        </span>
        <span className="muted small">
          <Timestamp at={d.remediation.at} /> ({d.remediation.status})
        </span>
      </>
    );
  }
  if (d.attributedTo) {
    return (
      <>
        <span className="small">Package event</span>
        <span>
          {d.attributedTo.action} <strong>{d.attributedTo.package}</strong> {d.attributedTo.version && <code>{d.attributedTo.version}</code>}
        </span>
        <span className="muted small">
          <Timestamp at={d.attributedTo.at} />
        </span>
      </>
    );
  }
  const unowned = d.files.length > 0 && d.files.every((f) => f.package === null);
  return (
    <span className="muted small">
      {d.files.length === 0
        ? 'No link file changed in that report and no package owning one acted within 24 h before it.'
        : unowned
          ? 'No package owns the changed file and no vethwatch remediation wrote it: changed by hand or by a tool.'
          : 'No action of the owning package within 24 h before it: changed by hand or by a tool?'}
    </span>
  );
}

export function DriftItem({ d }: { d: DriftFinding }) {
  const expected = d.kind === 'remediation';
  return (
    <li data-kind={d.kind}>
      <span className={`badge ${expected ? 'tone-ok' : 'tone-warn'}`}>
        <Icon shape={expected ? 'check' : 'warn'} />
        {expected ? 'Remediation' : 'Drift'}
      </span>
      <div>
        <p>
          <strong>{KIND_LABEL[d.kind]}</strong> · <RichText text={d.message} />
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
        <ChangedFiles files={d.files ?? []} />
      </div>
      <div className="drift-package">
        <Cause d={{ ...d, files: d.files ?? [], remediation: d.remediation ?? null }} />
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
      <DiffBlock diff={entry.diff} label={`Diff of ${entry.path}`} />
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
  // A remediation's own change is listed, but it is not drift.
  const drifted = drift.filter((d) => d.kind !== 'remediation').length;
  const track = winningFile ? data.files.find((f) => f.path === winningFile) : undefined;
  const lastChange = track ? [...track.versions].reverse().find((v) => v.change === 'changed') : undefined;
  return (
    <div className="link-drift">
      <div className="section-head">
        <h3 id="drift-heading">Drift</h3>
        <span className="muted">{drifted}</span>
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
