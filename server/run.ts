import 'server-only';
// The custom server: answers POST /api/v1/reports on the lean node:http path and hands everything else to Next
// (or, with VETHWATCH_NEXT=0, to a small read API). Migrations run before it listens.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAgentAuthenticator } from '../lib/auth/agentIdentity';
import { describeAgentTokenSetup } from '../lib/auth/agentToken';
import { clusterConfigFromEnv } from '../lib/cluster/config';
import { startCluster, type ClusterRuntime } from '../lib/cluster/runtime';
import { getEventBus } from '../lib/events/bus';
import { startPgRelay, type PgRelay } from '../lib/events/pgRelay';
import { sendError } from '../lib/http/node';
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
import { guardAgentCredential } from './agentGuard';
import { handleApiOnly } from './apiOnly';
import { serverConfigFromEnv, type ServerConfig } from './config';
import { handleHealthz, handleReadyz, HEALTHZ_PATH, READYZ_PATH } from './health';
import { retentionConfigFromEnv, startRetention } from './retention';
import { configuredMetricsToken, handleMetrics, METRICS_PATH } from './metrics';

type NextHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface RunningServer {
  server: Server;
  url: string;
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
  const storeConfig = storeConfigFromEnv();
  console.log('x');
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

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    const requestId = requestIdFor(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const status = res.statusCode;
      const fields = { requestId, method: req.method, path: pathname, status, ms: Number(process.hrtime.bigint() - started) / 1e6 };
      // Agents report every few seconds: successes are debug, refusals are what an operator must see.
      if (status >= 500) log.error(fields, 'request failed');
      else if (status >= 400 && (pathname === REPORTS_PATH || pathname === METRICS_PATH)) log.warn(fields, 'request refused');
      else log.debug(fields, 'request');
    });
    const work =
      pathname === REPORTS_PATH
        ? handleReportRequest(req, res, reportDeps)
        : pathname === VERIFICATION_PATH
          ? handleVerificationRequest(req, res, { authenticate: authenticator.authenticate, store: getStore })
        : pathname.startsWith(AGENT_API_PREFIX)
          ? handleAgentApiRequest(req, res, pathname, { authenticate: authenticator.authenticate, remediation: () => getRemediationRuntime().deps() })
          : pathname === HEALTHZ_PATH
          ? Promise.resolve(handleHealthz(req, res))
          : pathname === READYZ_PATH
            ? handleReadyz(req, res, { store: getStore, cluster })
            : pathname === METRICS_PATH
              ? handleMetrics(req, res, { metrics, token: metricsToken })
              : guardAgentCredential(req, pathname, authenticator).then(() =>
                  // SSE lives here, not in Next: see lib/history/stream.ts. So does the fleet list: lib/nodes/http.ts.
                  pathname === STREAM_PATH
                    ? handleStreamRequest(req, res, { store: getStore, bus })
                    : pathname === FLEET_PATH
                      ? handleFleetRequest(req, res, { store: getStore })
                      : nextApp
                      ? nextApp.handle(req, res)
                      : handleApiOnly(req, res, pathname, getStore),
                );
    work.catch((err) => sendError(res, err));
  });

  // Agents report every few seconds on a kept-alive connection. Node's 5 s default idle timeout would close
  // connections just as agents reuse them (a reset, then a retry); idle connections are cheap, so keep them longer.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      endEventStreams();
      server.closeIdleConnections();
      // Requests still running get a few seconds to finish; then their connections are cut.
      const force = setTimeout(() => server.closeAllConnections(), 5000);
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

  return { server, url, close };
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
  // space after the URL ends it inside the JSON line too.
  getLogger().info({ url: running.url }, `vethwatch listening on ${running.url} (pid ${process.pid})`);
}
