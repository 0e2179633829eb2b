'use client';
// The fleet table. Up to VIRTUAL_THRESHOLD nodes it renders every row. Beyond that the browser renders only the
// rows on screen plus overscan (spacer rows keep the scroll height), with aria-rowcount/aria-rowindex so screen
// readers still know where they are, and ↑/↓/Home/End move between node links; the server's first paint has the
// first FIRST_PAINT_ROWS rows and says how to reach the rest without JavaScript.
import { useEffect, useRef, useState } from 'react';
import type { NodeSummary } from '../../lib/nodes/types';
import { RouteLink } from '../nav/RouteLink';
import { Age } from '../ui/Age';
import { StateBadge } from '../ui/Badge';
import { formatDuration, plural } from '../ui/format';
import { Icon } from '../ui/Icon';
import { nodeStatePresentation } from '../ui/tones';
import { MismatchStrip } from './MismatchStrip';
import { PolicyCell } from './PolicyCell';
import type { FleetFilter, SortKey } from './query';
import { FIRST_PAINT_ROWS, VIRTUAL_THRESHOLD, useWindowedRows } from './useWindowedRows';

export function nodeHref(name: string): string {
  return `/nodes/${encodeURIComponent(name)}`;
}

/** The reason a node has its state, in full (the cell shows it on one line, cut to fit). */
export function stateReasonText(node: NodeSummary): string {
  // The server's reason freezes a stale node's age at fetch time; the live age is in the last column.
  return node.state === 'stale' ? `Last report said: ${nodeStatePresentation[node.lastKnownState].label.toLowerCase()}` : node.stateReason;
}

/** One line: the badge, then the reason cut with an ellipsis; the whole reason on hover and for screen readers. */
function StateCell({ node }: { node: NodeSummary }) {
  const reason = stateReasonText(node);
  return (
    <div className="state-line-cell" title={reason}>
      <StateBadge state={node.state} />
      <span className="reason one-line">{reason}</span>
    </div>
  );
}

function MismatchCell({ node }: { node: NodeSummary }) {
  const text = `${node.mismatchCount} of ${plural(node.vethCount, 'veth')}`;
  if (node.mismatchCount === 0) return <span className="muted">{text}</span>;
  return (
    <span className="cell-flag tone-bad mismatch-count">
      <Icon shape="bad" />
      {text}
    </span>
  );
}

function PackageCell({ node }: { node: NodeSummary }) {
  const p = node.policyPackage;
  if (p === undefined) return <span className="muted">—</span>;
  if (p === null) return <span className="muted">no package</span>;
  return (
    <span className="ident small">
      {p.name} {p.version ?? <span className="muted">version unknown</span>}
    </span>
  );
}

function Row({ node, index, stripEndsAt }: { node: NodeSummary; index: number; stripEndsAt: string | null }) {
  return (
    <tr data-state={node.state} data-index={index} aria-rowindex={index + 2}>
      <th scope="row">
        <RouteLink href={nodeHref(node.name)} className="ident one-line node-name" title={node.name} prefetch={false}>
          {node.name}
        </RouteLink>
      </th>
      <td className="col-state">
        <StateCell node={node} />
      </td>
      <td className="col-policy">
        <PolicyCell policy={node.policy} />
      </td>
      <td className="num nowrap">
        <div className="inline-cell">
          <MismatchCell node={node} />
          {node.mismatchStrip && stripEndsAt && <MismatchStrip strip={node.mismatchStrip} endsAt={stripEndsAt} />}
        </div>
      </td>
      <td className="col-package">
        <PackageCell node={node} />
      </td>
      <td className="col-os">
        <span
          className="one-line"
          title={`${node.os.systemdVersion !== null ? `systemd ${node.os.systemdVersion}` : 'systemd unknown'}${node.os.kernel ? ` · kernel ${node.os.kernel}` : ''}`}
        >
          {node.os.prettyName ?? <span className="muted">unknown OS</span>}
        </span>
      </td>
      <td className="nowrap col-last" title={`The agent reports every ${formatDuration(node.intervalSeconds)}`}>
        <Age at={node.lastReportAt} seconds={node.reportAgeSeconds} />
      </td>
    </tr>
  );
}

/** `firstDir`: the order a first click asks for (most mismatches first: what someone at 3 a.m. wants to see). */
const COLUMNS: { key: SortKey; label: string; num?: boolean; firstDir?: 'asc' | 'desc'; className?: string }[] = [
  { key: 'name', label: 'Node' },
  { key: 'severity', label: 'State', className: 'col-state' },
  { key: 'policy', label: 'New veth MAC policy', className: 'col-policy' },
  { key: 'mismatches', label: 'ARP mismatches', num: true, firstDir: 'desc' },
  { key: 'package', label: 'Link file package', className: 'col-package' },
  { key: 'os', label: 'OS', className: 'col-os' },
  { key: 'lastReport', label: 'Last report', className: 'col-last' },
];

function SortHeader({
  col,
  filter,
  hrefFor,
  onSort,
}: {
  col: (typeof COLUMNS)[number];
  filter: FleetFilter;
  hrefFor: (sort: SortKey, dir: 'asc' | 'desc') => string;
  onSort: (sort: SortKey, dir: 'asc' | 'desc') => void;
}) {
  const active = filter.sort === col.key;
  const first = col.firstDir ?? 'asc';
  const nextDir = active ? (filter.dir === 'asc' ? 'desc' : 'asc') : first;
  const arrow = active ? (filter.dir === 'asc' ? '▲' : '▼') : '↕';
  return (
    <th
      scope="col"
      className={[col.num ? 'num' : '', col.className ?? ''].join(' ').trim() || undefined}
      aria-sort={active ? (filter.dir === 'asc' ? 'ascending' : 'descending') : undefined}
    >
      <a
        className="sort-link"
        href={hrefFor(col.key, nextDir)}
        onClick={(e) => {
          e.preventDefault();
          onSort(col.key, nextDir);
        }}
      >
        {col.label}
        <span className="sort-arrow" aria-hidden="true">
          {arrow}
        </span>
        {active && <span className="visually-hidden">, sorted {filter.dir === 'asc' ? 'ascending' : 'descending'}</span>}
      </a>
    </th>
  );
}

const SORT_WORDS: Record<SortKey, string> = {
  severity: 'worst first',
  name: 'by name',
  policy: 'by policy',
  mismatches: 'by ARP mismatches',
  os: 'by OS',
  package: 'by link file package',
  lastReport: 'by last report',
};

export function FleetTable({
  stripEndsAt,
  nodes,
  filter,
  hrefFor,
  onSort,
}: {
  stripEndsAt: string | null;
  nodes: NodeSummary[];
  filter: FleetFilter;
  hrefFor: (sort: SortKey, dir: 'asc' | 'desc') => string;
  onSort: (sort: SortKey, dir: 'asc' | 'desc') => void;
}) {
  const long = nodes.length > VIRTUAL_THRESHOLD;
  // The server (and the first client render, which must match it) has no viewport: it sends the first rows.
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const virtual = long && mounted;
  const { bodyRef, win, reveal } = useWindowedRows(nodes.length, virtual);
  const [focusIndex, setFocusIndex] = useState<number | null>(null);
  const pendingFocus = useRef<number | null>(null);

  const start = virtual ? win.start : 0;
  const end = virtual ? win.end : long ? FIRST_PAINT_ROWS : nodes.length;
  const visible = nodes.slice(start, end);

  useEffect(() => {
    const i = pendingFocus.current;
    if (i === null) return;
    const link = bodyRef.current?.querySelector<HTMLAnchorElement>(`tr[data-index="${i}"] a`);
    if (link) {
      pendingFocus.current = null;
      link.focus({ preventScroll: true });
    }
  });

  const onKeyDown = (e: React.KeyboardEvent) => {
    const tr = (e.target as HTMLElement).closest('tr[data-index]');
    if (!tr || !(e.target instanceof HTMLAnchorElement)) return;
    const i = Number(tr.getAttribute('data-index'));
    const page = Math.max(1, Math.floor(window.innerHeight / win.rowHeight) - 1);
    const next =
      e.key === 'ArrowDown' ? i + 1 : e.key === 'ArrowUp' ? i - 1 : e.key === 'PageDown' ? i + page : e.key === 'PageUp' ? i - page : e.key === 'Home' ? 0 : e.key === 'End' ? nodes.length - 1 : null;
    if (next === null) return;
    e.preventDefault();
    const target = Math.max(0, Math.min(nodes.length - 1, next));
    pendingFocus.current = target;
    reveal(target);
    setFocusIndex(target);
  };
  void focusIndex;

  const rowH = win.rowHeight;
  return (
    <div className="table-wrap" role="region" aria-labelledby="fleet-caption" tabIndex={0}>
      <table className="fleet-table" aria-rowcount={nodes.length + 1}>
        <caption id="fleet-caption">
          <h2>Nodes</h2>{' '}
          <span className="muted">
            · {plural(nodes.length, 'node')}, {SORT_WORDS[filter.sort]}
            {filter.sort !== 'severity' && filter.dir === 'desc' ? ' (descending)' : ''}
            {filter.sort === 'severity' && filter.dir === 'desc' ? ' (reversed)' : ''}
          </span>
        </caption>
        <thead>
          <tr aria-rowindex={1}>
            {COLUMNS.map((col) => (
              <SortHeader key={col.key} col={col} filter={filter} hrefFor={hrefFor} onSort={onSort} />
            ))}
          </tr>
        </thead>
        <tbody ref={bodyRef} onKeyDown={onKeyDown}>
          {virtual && start > 0 && (
            <tr className="spacer" aria-hidden="true" style={{ height: start * rowH }}>
              <td colSpan={7} />
            </tr>
          )}
          {visible.map((node, j) => (
            <Row key={node.name} node={node} index={start + j} stripEndsAt={stripEndsAt} />
          ))}
          {virtual && end < nodes.length && (
            <tr className="spacer" aria-hidden="true" style={{ height: (nodes.length - end) * rowH }}>
              <td colSpan={7} />
            </tr>
          )}
        </tbody>
      </table>
      {long && !mounted && (
        <p className="empty">
          Showing the first {FIRST_PAINT_ROWS} of {nodes.length} nodes. Narrow the list with the search and filters
          above, or sort by another column.
        </p>
      )}
      {virtual && (
        <p className="muted small table-note">
          {nodes.length} rows; only those on screen are drawn. ↑/↓, Page Up/Down, Home and End move between nodes.
        </p>
      )}
    </div>
  );
}
