// getQueryClient: one client per server request, one per browser tab. Server components import React's
// "react-server" build, whose cache() is what scopes the client to a request; here the same build is loaded, and a
// request is what React's Flight renderer makes of one (its DefaultAsyncDispatcher: one cache per request, found
// through AsyncLocalStorage), so two server components of one page share a client as they do under Next.
import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MeResponse } from '../remediation/types';

/** React's "react-server" build: what `import 'react'` resolves to in a server component. */
const reactServer = vi.hoisted(async () => {
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  const require = createRequire(import.meta.url);
  return require(join(dirname(require.resolve('react/package.json')), 'react.react-server.js')) as Record<string, unknown> & {
    __SERVER_INTERNALS_DO_NOT_USE_OR_WARN_USERS_THEY_CANNOT_UPGRADE: { A: unknown };
  };
});
vi.mock('react', async () => {
  const mod = await reactServer;
  return { ...mod, default: mod };
});

import { prefetchMe } from '../../components/remediation/prefetchMe';
import { getQueryClient } from './client';
import { meQuery } from './remediation';

const requests = new AsyncLocalStorage<{ cache: Map<unknown, unknown> }>();

let internals: { A: unknown };
beforeAll(async () => {
  internals = (await reactServer).__SERVER_INTERNALS_DO_NOT_USE_OR_WARN_USERS_THEY_CANNOT_UPGRADE;
  internals.A = {
    getCacheForType<T>(resourceType: () => T): T {
      const cache = requests.getStore()?.cache ?? new Map();
      if (!cache.has(resourceType)) cache.set(resourceType, resourceType());
      return cache.get(resourceType) as T;
    },
    cacheSignal: () => null,
    getOwner: () => null,
  };
});
afterAll(() => {
  internals.A = null;
});

const inRequest = <T>(render: () => Promise<T>) => requests.run({ cache: new Map() }, render);

const me: MeResponse = {
  user: null,
  groups: [],
  role: 'viewer',
  via: 'anonymous',
  canRemediate: false,
  executor: 'none',
  executorDetail: 'none',
  localNode: null,
  operatorsConfigured: false,
  sessionLogin: false,
  csrf: { header: 'x-vethwatch-csrf', value: '1' },
};

/** What a page render does: the layout's header and the page each get the client and prefetch "who am I". */
async function renderPage(loadMe: () => Promise<MeResponse>) {
  const header = async () => {
    const client = getQueryClient();
    await prefetchMe(client, loadMe);
    return client;
  };
  const page = async () => {
    const client = getQueryClient();
    await prefetchMe(client, loadMe);
    return client;
  };
  return Promise.all([header(), page()]);
}

describe('getQueryClient on the server', () => {
  it('gives every server component of one request the same client, so /me is loaded once per page', async () => {
    let loads = 0;
    const loadMe = async () => {
      loads += 1;
      await new Promise((r) => setTimeout(r, 5));
      return me;
    };
    const [headerClient, pageClient] = await inRequest(() => renderPage(loadMe));
    expect(headerClient).toBe(pageClient);
    expect(loads).toBe(1);
    expect(pageClient.getQueryData(meQuery().queryKey)).toEqual(me);
  });

  it('gives each request its own client, even when requests overlap, and does not retry', async () => {
    let loads = 0;
    const loadMe = async () => {
      loads += 1;
      await new Promise((r) => setTimeout(r, 5));
      return me;
    };
    const [a, b] = await Promise.all([inRequest(() => renderPage(loadMe)), inRequest(() => renderPage(loadMe))]);
    expect(a[0]).toBe(a[1]);
    expect(b[0]).toBe(b[1]);
    expect(a[0]).not.toBe(b[0]);
    expect(loads).toBe(2);
    expect(a[0].getDefaultOptions().queries?.retry).toBe(false);
  });

  it('outside a React render (a route handler) makes a new client per call', () => {
    expect(getQueryClient()).not.toBe(getQueryClient());
  });
});
