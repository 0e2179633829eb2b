import 'server-only';
// The read API on plain node:http, for VETHWATCH_NEXT=0 (no Next): the same read model as the route handler
// app/api/v1/nodes/[name], so agent tests and benchmarks can check what the server stored. The fleet list
// (/api/v1/nodes) is on the lean path in both modes (lib/nodes/http.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MethodNotAllowedError, NotFoundError } from '../lib/http/errors';
import { sendError, sendJson } from '../lib/http/node';
import { getNodeFrom } from '../lib/nodes/read';
import type { Store } from '../lib/store';
import { serveRemediationApi } from '../lib/remediation/router';

const NODE_PATH = /^\/api\/v1\/nodes\/([^/]+)$/;

export async function handleApiOnly(req: IncomingMessage, res: ServerResponse, pathname: string, store: () => Promise<Store>): Promise<void> {
  if (await serveRemediationApi(req, res, pathname)) return;
  try {
    const one = NODE_PATH.exec(pathname);
    if (!one) throw new NotFoundError(`no route for ${pathname}`);
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new MethodNotAllowedError(['GET']);
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
