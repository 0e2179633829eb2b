import 'server-only';
// The custom server: answers POST /api/v1/reports, the event stream and the fleet list on lean node:http paths and
// hands everything else to Next (or, with VETHWATCH_NEXT=0, to a small read API). Migrations run before it listens.
// Before any handler runs, every request gets the security headers, socket-derived peer headers, its listener's
// path check and its body cap (server/bodyLimit.ts). With VETHWATCH_AGENT_PORT a second listener serves agents.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createAgentAuthenticator } from '../lib/auth/agentIdentity';
import { describeAgentTokenSetup } from '../lib/auth/agentToken';
import { checkAuthConfig } from '../lib/auth/config';
import { clusterConfigFromEnv } from '../lib/cluster/config';
import { startCluster, type ClusterRuntime } from '../lib/cluster/runtime';
import { getEventBus } from '../lib/events/bus';
import { startPgRelay, type PgRelay } from '../lib/events/pgRelay';
import { listenOrigins, setListenOrigins } from '../lib/auth/origins';
import { NotFoundError } from '../lib/http/errors';
import { sendError } from '../lib/http/node';
import type { ListenerRole } from '../lib/http/peer';
import { setSecurityHeaders } from '../lib/http/securityHeaders';
import { endEventStreams, handleStreamRequest, STREAM_PATH } from '../lib/history/stream';
import { maxClockSkewSecondsFromEnv } from '../lib/ingest/clockSkew';
import { handleReportRequest, REPORTS_PATH } from '../lib/ingest/http';
import { FLEET_PATH, handleFleetRequest } from '../lib/nodes/http';
import { loadKube } from '../lib/kube/config';
import { createServerLogger, getLogger, logFormatFromEnv, logLevelFromEnv, setLogger } from '../lib/log/logger';
import { REQUEST_ID_HEADER, requestIdFor } from '../lib/log/requestId';
import { getMetrics } from '../lib/metrics/registry';
import { currentClusterView } from '../lib/nodes/cluster';
import { getFleetFrom } from '../lib/nodes/read';
import { closeStore, describeStoreConfig, getStore, storeConfigFromEnv } from '../lib/store';
import { handleAgentApiRequest } from '../lib/remediation/agentHttp';
import { handleVerificationRequest } from '../lib/prevention/http';
import { VERIFICATION_PATH } from '../lib/prevention/verification';
import { AGENT_API_PREFIX } from '../lib/report/remediation';
import { closeRemediationRuntime, getRemediationRuntime } from '../lib/remediation/runtime';
import { stripAgentCredential } from './agentGuard';
import { handleApiOnly } from './apiOnly';
import { bodyCapFor, holdBody, refuseDeclaredBody } from './bodyLimit';
import { createListener, listen, listenerOrigins, servesPath, setPeerHeaders } from './listeners';
import { serverConfigFromEnv, type ServerConfig } from './config';
import { handleHealthz, handleReadyz, HEALTHZ_PATH, READYZ_PATH } from './health';
import { retentionConfigFromEnv, startRetention } from './retention';
import { configuredMetricsToken, handleMetrics, METRICS_PATH } from './metrics';

type NextHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface RunningServer {
  /** The people listener (alone: everyone's). */
  server: Server;
  url: string;
  /** The agents' listener and its URL, when VETHWATCH_AGENT_PORT splits them. */
  agentServer: Server | null;
  agentUrl: string | null;
  close(): Promise<void>;
}

async function loadNext(config: ServerConfig): Promise<{ handle: NextHandler; close: () => Promise<void> }> {
  // A production Next server; Next warns about (and misbehaves under) anything else.
  (process.env as Record<string, string | undefined>).NODE_ENV ??= 'production';
  const { default: next } = await import('next');
  const app = next({ dev: false, dir: config.dir, hostname: config.host, ...(config.port ? { port: config.port } : {}) });
  await app.prepare();
  const handle = app.getRequestHandler();
  return { handle: (req, res) => handle(req, res), close: () => app.close() };
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  setLogger(createServerLogger({ level: logLevelFromEnv(), format: logFormatFromEnv() }));
  const log = getLogger();
  log.info(`vethwatch: ${checkAuthConfig()}`); // throws for a bad operator/proxy/session setting: refuse to start
  const storeConfig = storeConfigFromEnv();
  log.info({ store: describeStoreConfig(storeConfig) }, `vethwatch: store: ${describeStoreConfig(storeConfig)}`);
  await getStore(); // opens the database and runs pending migrations, or throws before we listen
  const retention = startRetention(getStore, retentionConfigFromEnv());
  log.info(`vethwatch: remediation executor: ${getRemediationRuntime().config.executorDetail}`);
  const clusterConfig = clusterConfigFromEnv();
  const kube = loadKube(); // throws when credentials exist but are unusable: better than silently running without
  const token = describeAgentTokenSetup();
  if (config.agentToken) log.info(`vethwatch: ${token}`);
  else if (kube) log.info('vethwatch: VETHWATCH_AGENT_TOKEN is not set: only agents with the cluster ServiceAccount token can report');
  else log.warn(`vethwatch: WARNING: ${token}`);

  const metrics = getMetrics();
  metrics.setScrapeSource(async () => ({ fleet: await getFleetFrom(await getStore(), new Date(), currentClusterView(), { strips: false }) }));
  const metricsToken = configuredMetricsToken();
  const bus = getEventBus();
  // Several replicas on one PostgreSQL: SSE clients of every replica hear what any replica stored (LISTEN/NOTIFY).
  const relay: PgRelay | null =
    storeConfig.engine === 'postgres' ? await startPgRelay({ url: storeConfig.url, bus, store: getStore, log: { info: (m) => log.info(m), warn: (m) => log.warn(m), error: (m) => log.error(m) } }) : null;
  bus.setRelay(relay);
  const cluster: ClusterRuntime | null = kube
    ? startCluster({ kube, config: clusterConfig, sharedToken: config.agentToken, store: getStore, bus, log, metrics })
    : null;
  const authenticator = cluster?.authenticator ?? createAgentAuthenticator({ sharedToken: config.agentToken, reviewer: null });
  const nextApp = config.next ? await loadNext(config) : null;
  const reportDeps = { store: getStore, agentToken: config.agentToken, bus, authenticate: authenticator.authenticate, metrics: true, maxClockSkewSeconds: maxClockSkewSecondsFromEnv() };

  const streamDeps = { store: getStore, bus, limits: config.streams };
  const handOn = (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> =>
    nextApp ? nextApp.handle(req, res) : handleApiOnly(req, res, pathname, getStore);

  const route = async (req: IncomingMessage, res: ServerResponse, pathname: string, role: ListenerRole): Promise<void> => {
    if (!servesPath(role, pathname)) throw new NotFoundError(`no route for ${pathname} on this port`);
    const cap = bodyCapFor(req.method, pathname);
    if (refuseDeclaredBody(req, res, cap)) return;
    if (pathname === REPORTS_PATH) return handleReportRequest(req, res, { ...reportDeps, maxBytes: cap });
    if (pathname === VERIFICATION_PATH) return handleVerificationRequest(req, res, { authenticate: authenticator.authenticate, store: getStore });
    if (pathname.startsWith(AGENT_API_PREFIX)) {
      return handleAgentApiRequest(req, res, pathname, { authenticate: authenticator.authenticate, remediation: () => getRemediationRuntime().deps() });
    }
    if (pathname === HEALTHZ_PATH) return handleHealthz(req, res);
    if (pathname === READYZ_PATH) return handleReadyz(req, res, { store: getStore, cluster });
    if (pathname === METRICS_PATH) return handleMetrics(req, res, { metrics, token: metricsToken });
    stripAgentCredential(req, pathname, authenticator);
    // SSE lives here, not in Next: see lib/history/stream.ts. So does the fleet list: lib/nodes/http.ts.
    if (pathname === STREAM_PATH) return handleStreamRequest(req, res, streamDeps);
    if (pathname === FLEET_PATH) return handleFleetRequest(req, res, { store: getStore });
    // Next (and the API-only router) read bodies themselves: hold the body until it is whole and within the cap.
    holdBody(req, res, cap, () => void handOn(req, res, pathname).catch((err) => sendError(res, err)));
  };

  const handlerFor = (role: ListenerRole) => (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    setSecurityHeaders(res);
    const requestId = requestIdFor(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    setPeerHeaders(req, role);
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const status = res.statusCode;
      const fields = { requestId, method: req.method, path: pathname, status, ms: Number(process.hrtime.bigint() - started) / 1e6 };
      // Agents report every few seconds: successes are debug, refusals are what an operator must see.
      if (status >= 500) log.error(fields, 'request failed');
      else if (status >= 400 && (pathname === REPORTS_PATH || pathname === METRICS_PATH || status === 413 || status === 429)) log.warn(fields, 'request refused');
      else log.debug(fields, 'request');
    });
    route(req, res, pathname, role).catch((err) => sendError(res, err));
  };

  const split = config.agentPort !== null;
  const server = createListener(handlerFor(split ? 'people' : 'both'), config.limits);
  const agentServer = split ? createListener(handlerFor('agent'), config.limits) : null;
  const servers = agentServer ? [server, agentServer] : [server];
  const url = await listen(server, config.port, config.host);
  const agentUrl = agentServer ? await listen(agentServer, config.agentPort!, config.host) : null;
  // The origin check of state-changing requests (lib/auth/origins.ts) accepts the people listener's own origins.
  setListenOrigins(listenerOrigins(config.host, Number(new URL(url).port)));
  log.info({ origins: listenOrigins() }, `vethwatch: the people listener's own origins: ${listenOrigins().join(', ')}`);

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      const stopped = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      endEventStreams();
      for (const s of servers) s.closeIdleConnections();
      // Requests still running get a few seconds to finish; then their connections are cut.
      const force = setTimeout(() => servers.forEach((s) => s.closeAllConnections()), 5000);
      force.unref();
      await stopped;
      clearTimeout(force);
      await cluster?.stop().catch(() => undefined);
      await nextApp?.close().catch(() => undefined);
      metrics.setScrapeSource(null);
      await closeRemediationRuntime();
      bus.setRelay(null);
      await relay?.close();
      await retention.stop();
      await closeStore();
    })());

  return { server, url, agentServer, agentUrl, close };
}

export async function runFromEnv(): Promise<void> {
  let running: RunningServer;
  try {
    running = await startServer(serverConfigFromEnv());
  } catch (err) {
    getLogger().fatal({ err }, `vethwatch: could not start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      running
        .close()
        .then(() => process.exit(0))
        .catch((err) => {
          getLogger().error({ err }, 'vethwatch: shutdown failed');
          process.exit(1);
        });
    });
  }
  // The words "vethwatch listening on URL" are the documented ready line (tests and scripts wait for it); the
  // space after the URL ends it inside the JSON line too. The agents' listener, if any, is announced just before.
  if (running.agentUrl) getLogger().info({ url: running.agentUrl }, `vethwatch agents listening on ${running.agentUrl} (pid ${process.pid})`);
  getLogger().info({ url: running.url }, `vethwatch listening on ${running.url} (pid ${process.pid})`);
}
