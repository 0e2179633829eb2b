'use client';
// Page state kept in the URL (zoom, filters, sort), so a link reproduces the view. The state is held in React
// (so the page answers at once) and mirrored into the URL with history.replaceState, which Next's router follows
// without asking the server again. A navigation to another URL of the same page (a link, back) resets it.
import { useSearchParams } from 'next/navigation';
import { useCallback, useRef, useState } from 'react';

/** Returns the current search params and a setter that merges changes (null deletes) into them and the URL. */
export function useUrlParams(): [URLSearchParams, (changes: Record<string, string | null>) => void] {
  const fromRouter = useSearchParams()?.toString() ?? '';
  const [state, setState] = useState({ router: fromRouter, current: fromRouter });
  if (state.router !== fromRouter) setState({ router: fromRouter, current: fromRouter });

  const current = useRef(state.current);
  current.current = state.current;

  const set = useCallback((changes: Record<string, string | null>) => {
    const next = new URLSearchParams(current.current);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    const qs = next.toString();
    current.current = qs;
    setState((prev) => ({ router: prev.router, current: qs }));
    // null, not history.state: Next treats a state object of its own as an internal call and would not sync.
    window.history.replaceState(null, '', `${window.location.pathname}${qs ? `?${qs}` : ''}${window.location.hash}`);
  }, []);
  return [new URLSearchParams(state.current), set];
}

/** An href for the current page with some params changed: the no-JavaScript fallback of a control. */
export function hrefWith(params: URLSearchParams, changes: Record<string, string | null>, hash = ''): string {
  const next = new URLSearchParams();
  // Empty values are what a GET form sends for "any": leave them out of links.
  for (const [k, v] of params) if (v !== '') next.set(k, v);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === '') next.delete(k);
    else next.set(k, v);
  }
  const qs = next.toString();
  return `${qs ? `?${qs}` : '?'}${hash}`;
}
