// The fleet page's shape with no data: summary tiles and table rows, announced as loading.
export function FleetSkeleton() {
  return (
    <div aria-busy="true" aria-live="polite">
      <p className="visually-hidden">Loading the fleet…</p>
      <div className="page-head">
        <span className="skeleton-block" style={{ width: '7rem', height: '2rem' }} />
      </div>
      <ul className="summary" aria-hidden="true">
        {Array.from({ length: 5 }, (_, i) => (
          <li key={i}>
            <span className="skeleton-block" style={{ width: '100%', height: '2.2rem' }} />
          </li>
        ))}
      </ul>
      <div className="table-wrap" aria-hidden="true">
        {Array.from({ length: 8 }, (_, i) => (
          <span key={i} className="skeleton-block skeleton-line" />
        ))}
      </div>
    </div>
  );
}
