'use client';
// The frame both device histories share (a host veth's, a CNI host device's): loading and error states, the caption
// with the change count and the CSV/JSON exports, and the empty note. Each history brings its columns and rows.
import type { ReactNode } from 'react';
import { Icon } from '../ui/Icon';

export interface DeviceHistoryPage {
  items: readonly unknown[];
  nextCursor: string | null;
}

export function DeviceHistoryTable<P extends DeviceHistoryPage>({
  node,
  ifname,
  captionId,
  query,
  url,
  what,
  children,
}: {
  node: string;
  ifname: string;
  captionId: string;
  query: { data: P | undefined; error: Error | null; isPending: boolean };
  /** The history's address, as JSON or as CSV. */
  url: (format?: 'csv') => string;
  /** "veth" or "device": the empty note names it. */
  what: string;
  /** thead and tbody for the page. */
  children: (data: P) => ReactNode;
}) {
  const { data, error, isPending } = query;
  if (isPending) return <p className="muted small">Loading the history of {ifname}…</p>;
  if (error || !data)
    return (
      <p className="cell-flag tone-bad small" role="alert">
        <Icon shape="bad" />
        Could not load the history of {ifname}: {error?.message ?? 'no answer'}
      </p>
    );
  return (
    <div className="veth-history">
      <table aria-labelledby={captionId}>
        <caption id={captionId}>
          MAC history of <code>{ifname}</code>{' '}
          <span className="muted">
            · {data.items.length} change{data.items.length === 1 ? '' : 's'}, newest first
            {data.nextCursor ? ' (older ones not shown)' : ''}
          </span>{' '}
          <span className="export-links">
            Export:{' '}
            <a href={url('csv')} download={`${node}-${ifname}-history.csv`}>
              CSV
            </a>{' '}
            <a href={url()} download={`${node}-${ifname}-history.json`}>
              JSON
            </a>
          </span>
        </caption>
        {children(data)}
      </table>
      {data.items.length === 0 && <p className="empty">No recorded changes for this {what}.</p>}
    </div>
  );
}
