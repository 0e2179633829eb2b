// An in-app link clicked while the server is not answering. Next's router, when it cannot fetch the next page,
// falls back to a full page load, and the browser then shows its own error page in place of this one (losing the
// "out of date, retrying" banner and everything on screen). RouteLink asks first when the live stream says the
// server is away, and parks the link here when it gets no answer; RouteBody says so and follows it once the
// server is back.
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
let blocked: string | null = null;

export function setBlockedNavigation(href: string | null): void {
  if (href === blocked) return;
  blocked = href;
  for (const l of listeners) l();
}

export function useBlockedNavigation(): string | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => blocked,
    () => null,
  );
}

/** Whether the server answers at all (any HTTP status does): a cheap HEAD of the page about to be opened. */
export async function serverAnswers(href: string, fetcher: typeof fetch = fetch): Promise<boolean> {
  try {
    await fetcher(href, { method: 'HEAD', cache: 'no-store', redirect: 'manual' });
    return true;
  } catch {
    return false;
  }
}
