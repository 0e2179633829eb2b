import 'server-only';
// The read API on plain node:http, for VETHWATCH_NEXT=0 (no Next): the same read models as the route handlers
// in app/api/v1/nodes, so agent tests and benchmarks can check what the server stored.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MethodNotAllowedError, NotFoundError } from '../lib/http/errors';
import { sendError, sendJson } from '../lib/http/node';
import { getFleetFrom, getNodeFrom } from '../lib/nodes/read';
import type { Store } from '../lib/store';
import { serveRemediationApi } from '../lib/remediation/router';

const NODE_PATH = /^\/api\/v1\/nodes\/([^/]+)$/;

export async function handleApiOnly(req: IncomingMessage, res: ServerResponse, pathname: string, store: () => Promise<Store>): Promise<void> {
  if (await serveRemediationApi(req, res, pathname)) return;
  try {
    const isNodes = pathname === '/api/v1/nodes';
    const one = NODE_PATH.exec(pathname);
    if (!isNodes && !one) throw new NotFoundError(`no route for ${pathname}`);
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new MethodNotAllowedError(['GET']);
    if (isNodes) {
      sendJson(res, 200, await getFleetFrom(await store()));
      return;
    }
    let name: string;
    try {
      name = decodeURIComponent(one![1]);
    } catch {
      throw new NotFoundError('no such node');
    }
    const node = await getNodeFrom(await store(), name);
    if (!node) throw new NotFoundError(`no node named "${name}" has reported`);
    sendJson(res, 200, node);
  } catch (err) {
    sendError(res, err);
  }
}
