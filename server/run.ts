import 'server-only';
// The custom server: answers POST /api/v1/reports on the lean node:http path and hands everything else to Next
// (or, with VETHWATCH_NEXT=0, to a small read API). Migrations run before it listens.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeAgentTokenSetup } from '../lib/auth/agentToken';
import { getEventBus } from '../lib/events/bus';
import { sendError } from '../lib/http/node';
import { handleReportRequest, REPORTS_PATH } from '../lib/ingest/http';
import { closeStore, describeStoreConfig, getStore, storeConfigFromEnv } from '../lib/store';
import { handleApiOnly } from './apiOnly';
import { serverConfigFromEnv, type ServerConfig } from './config';

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
  const storeConfig = storeConfigFromEnv();
  console.log(`vethwatch: store: ${describeStoreConfig(storeConfig)}`);
  await getStore(); // opens the database and runs pending migrations, or throws before we listen
  const token = describeAgentTokenSetup();
  if (config.agentToken) console.log(`vethwatch: ${token}`);
  else console.warn(`vethwatch: WARNING: ${token}`);

  const nextApp = config.next ? await loadNext(config) : null;
  const bus = getEventBus();
  const reportDeps = { store: getStore, agentToken: config.agentToken, bus };

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    const work =
      pathname === REPORTS_PATH
        ? handleReportRequest(req, res, reportDeps)
        : nextApp
          ? nextApp.handle(req, res)
          : handleApiOnly(req, res, pathname, getStore);
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
      server.closeIdleConnections();
      // Requests still running get a few seconds to finish; then their connections are cut.
      const force = setTimeout(() => server.closeAllConnections(), 5000);
      force.unref();
      await stopped;
      clearTimeout(force);
      await nextApp?.close().catch(() => undefined);
      await closeStore();
    })());

  return { server, url, close };
}

export async function runFromEnv(): Promise<void> {
  let running: RunningServer;
  try {
    running = await startServer(serverConfigFromEnv());
  } catch (err) {
    console.error(`vethwatch: could not start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      running
        .close()
        .then(() => process.exit(0))
        .catch((err) => {
          console.error('vethwatch: shutdown failed', err);
          process.exit(1);
        });
    });
  }
  console.log(`vethwatch listening on ${running.url}`);
}
