import 'server-only';
// The read API on plain node:http, for VETHWATCH_NEXT=0 (no Next): the same read model as the route handler
// app/api/v1/nodes/[name], so agent tests and benchmarks can check what the server stored. The fleet list
// (/api/v1/nodes) is on the lean path in both modes (lib/nodes/http.ts).
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MethodNotAllowedError, NotFoundError } from '../lib/http/errors';
import { sendError, sendJson } from '../lib/http/node';
import { getNodeFrom } from '../lib/nodes/read';
import type { Store } from '../lib/store';
import { serveRemediationApi } from '../lib/remediation/router';

const NODE_PATH = /^\/api\/v1\/nodes\/([^/]+)$/;
// The few public/ files that matter without Next (Next serves all of public/ itself): a fixed list, no path lookup.
const PUBLIC_FILES = new Map([
  ['/openapi.json', 'application/json'],
  ['/robots.txt', 'text/plain; charset=utf-8'],
]);
const PUBLIC_DIR = new URL('../public/', import.meta.url);

export async function handleApiOnly(req: IncomingMessage, res: ServerResponse, pathname: string, store: () => Promise<Store>): Promise<void> {
  if (await serveRemediationApi(req, res, pathname)) return;
  try {
    const type = PUBLIC_FILES.get(pathname);
    if (type) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new MethodNotAllowedError(['GET']);
      const data = await readFile(new URL(pathname.slice(1), PUBLIC_DIR));
      res.writeHead(200, { 'content-type': type, 'content-length': data.length });
      res.end(req.method === 'HEAD' ? undefined : data);
      return;
    }
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
