'use client';
// What a route's error boundary shows: what failed, a reference to find it in the server log, a way to retry.
import { RouteLink } from '../nav/RouteLink';
import { Icon } from './Icon';

export function ErrorPanel({ title, error, retry }: { title: string; error: unknown; retry: () => void }) {
  const digest =
    typeof error === 'object' && error !== null && 'digest' in error && typeof error.digest === 'string'
      ? error.digest
      : null;
  // Server errors reach the browser without their message (Next hides it); the digest matches the server log.
  const message = digest === null && error instanceof Error ? error.message : null;
  return (
    <div className="banner tone-bad" role="alert">
      <Icon shape="bad" />
      <div className="stack grow">
        <div>
          <h1 className="error-title">{title}</h1>
          {message && <p>{message}</p>}
          <p className="muted small">
            Nothing on this page can be trusted until it loads again.
            {digest && (
              <>
                {' '}
                Reference for the server log: <code>{digest}</code>.
              </>
            )}
          </p>
        </div>
        <p className="actions">
          <button type="button" className="button" onClick={() => retry()}>
            Try again
          </button>
          <RouteLink href="/" className="button">
            Back to the fleet
          </RouteLink>
        </p>
      </div>
    </div>
  );
}
