'use client';
// Search and filters above the fleet table. A plain GET form, so it works without JavaScript (Apply submits it);
// with JavaScript every change goes straight into the URL and the table, and the Apply button is not needed.
import { useEffect, useRef, useState } from 'react';
import { nodeStatePresentation } from '../ui/tones';
import { NODE_STATES } from '../../lib/nodes/types';
import { ATTENTION_STATES, type FleetFilter } from './query';

const POLICY_LABEL: Record<string, string> = {
  persistent: 'persistent',
  none: 'none',
  random: 'random',
  unset: 'unset (no policy in the winning file)',
  'not-reported': 'not reported yet',
};

export function FleetFilters({
  filter,
  facets,
  shown,
  total,
  onChange,
}: {
  filter: FleetFilter;
  facets: { os: string[]; policy: string[]; pkg: string[] };
  shown: number;
  total: number;
  onChange: (next: Partial<FleetFilter>) => void;
}) {
  const [scripted, setScripted] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    setScripted(true);
    // Text typed before the page hydrated fired no change event: take it now.
    const typed = searchRef.current?.value ?? '';
    if (typed !== filter.q) onChange({ q: typed });
    // Once, on mount.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    // "/" jumps to the search box from anywhere on the page that is not itself taking text.
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
      e.preventDefault();
      searchRef.current?.focus();
      searchRef.current?.select();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  // The search box keeps what is typed; the URL follows it (replaceState is cheap, so no debounce is needed).
  const stateValue = filter.states.join(',');
  const attention = ATTENTION_STATES.join(',');
  const filtered = shown !== total;
  return (
    <form
      className="fleet-filters"
      method="get"
      action="/"
      role="search"
      aria-label="Filter nodes"
      onSubmit={(e) => e.preventDefault()}
    >
      <label className="field grow">
        <span>
          Search <kbd className="kbd-hint" aria-hidden="true">/</kbd>
        </span>
        <input
          ref={searchRef}
          type="search"
          name="q"
          defaultValue={filter.q}
          aria-keyshortcuts="/"
          placeholder="node, pod, namespace, pod IP, veth, MAC…"
          onChange={(e) => onChange({ q: e.target.value })}
        />
      </label>
      <label className="field">
        <span>State</span>
        <select name="state" value={stateValue} onChange={(e) => onChange({ states: e.target.value ? (e.target.value.split(',') as FleetFilter['states']) : [] })}>
          <option value="">Any state</option>
          <option value={attention}>Needs attention (broken, at risk, fragile, stale, no agent)</option>
          {NODE_STATES.map((s) => (
            <option key={s} value={s}>
              {nodeStatePresentation[s].label}
            </option>
          ))}
          {stateValue && stateValue !== attention && !(NODE_STATES as readonly string[]).includes(stateValue) && (
            <option value={stateValue}>{filter.states.map((s) => nodeStatePresentation[s].label).join(', ')}</option>
          )}
        </select>
      </label>
      <label className="field">
        <span>OS</span>
        <select name="os" value={filter.os ?? ''} onChange={(e) => onChange({ os: e.target.value || null })}>
          <option value="">Any OS</option>
          {facets.os.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
          {filter.os && !facets.os.includes(filter.os) && <option value={filter.os}>{filter.os}</option>}
        </select>
      </label>
      <label className="field">
        <span>MAC policy for new veths</span>
        <select name="policy" value={filter.policy ?? ''} onChange={(e) => onChange({ policy: e.target.value || null })}>
          <option value="">Any policy</option>
          {facets.policy.map((p) => (
            <option key={p} value={p}>
              {POLICY_LABEL[p] ?? p}
            </option>
          ))}
          {filter.policy && !facets.policy.includes(filter.policy) && <option value={filter.policy}>{filter.policy}</option>}
        </select>
      </label>
      <label className="field">
        <span>Package version</span>
        <select name="pkg" value={filter.pkg ?? ''} onChange={(e) => onChange({ pkg: e.target.value || null })}>
          <option value="">Any package version</option>
          {facets.pkg.map((p) => (
            <option key={p} value={p}>
              {p === 'none' ? 'no package owns the file' : p}
            </option>
          ))}
          {filter.pkg && !facets.pkg.includes(filter.pkg) && <option value={filter.pkg}>{filter.pkg}</option>}
        </select>
      </label>
      {filter.sort !== 'severity' && <input type="hidden" name="sort" value={filter.sort} />}
      {filter.dir !== 'asc' && <input type="hidden" name="dir" value={filter.dir} />}
      <div className="field field-actions">
        {!scripted && (
          <button type="submit" className="button">
            Apply
          </button>
        )}
        <p className="muted small" aria-live="polite">
          {filtered ? `${shown} of ${total} nodes match` : `${total} nodes`}
          {filtered && (
            <>
              {' · '}
              <a
                href="/"
                onClick={(e) => {
                  e.preventDefault();
                  onChange({ q: '', states: [], os: null, policy: null, pkg: null });
                  const input = e.currentTarget.closest('form')?.querySelector<HTMLInputElement>('input[name=q]');
                  if (input) input.value = '';
                }}
              >
                Clear filters
              </a>
            </>
          )}
        </p>
      </div>
    </form>
  );
}
