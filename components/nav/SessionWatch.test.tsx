// @vitest-environment happy-dom
// A page left open as "operator" learns it was signed out (server restart, expired session) before the operator
// acts: /api/v1/me is asked again on focus, on becoming visible and when the live stream reconnects; a change to
// viewer that this tab did not ask for is said out loud; its own "Sign out" is not.
import { QueryClient, QueryClientProvider, useMutation } from '@tanstack/react-query';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { meQuery, signOut } from '@/lib/queries/remediation';
import { CSRF_HEADER, CSRF_VALUE } from '@/lib/remediation/types';
import type { MeResponse } from '@/lib/remediation/types';
import { setLiveStatus } from '../live/status';
import { SessionWatch } from './SessionWatch';

const base: MeResponse = {
  user: 'alice',
  groups: [],
  role: 'operator',
  via: 'session',
  canRemediate: true,
  executor: 'local',
  executorDetail: 'the agent on this host (node-1)',
  localNode: 'node-1',
  sessionLogin: true,
  operatorsConfigured: true,
  csrf: { header: CSRF_HEADER, value: CSRF_VALUE },
};
const viewer: MeResponse = { ...base, user: null, role: 'viewer', via: 'anonymous', canRemediate: false };

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  setLiveStatus('connecting');
});

/** The server's answers: /api/v1/me says whatever `now.me` is; DELETE /api/v1/session signs out. */
function serverSays(now: { me: MeResponse }) {
  const calls: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      calls.push(`${init?.method ?? 'GET'} ${url}`);
      if (url === '/api/v1/session') {
        now.me = viewer;
        return new Response(null, { status: 204 });
      }
      return Response.json(now.me);
    }),
  );
  return calls;
}

function show() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  client.setQueryData(meQuery().queryKey, base);
  let doSignOut!: () => void;
  function SignOutButton() {
    const m = useMutation({ mutationFn: signOut, onSuccess: () => client.invalidateQueries({ queryKey: meQuery().queryKey }) });
    doSignOut = () => m.mutate();
    return null;
  }
  render(
    <QueryClientProvider client={client}>
      <SessionWatch />
      <SignOutButton />
    </QueryClientProvider>,
  );
  return { client, signOut: () => doSignOut() };
}

describe('SessionWatch', () => {
  it('on focus, asks /api/v1/me again and says the operator was signed out when the server forgot the session', async () => {
    const now = { me: base };
    const calls = serverSays(now);
    show();
    expect(screen.queryByRole('alert')).toBeNull();
    now.me = viewer; // the server restarted
    act(() => void window.dispatchEvent(new Event('focus')));
    expect(await screen.findByRole('alert')).toHaveProperty('textContent', expect.stringMatching(/You were signed out \(alice\).*sign in again before you remediate/));
    expect(calls).toContain('GET /api/v1/me');
  });

  it('asks again when the tab becomes visible, and when the live stream comes back after dropping', async () => {
    const now = { me: base };
    const calls = serverSays(now);
    show();
    act(() => void document.dispatchEvent(new Event('visibilitychange')));
    await waitFor(() => expect(calls.filter((c) => c === 'GET /api/v1/me')).toHaveLength(1));
    now.me = viewer;
    act(() => setLiveStatus('live'));
    act(() => setLiveStatus('reconnecting'));
    act(() => setLiveStatus('live'));
    expect(await screen.findByRole('alert')).toHaveProperty('textContent', expect.stringContaining('You were signed out'));
    expect(calls.filter((c) => c === 'GET /api/v1/me')).toHaveLength(2);
  });

  it('says nothing when this tab signed out itself, or while the operator is still signed in', async () => {
    const now = { me: base };
    serverSays(now);
    const { signOut: out, client } = show();
    act(() => void window.dispatchEvent(new Event('focus')));
    await waitFor(() => expect(client.getQueryState(meQuery().queryKey)?.dataUpdateCount).toBeGreaterThan(1));
    expect(screen.queryByRole('alert')).toBeNull();
    act(() => out());
    await waitFor(() => expect(client.getQueryData<MeResponse>(meQuery().queryKey)?.role).toBe('viewer'));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
