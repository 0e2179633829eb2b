'use client';
// ARP-mismatch timeline of one node: one lane per pod, each interval during which the pod's PERMANENT gateway
// entry pointed at a MAC its host veth no longer had, over a time axis with the current moment marked. Zoom
// (1 h / 24 h / 7 d / 30 d) lives in the URL (?range=). Intervals are buttons: hover or focus shows the exact
// times and MACs; their accessible names say the same, so nothing depends on colour or a mouse.
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { ArpInterval, ArpTimelineResponse } from '../../lib/history/types';
import { arpTimelineUrl } from '../../lib/queries/fetchers';
import {
  DEFAULT_TIMELINE_RANGE,
  TIMELINE_RANGES,
  arpTimelineQuery,
  isTimelineRange,
  type TimelineRange,
} from '../../lib/queries/options';
import { formatDuration, formatTimestamp } from '../ui/format';
import { Icon } from '../ui/Icon';
import { useClockSeconds } from '../ui/clock';
import { fraction, tickLabel, ticks, type Window } from './scale';
import { hrefWith, useUrlParams } from './urlState';
import { incidentRange } from './incidentRange';

const RANGE_LABELS: Record<TimelineRange, string> = { '1h': '1 h', '24h': '24 h', '7d': '7 d', '30d': '30 d' };

function laneLabel(i: { pod: ArpInterval['pod']; lane: string }): string {
  return i.pod ? `${i.pod.namespace}/${i.pod.name}` : i.lane;
}

function describe(i: ArpInterval, nowMs: number): string {
  const from = Date.parse(i.from);
  const end = i.to === null ? nowMs : Date.parse(i.to);
  const duration = formatDuration((end - from) / 1000);
  const span =
    i.to === null
      ? `ongoing since ${formatTimestamp(i.from)} (${duration})`
      : `from ${formatTimestamp(i.from)} to ${formatTimestamp(i.to)} (${duration})`;
  const macs = `host veth ${i.ifname} has ${i.hostMac}, pod's gateway entry points at ${i.gatewayLladdr ?? 'nothing'}`;
  const unconfirmed = i.unconfirmedSince ? `; not confirmed since ${formatTimestamp(i.unconfirmedSince)}` : '';
  return `${laneLabel(i)}: ARP mismatch ${span}; ${macs}${unconfirmed}`;
}

function intervalKey(i: ArpInterval): string {
  return `${i.openedByEventId}`;
}

function Tooltip({ id, interval, nowMs, left }: { id: string; interval: ArpInterval; nowMs: number; left: number }) {
  const end = interval.to === null ? nowMs : Date.parse(interval.to);
  return (
    <div id={id} role="tooltip" className="timeline-tooltip" style={left > 55 ? { right: 0 } : { left: `${left}%` }}>
      <strong>{laneLabel(interval)}</strong>
      <dl>
        <dt>From</dt>
        <dd>{formatTimestamp(interval.from)}</dd>
        <dt>To</dt>
        <dd>{interval.to === null ? 'ongoing' : formatTimestamp(interval.to)}</dd>
        <dt>Lasted</dt>
        <dd>{formatDuration((end - Date.parse(interval.from)) / 1000)}</dd>
        <dt>Host veth</dt>
        <dd>
          <code>{interval.ifname}</code> <code>{interval.hostMac}</code>
        </dd>
        <dt>Pod gateway entry</dt>
        <dd>
          <code>{interval.gatewayLladdr ?? 'none'}</code>
        </dd>
        {interval.unconfirmedSince && (
          <>
            <dt>Unconfirmed since</dt>
            <dd>{formatTimestamp(interval.unconfirmedSince)} (node stale)</dd>
          </>
        )}
      </dl>
    </div>
  );
}

function Lanes({ data, range, nowMs }: { data: ArpTimelineResponse; range: TimelineRange; nowMs: number }) {
  const tooltipId = useId();
  const [active, setActive] = useState<string | null>(null);
  const w: Window = { from: nowMs - TIMELINE_RANGES[range] * 1000, to: nowMs };
  const lanes = data.lanes.map((lane) => ({
    ...lane,
    intervals: data.intervals.filter((i) => i.lane === lane.lane),
  }));
  const pct = (t: number) => `${(fraction(t, w) * 100).toFixed(3)}%`;
  return (
    <div className="timeline" onKeyDown={(e) => e.key === 'Escape' && setActive(null)}>
      <div className="timeline-axis" aria-hidden="true">
        <span className="timeline-lane-label" />
        <div className="timeline-track">
          {ticks(w).map((t) => (
            <span key={t} className="timeline-tick" style={{ left: pct(t) }}>
              {tickLabel(t, w)}
            </span>
          ))}
          <span className="timeline-now-label" style={{ left: '100%' }}>
            now
          </span>
        </div>
      </div>
      <ul className="timeline-lanes" aria-label="Pods with ARP mismatches">
        {lanes.map((lane) => (
          <li key={lane.lane} className="timeline-lane" data-lane={lane.lane}>
            <span className="timeline-lane-label">
              {/* Pod names share long prefixes (the node name): show the whole name, wrapped, never cut. */}
              <span className="ident lane-pod">{lane.pod ? lane.pod.name : lane.lane}</span>
              <span className="muted small">
                {lane.pod && `${lane.pod.namespace} · `}
                <code>{lane.ifname}</code>
              </span>
              {lane.intervals.some((i) => i.status === 'ongoing') && (
                <span className="cell-flag tone-bad small">
                  <Icon shape="bad" />
                  mismatch ongoing
                </span>
              )}
            </span>
            <div className="timeline-track">
              {ticks(w).map((t) => (
                <span key={t} className="timeline-gridline" style={{ left: pct(t) }} aria-hidden="true" />
              ))}
              <span className="timeline-now" aria-hidden="true" />
              {lane.intervals.map((i) => {
                const key = intervalKey(i);
                const start = Date.parse(i.from);
                const end = i.to === null ? nowMs : Date.parse(i.to);
                const left = fraction(start, w);
                const width = Math.max(0, fraction(end, w) - left);
                const shown = active === key;
                return (
                  <span key={key}>
                    <button
                      type="button"
                      className={`timeline-interval ${i.status}`}
                      data-status={i.status}
                      style={{ left: `${(left * 100).toFixed(3)}%`, width: `${(width * 100).toFixed(3)}%` }}
                      aria-label={describe(i, nowMs)}
                      aria-describedby={shown ? tooltipId : undefined}
                      onMouseEnter={() => setActive(key)}
                      onMouseLeave={() => setActive((a) => (a === key ? null : a))}
                      onFocus={() => setActive(key)}
                      onBlur={() => setActive((a) => (a === key ? null : a))}
                    >
                      <span className="visually-hidden">{i.status === 'ongoing' ? 'ongoing' : 'closed'}</span>
                    </button>
                    {shown && <Tooltip id={tooltipId} interval={i} nowMs={nowMs} left={left * 100} />}
                  </span>
                );
              })}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Legend() {
  return (
    <p className="timeline-legend muted small">
      <span>
        <span className="timeline-swatch closed" aria-hidden="true" /> mismatch, since fixed
      </span>
      <span>
        <span className="timeline-swatch ongoing" aria-hidden="true" /> mismatch, ongoing (hatched, runs to now)
      </span>
      <span>Times are UTC. Hover or focus an interval for exact times and MACs.</span>
    </p>
  );
}

export function ArpTimeline({ name }: { name: string }) {
  const [params, setParams] = useUrlParams();
  const raw = params.get('range');
  const fetched: TimelineRange = isTimelineRange(raw) ? raw : DEFAULT_TIMELINE_RANGE;
  const { data, error, isPending, isPlaceholderData, dataUpdatedAt } = useQuery(arpTimelineQuery(name, fetched));
  const clock = useClockSeconds();
  // The server's "now", moved along by the time since it answered, so the marker does not lag a refetch behind.
  // Until the clock runs (server render, hydration) it is exactly the server's "now", so both render alike.
  const nowMs = data
    ? Date.parse(data.now) + (clock === null ? 0 : Math.max(0, Date.now() - dataUpdatedAt))
    : Date.now();
  // No zoom in the URL: open on one that shows the current incident (a zoom into the default window's data).
  const range: TimelineRange = !isTimelineRange(raw) && data && !isPlaceholderData ? (incidentRange(data.intervals, nowMs) ?? fetched) : fetched;
  const ongoing = data?.intervals.filter((i) => i.status === 'ongoing').length ?? 0;
  const windowFrom = new Date(nowMs - TIMELINE_RANGES[range] * 1000).toISOString();
  return (
    <section className="card" id="timeline" aria-labelledby="timeline-heading">
      <div className="section-head timeline-head">
        <h2 id="timeline-heading">ARP mismatch timeline</h2>
        <span className="muted">
          {data
            ? `${data.intervals.length} interval${data.intervals.length === 1 ? '' : 's'}${ongoing ? `, ${ongoing} ongoing` : ''} in the last ${RANGE_LABELS[range]}`
            : ''}
        </span>
        <div className="toolbar">
          <div role="group" aria-label="Zoom" className="segmented">
            {(Object.keys(TIMELINE_RANGES) as TimelineRange[]).map((r) => (
              <a
                key={r}
                href={hrefWith(params, { range: r }, '#timeline')}
                aria-current={r === range ? 'true' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  // Always explicit: with none, the default may be the incident's zoom, not 24 h.
                  setParams({ range: r });
                }}
              >
                {RANGE_LABELS[r]}
              </a>
            ))}
          </div>
          <div role="group" aria-label="Export timeline" className="segmented">
            <a href={arpTimelineUrl(name, { from: windowFrom }, 'csv')} download={`${name}-arp-timeline.csv`}>
              CSV
            </a>
            <a href={arpTimelineUrl(name, { from: windowFrom })} download={`${name}-arp-timeline.json`}>
              JSON
            </a>
          </div>
        </div>
      </div>
      {data?.stale && (
        <p className="cell-flag tone-stale small">
          <Icon shape="clock" />
          The node is stale: ongoing intervals are unconfirmed since {formatTimestamp(data.lastReportAt)}.
        </p>
      )}
      {error && !data ? (
        <p className="banner tone-bad" role="alert">
          <Icon shape="bad" />
          <span>Could not load the timeline: {error.message}</span>
        </p>
      ) : isPending ? (
        <p className="muted" aria-busy="true">
          Loading the timeline…
        </p>
      ) : data.intervals.length === 0 ? (
        <p className="muted timeline-empty">
          <Icon shape="check" /> No pod had a wrong gateway MAC in the last {RANGE_LABELS[range]}.
        </p>
      ) : (
        <div aria-busy={isPlaceholderData}>
          <Lanes data={data} range={range} nowMs={nowMs} />
          <Legend />
        </div>
      )}
    </section>
  );
}
