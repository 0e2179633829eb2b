// The node page's shape with no data: header facts, the policy card and a table.
export function NodeSkeleton() {
  return (
    <div aria-busy="true" aria-live="polite" className="stack">
      <p className="visually-hidden">Loading the node…</p>
      <div aria-hidden="true">
        <span className="skeleton-block" style={{ width: '14rem', height: '2rem', marginBottom: '0.75rem' }} />
        <span className="skeleton-block" style={{ width: '22rem', maxWidth: '100%', height: '1rem' }} />
      </div>
      <div className="card" aria-hidden="true">
        {Array.from({ length: 3 }, (_, i) => (
          <span key={i} className="skeleton-block skeleton-line" />
        ))}
      </div>
      <div className="card" aria-hidden="true">
        {Array.from({ length: 4 }, (_, i) => (
          <span key={i} className="skeleton-block skeleton-line" />
        ))}
      </div>
      <div className="table-wrap" aria-hidden="true">
        {Array.from({ length: 6 }, (_, i) => (
          <span key={i} className="skeleton-block skeleton-line" />
        ))}
      </div>
    </div>
  );
}
