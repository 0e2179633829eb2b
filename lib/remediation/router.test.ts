// The route table the API-only server uses must name the same handlers, by method, as app/api/v1/**/route.ts.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchRemediationRoute } from './router';

const APP = path.resolve(import.meta.dirname, '../../app/api/v1');

/** Every route file of ours and the methods it exports. */
function nextRoutes(): Array<{ path: string; methods: string[] }> {
  const dirs = ['me', 'session', 'audit', 'remediation-settings', 'remediations', 'remediations/[id]', 'remediations/fleet', 'remediations/fleet/[id]', 'nodes/[name]/remediations'];
  return dirs.map((d) => {
    const src = fs.readFileSync(path.join(APP, d, 'route.ts'), 'utf8');
    const methods = [...src.matchAll(/export async function (GET|POST|PUT|DELETE)\(/g)].map((m) => m[1]).sort();
    return { path: `/api/v1/${d.replace('[id]', 'x1').replace('[name]', 'node-1')}`, methods };
  });
}

describe('remediation routes without Next', () => {
  it('matches every Next route with the same methods', () => {
    for (const r of nextRoutes()) {
      const m = matchRemediationRoute(r.path);
      expect(m, r.path).not.toBeNull();
      expect(Object.keys(m!).sort(), r.path).toEqual(r.methods);
    }
  });

  it('leaves other paths alone', () => {
    for (const p of ['/api/v1/nodes', '/api/v1/nodes/a', '/api/v1/reports', '/api/v2/me', '/api/v1/remediations/a/b/c', '/api/v1/nodes/%E0%A4%A/remediations']) {
      expect(matchRemediationRoute(p), p).toBeNull();
    }
    // "fleet" is a route of its own, not a remediation id.
    expect(Object.keys(matchRemediationRoute('/api/v1/remediations/fleet')!)).toEqual(['POST']);
  });
});
