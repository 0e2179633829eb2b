import 'server-only';
// The remediation API's routes in one table, for servers without Next (VETHWATCH_NEXT=0: agent tests, the host test
// of the local executor). With Next the same handlers run behind app/api/v1/**/route.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MethodNotAllowedError } from '../http/errors';
import { readBody, RequestAbortedError, sendError } from '../http/node';
import * as h from './handlers';
import type { HandlerContext } from './handlers';

type Handler = (request: Request, ctx: HandlerContext) => Promise<Response>;

function seg(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** The handlers for a path by method, or null when the path is not the remediation API's. */
export function matchRemediationRoute(pathname: string): Record<string, Handler> | null {
  const p = pathname.split('/').filter(Boolean);
  if (p[0] !== 'api' || p[1] !== 'v1') return null;
  const r = p.slice(2);
  const is = (...want: string[]) => r.length === want.length && want.every((w, i) => w === '*' || w === r[i]);
  if (is('me')) return { GET: h.handleMe };
  if (is('session')) return { POST: h.handleSessionLogin, DELETE: h.handleSessionLogout };
  if (is('remediation-settings')) return { GET: h.handleSettingsGet, PUT: h.handleSettingsPut };
  if (is('audit')) return { GET: h.handleAuditGet };
  if (is('remediations')) return { GET: h.handleRemediationsList };
  if (is('remediations', 'fleet')) return { POST: h.handleFleetPost };
  if (is('nodes', '*', 'remediations')) {
    const node = seg(r[1]);
    if (node === null) return null;
    return { GET: (q, c) => h.handleNodeRemediationsGet(q, node, c), POST: (q, c) => h.handleNodeRemediationsPost(q, node, c) };
  }
  if (is('remediations', 'fleet', '*')) {
    const id = seg(r[2]);
    return id === null ? null : { GET: (q, c) => h.handleFleetGet(q, id, c) };
  }
  if (is('remediations', '*')) {
    const id = seg(r[1]);
    return id === null ? null : { GET: (q, c) => h.handleRemediationGet(q, id, c) };
  }
  return null;
}

/** Serves one remediation API request on node:http; false when the path is not one of ours. */
export async function serveRemediationApi(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
  const routes = matchRemediationRoute(pathname);
  if (!routes) return false;
  try {
    const method = req.method ?? 'GET';
    const handler = routes[method];
    if (!handler) throw new MethodNotAllowedError(Object.keys(routes));
    const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req, 64 * 1024);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
    }
    const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? pathname}`, { method, headers, body: body ? new Uint8Array(body) : undefined });
    const response = await handler(request, await h.defaultContext());
    const out: Record<string, string | string[]> = {};
    response.headers.forEach((v, k) => {
      if (k !== 'set-cookie') out[k] = v;
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) out['set-cookie'] = cookies;
    res.writeHead(response.status, out);
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (err) {
    if (err instanceof RequestAbortedError) res.destroy();
    else sendError(res, err);
  }
  return true;
}
