import 'server-only';
// The node:http listeners: which paths each one serves, the facts about the socket handed to routes as headers,
// and the limits that keep slow or numerous clients from holding the process.
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LISTENER_HEADER, PEER_ADDRESS_HEADER, type ListenerRole } from '../lib/http/peer';
import { REPORTS_PATH } from '../lib/ingest/http';
import { HEALTHZ_PATH, READYZ_PATH } from './health';

import { AGENT_API_PREFIX } from '../lib/report/remediation';

/** What agents call: reports, the agent API, and the probes. */
export function isAgentPath(pathname: string): boolean {
  return pathname === REPORTS_PATH || pathname.startsWith(AGENT_API_PREFIX) || pathname === HEALTHZ_PATH || pathname === READYZ_PATH;
}

/**
 * Whether a listener serves a path. One listener ('both') serves everything. Split, the agent listener serves only
 * agent paths and the people listener everything but the agents' writes (reports, the agent API); the probes
 * answer on both, so either port can be probed.
 */
export function servesPath(role: ListenerRole, pathname: string): boolean {
  if (role === 'both') return true;
  if (role === 'agent') return isAgentPath(pathname);
  return !isAgentPath(pathname) || pathname === HEALTHZ_PATH || pathname === READYZ_PATH;
}

/**
 * Replaces whatever the client sent in the peer headers with what the socket says (lib/http/peer.ts): a route may
 * then trust them.
 */
export function setPeerHeaders(req: IncomingMessage, role: ListenerRole): void {
  delete req.headers[PEER_ADDRESS_HEADER];
  delete req.headers[LISTENER_HEADER];
  // rawHeaders too: Next builds its Headers from req.headers, but nothing should find a client's copy anywhere.
  const raw = req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    const name = raw[i].toLowerCase();
    if (name === PEER_ADDRESS_HEADER || name === LISTENER_HEADER) raw.splice(i, 2);
  }
  const peer = req.socket.remoteAddress ?? '';
  req.headers[PEER_ADDRESS_HEADER] = peer;
  req.headers[LISTENER_HEADER] = role;
  raw.push(PEER_ADDRESS_HEADER, peer, LISTENER_HEADER, role);
}

export interface ListenerLimits {
  /** Whole request head within this, or the connection is closed (slow-header clients). */
  headersTimeoutMs: number;
  /** Whole request (head and body) within this. Responses (event streams) are not limited by it. */
  requestTimeoutMs: number;
  /** Idle time a kept-alive connection is held between requests. */
  keepAliveTimeoutMs: number;
  /** Connections beyond this are closed at once. */
  maxConnections: number;
  /** How often node checks the two request timeouts. */
  checkIntervalMs: number;
}

export const DEFAULT_LIMITS: ListenerLimits = {
  // A request head is a few hundred bytes: 20 s is generous for any real client and short for a slowloris.
  headersTimeoutMs: 20_000,
  // A 2 MiB report needs well under a minute on any link an agent has.
  requestTimeoutMs: 60_000,
  // Agents report every few seconds on a kept-alive connection. Node's 5 s default idle timeout would close
  // connections just as agents reuse them (a reset, then a retry); idle connections are cheap, so keep them longer.
  keepAliveTimeoutMs: 65_000,
  maxConnections: 2000,
  checkIntervalMs: 2_000,
};

export function createListener(handler: RequestListener, limits: ListenerLimits): Server {
  const server = createServer(
    { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: limits.checkIntervalMs },
    handler,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  return server;
}

export async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  return `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const WILDCARD = new Set(['0.0.0.0', '::', '']);

/**
 * The origins a browser uses for a listener bound to `host`: a loopback listener is reached as 127.0.0.1 and as
 * localhost alike (and [::1] when bound there); a wildcard one at least through loopback (any other name people
 * use belongs in VETHWATCH_PUBLIC_URL); any other address as itself.
 */
export function listenerOrigins(host: string, port: number): string[] {
  const at = (h: string) => `http://${h}:${port}`;
  if (LOOPBACK.has(host) || WILDCARD.has(host)) {
    const origins = [at('127.0.0.1'), at('localhost')];
    if (host === '::1' || host === '::') origins.push(at('[::1]'));
    return origins;
  }
  return [at(host.includes(':') ? `[${host}]` : host)];
}
