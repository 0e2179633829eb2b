import 'server-only';
// The CSRF check for mutations that ride on what a browser attaches by itself (session cookie, proxy identity):
// our custom header (a cross-site form cannot set it, and a cross-site fetch with it needs a CORS preflight we never
// grant), Sec-Fetch-Site same-origin when the browser says, and an Origin that is one of ours: the server's own
// listen origins or VETHWATCH_PUBLIC_URL, never "whatever the Host header says" (a foreign Host with a matching
// Origin is DNS rebinding). Without an Origin, only a browser's own Sec-Fetch-Site: same-origin vouches for it.
import { ForbiddenError } from '../http/errors';
import { CSRF_HEADER, CSRF_VALUE } from '../remediation/types';
import type { AuthConfig } from './config';
import { listenOrigins, PUBLIC_URL_ENV } from './origins';

/** The origins a state-changing browser request may come from. */
export function allowedOrigins(config: AuthConfig): string[] {
  return [...listenOrigins(), ...(config.publicUrl ? [config.publicUrl.origin] : [])];
}

/** Throws ForbiddenError unless a browser could only have sent this request from one of our own pages. */
export function checkCsrf(headers: Headers, config: AuthConfig): void {
  if (headers.get(CSRF_HEADER) !== CSRF_VALUE) {
    throw new ForbiddenError(`cross-site request refused: the ${CSRF_HEADER}: ${CSRF_VALUE} header is missing`);
  }
  const site = headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin') throw new ForbiddenError(`cross-site request refused: Sec-Fetch-Site is ${site}`);
  const origin = headers.get('origin');
  if (origin === null) {
    if (site !== 'same-origin') throw new ForbiddenError('cross-site request refused: no Origin header, and no Sec-Fetch-Site: same-origin either');
    return;
  }
  if (!allowedOrigins(config).includes(origin)) {
    throw new ForbiddenError(`cross-site request refused: Origin ${origin} is not this site (set ${PUBLIC_URL_ENV} to the URL people use)`);
  }
}
