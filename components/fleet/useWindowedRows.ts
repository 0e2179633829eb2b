'use client';
// Which rows of a long table to render: the ones in the viewport plus some overscan, computed from the page's
// scroll position (the table scrolls with the page, not in a box of its own). Row height is measured from the
// rows on screen and averaged, so rows may differ a little without the window drifting far.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';

export const VIRTUAL_THRESHOLD = 200;
/** Rows the server renders when the table is long: enough for a first screen, small enough to send fast. */
export const FIRST_PAINT_ROWS = 100;
const OVERSCAN = 12;
const ESTIMATED_ROW_PX = 64;

export interface RowWindow {
  start: number;
  end: number;
  rowHeight: number;
}

export function useWindowedRows(count: number, enabled: boolean) {
  const bodyRef = useRef<HTMLTableSectionElement | null>(null);
  const heightRef = useRef(ESTIMATED_ROW_PX);
  const [win, setWin] = useState<RowWindow>({ start: 0, end: Math.min(count, FIRST_PAINT_ROWS), rowHeight: ESTIMATED_ROW_PX });

  const compute = useCallback(() => {
    const body = bodyRef.current;
    if (!body || !enabled) return;
    const h = heightRef.current;
    const top = body.getBoundingClientRect().top;
    const first = Math.floor(-top / h);
    const last = Math.ceil((-top + window.innerHeight) / h);
    const start = Math.max(0, Math.min(count, first) - OVERSCAN);
    const end = Math.min(count, Math.max(0, last) + OVERSCAN);
    setWin((w) => (w.start === start && w.end === end && w.rowHeight === h ? w : { start, end, rowHeight: h }));
  }, [count, enabled]);

  // Measure the rendered rows after each window change; a better estimate moves the window once more.
  useLayoutEffect(() => {
    const body = bodyRef.current;
    if (!body || !enabled) return;
    const rows = body.querySelectorAll<HTMLTableRowElement>('tr[data-index]');
    if (rows.length === 0) return;
    let total = 0;
    rows.forEach((r) => (total += r.getBoundingClientRect().height));
    const avg = total / rows.length;
    if (Math.abs(avg - heightRef.current) > 1) {
      heightRef.current = avg;
      compute();
    }
  }, [win, enabled, compute]);

  useEffect(() => {
    if (!enabled) return;
    let frame = 0;
    const onScroll = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        compute();
      });
    };
    compute();
    window.addEventListener('scroll', onScroll, { passive: true });
    window.addEventListener('resize', onScroll);
    return () => {
      cancelAnimationFrame(frame);
      window.removeEventListener('scroll', onScroll);
      window.removeEventListener('resize', onScroll);
    };
  }, [enabled, compute]);

  /** Scrolls so row i is on screen (keyboard moves past the rendered rows), then recomputes the window. */
  const reveal = useCallback(
    (i: number) => {
      const body = bodyRef.current;
      if (!body) return;
      const h = heightRef.current;
      const rowTop = body.getBoundingClientRect().top + i * h;
      const header = 56;
      if (rowTop < header) window.scrollBy(0, rowTop - header - h);
      else if (rowTop + h > window.innerHeight) window.scrollBy(0, rowTop + 2 * h - window.innerHeight);
      compute();
    },
    [compute],
  );

  return { bodyRef, win, reveal };
}
