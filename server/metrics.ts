import 'server-only';
// GET /metrics in the Prometheus text format. Open by default (it holds node names and counts, no report
// content); with VETHWATCH_METRICS_TOKEN set, the scraper must present it as a bearer token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseBearer, sameSecret } from '../lib/auth/secrets';
import { AuthError, MethodNotAllowedError } from '../lib/http/errors';
import { sendError } from '../lib/http/node';
import type { VethwatchMetrics } from '../lib/metrics/registry';

export const METRICS_PATH = '/metrics';
export const METRICS_TOKEN_ENV = 'VETHWATCH_METRICS_TOKEN';

export function configuredMetricsToken(env: Record<string, string | undefined> = process.env): string | null {
  const token = env[METRICS_TOKEN_ENV];
  return token && token.trim() ? token.trim() : null;
}

export async function handleMetrics(req: IncomingMessage, res: ServerResponse, deps: { metrics: VethwatchMetrics; token: string | null }): Promise<void> {
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new MethodNotAllowedError(['GET', 'HEAD']);
    if (deps.token) {
      const given = parseBearer(req.headers.authorization);
      if (!given || !sameSecret(given, deps.token)) throw new AuthError('metrics need the bearer token from VETHWATCH_METRICS_TOKEN');
    }
    const text = await deps.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': deps.metrics.registry.contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
    res.end(req.method === 'HEAD' ? undefined : text);
  } catch (err) {
    sendError(res, err);
  }
}
