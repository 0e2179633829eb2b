// next.config.ts asks for standalone output only in the server image's build (VETHWATCH_NEXT_OUTPUT=standalone, set
// by deploy/docker/server.Dockerfile). The custom server loads the same config into next() for `npm start`, and
// with output 'standalone' there Next warns '"next start" does not work with "output: standalone"'.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from './support/serverProcess';

const load = async () => (await import('../next.config')).default;

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('next.config.ts output', () => {
  it('is Next’s default when the custom server loads it, so next() has nothing to warn about', async () => {
    vi.stubEnv('VETHWATCH_NEXT_OUTPUT', undefined);
    expect((await load()).output).toBeUndefined();
  });

  it('is standalone in the image build, which sets the variable', async () => {
    vi.stubEnv('VETHWATCH_NEXT_OUTPUT', 'standalone');
    expect((await load()).output).toBe('standalone');
    const dockerfile = fs.readFileSync(path.join(REPO_ROOT, 'deploy/docker/server.Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/RUN .*VETHWATCH_NEXT_OUTPUT=standalone npx next build/);
  });
});
