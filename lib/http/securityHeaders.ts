import 'server-only';
// The headers every answer of the custom server carries (pages, Next routes, lean paths, errors), set once per
// request before any handler runs (server/run.ts), so no route can forget them.
import type { ServerResponse } from 'node:http';

/**
 * The page may load only its own scripts, styles, images and fonts, talk only to its own origin, and never be
 * framed (clickjacking). 'unsafe-inline' for scripts: Next's App Router streams its flight data and bootstrap as
 * inline <script> tags, and the only alternative is a per-request nonce, which would make every page dynamic and
 * needs middleware to thread it through; with no third-party script source and no user HTML rendered unescaped,
 * inline-only is the accepted trade. Styles: React's style attributes and Next's inline font/CSS tags.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

/** Sets the security headers on a response that has not started; a handler may still override one deliberately. */
export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}
