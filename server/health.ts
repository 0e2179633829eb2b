import 'server-only';
// GET /healthz: the process answers (liveness; nothing else is checked, so a database outage never restarts it).
// GET /readyz: this replica can do its job: the store opened with every migration applied (getStore() resolves only
// then) and answers a query now. The cluster is reported but not required: an API server outage must not take
// every replica out of the Service.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MethodNotAllowedError } from '../lib/http/errors';
import { sendError, sendJson } from '../lib/http/node';
import type { ClusterRuntime } from '../lib/cluster/runtime';
import type { Store } from '../lib/store';

export const HEALTHZ_PATH = '/healthz';
export const READYZ_PATH = '/readyz';
const CHECK_TIMEOUT_MS = 2000;

function onlyGet(req: IncomingMessage): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new MethodNotAllowedError(['GET', 'HEAD']);
}

export function handleHealthz(req: IncomingMessage, res: ServerResponse): void {
  try {
    onlyGet(req);
    sendJson(res, 200, { status: 'ok' });
  } catch (err) {
    sendError(res, err);
  }
}

class CheckTimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'CheckTimeoutError';
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeoutError(ms)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export interface ReadyBody {
  status: 'ready' | 'not-ready';
  store: { ok: boolean; engine: string | null; migrations: 'done' | 'unknown'; error?: string };
  cluster: { configured: boolean; nodesSynced?: boolean; awsNode?: string | null };
}

export async function handleReadyz(req: IncomingMessage, res: ServerResponse, deps: { store: () => Promise<Store>; cluster: ClusterRuntime | null }): Promise<void> {
  try {
    onlyGet(req);
  } catch (err) {
    sendError(res, err);
    return;
  }
  const body: ReadyBody = { status: 'ready', store: { ok: true, engine: null, migrations: 'unknown' }, cluster: { configured: deps.cluster !== null } };
  try {
    const store = await withTimeout(deps.store(), CHECK_TIMEOUT_MS);
    body.store.engine = store.engine;
    body.store.migrations = 'done';
    await withTimeout(store.listEvents({ order: 'desc', limit: 1 }), CHECK_TIMEOUT_MS);
  } catch (err) {
    body.status = 'not-ready';
    body.store.ok = false;
    body.store.error = err instanceof Error ? err.message : String(err);
  }
  if (deps.cluster) {
    const view = deps.cluster.view();
    body.cluster.nodesSynced = view.nodes !== null;
    body.cluster.awsNode = view.awsNode?.image ?? null;
  }
  sendJson(res, body.status === 'ready' ? 200 : 503, body);
}
