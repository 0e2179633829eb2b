// The route table the API-only server uses must name the same handlers, by method, as app/api/**/route.ts. Nothing
// here lists routes by hand: the route files are found on disk, the handlers are replaced by recorders, and each
// route file's methods are called next to the router's for the same URL, so a route file added without a router
// entry (or the other way round, or with another handler or method) fails.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';

/** Which handler ran, with the path parameters it was given (request and context are checked by identity). */
const calls: Array<{ handler: string; args: unknown[] }> = [];
const CTX = { marker: 'handler context' };

vi.mock('./handlers', async (importOriginal) => {
  const real = await importOriginal<Record<string, unknown>>();
  const fakes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(real)) {
    if (typeof value !== 'function') continue;
    fakes[name] =
      name === 'defaultContext'
        ? async () => CTX
        : async (...args: unknown[]) => {
            calls.push({ handler: name, args });
            return new Response(name);
          };
  }
  return fakes;
});

const { matchRemediationRoute } = await import('./router');
const handlers = await import('./handlers');

const ROOT = path.resolve(import.meta.dirname, '../..');
const API = path.join(ROOT, 'app/api');
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

interface RouteFile {
  file: string;
  /** A concrete URL path for it, every [param] filled in. */
  urlPath: string;
  params: Record<string, string>;
  usesRemediationHandlers: boolean;
}

/** A value per dynamic segment, with a space and a slash so decoding is checked too. */
const sample = (param: string) => `${param} 1/x`;

function discover(): RouteFile[] {
  const out: RouteFile[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'route.ts') {
        const segments = path.relative(path.join(ROOT, 'app'), path.dirname(p)).split(path.sep);
        const params: Record<string, string> = {};
        const url = segments
          // Route groups "(x)" are not part of the URL.
          .filter((s) => !/^\(.*\)$/.test(s))
          .map((s) => {
            const m = /^\[(\.\.\.)?(.+)\]$/.exec(s);
            if (!m) return s;
            if (m[1]) throw new Error(`${p}: catch-all segments are not handled by this test yet`);
            params[m[2]] = sample(m[2]);
            return encodeURIComponent(params[m[2]]);
          });
        const src = fs.readFileSync(p, 'utf8');
        out.push({ file: path.relative(ROOT, p), urlPath: `/${url.join('/')}`, params, usesRemediationHandlers: /from '@\/lib\/remediation\/handlers'/.test(src) });
      }
    }
  };
  walk(API);
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

const routes = discover();

describe('remediation routes without Next', () => {
  it('finds the route files (so the checks below are not vacuous)', () => {
    const ours = routes.filter((r) => r.usesRemediationHandlers).map((r) => r.urlPath);
    expect(ours).toContain('/api/v1/me');
    expect(ours).toContain(`/api/v1/nodes/${encodeURIComponent(sample('name'))}/remediations`);
    expect(routes.filter((r) => !r.usesRemediationHandlers).map((r) => r.urlPath)).toContain('/api/v1/events');
  });

  it.each(routes.filter((r) => r.usesRemediationHandlers).map((r) => [r.file, r] as const))('%s: the router runs the same handler for every method', async (_, route) => {
    const mod = (await import(/* @vite-ignore */ path.join(ROOT, route.file))) as Record<string, unknown>;
    const methods = METHODS.filter((m) => typeof mod[m] === 'function');
    expect(methods.length, route.file).toBeGreaterThan(0);
    const match = matchRemediationRoute(route.urlPath);
    expect(match, route.urlPath).not.toBeNull();
    expect(Object.keys(match!).sort()).toEqual([...methods].sort());

    for (const method of methods) {
      const request = new Request(`http://vethwatch.test${route.urlPath}`, { method });
      calls.length = 0;
      await (mod[method] as (r: Request, c: unknown) => Promise<Response>)(request, { params: Promise.resolve(route.params) });
      const viaNext = calls.splice(0);
      await match![method](request, CTX as never);
      const viaRouter = calls.splice(0);
      expect(viaNext, `${method} ${route.file}`).toHaveLength(1);
      expect(viaRouter, `${method} ${route.urlPath}`).toEqual(viaNext);
      // The request and the context are passed through, first and last.
      expect(viaNext[0].args[0]).toBe(request);
      expect(viaNext[0].args.at(-1)).toBe(CTX);
    }
  });

  it('every handler has a route file, so the router serves nothing Next would not', async () => {
    const reached = new Set<string>();
    for (const route of routes.filter((r) => r.usesRemediationHandlers)) {
      const mod = (await import(/* @vite-ignore */ path.join(ROOT, route.file))) as Record<string, unknown>;
      for (const method of METHODS.filter((m) => typeof mod[m] === 'function')) {
        calls.length = 0;
        await (mod[method] as (r: Request, c: unknown) => Promise<Response>)(new Request('http://vethwatch.test/', { method }), { params: Promise.resolve(route.params) });
        for (const c of calls) reached.add(c.handler);
      }
    }
    const all = Object.keys(handlers).filter((n) => n.startsWith('handle'));
    expect(all.length).toBeGreaterThan(0);
    expect([...reached].sort()).toEqual(all.sort());
  });

  it('leaves every other route file to its own server path', () => {
    for (const r of routes.filter((x) => !x.usesRemediationHandlers)) expect(matchRemediationRoute(r.urlPath), r.file).toBeNull();
  });

  it('leaves other paths alone', () => {
    for (const p of ['/api/v1/nodes', '/api/v1/reports', '/api/v2/me', '/api/v1/remediations/a/b/c', '/api/v1/nodes/%E0%A4%A/remediations']) {
      expect(matchRemediationRoute(p), p).toBeNull();
    }
    // "fleet" is a route of its own, not a remediation id.
    expect(Object.keys(matchRemediationRoute('/api/v1/remediations/fleet')!)).toEqual(['POST']);
  });
});
