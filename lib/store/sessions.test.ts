// Operator sessions on both engines, through lib/auth/session.ts: the store keeps the id's hash; a session ends on
// sign-out, at its expiry and when the operator's credential changes; an operator's sessions are capped.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authConfigFromEnv } from '../auth/config';
import { endSession, resolveSession, sessionIdHash, startSession } from '../auth/session';
import { MAX_SESSIONS_PER_OPERATOR } from './sessions';
import { testEngines, type TestStore } from './testing';

const auth = authConfigFromEnv({ VETHWATCH_OPERATOR_TOKEN: 'sessions-test-token-0123', VETHWATCH_SESSION_TTL_HOURS: '2' });
const operator = auth.operators[0];
const T0 = Date.parse('2026-06-01T10:00:00.000Z');

describe.each(testEngines)('operator sessions on $name', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await engine.open();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('stores only the hash of the id, and resolves the id to its operator until it expires', async () => {
    const id = await startSession(t.store.sessions, operator, auth, T0);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await t.store.sessions.get(sessionIdHash(id), new Date(T0).toISOString());
    expect(row).toEqual({ idHash: sessionIdHash(id), operator: 'operator', credential: expect.stringMatching(/^[0-9a-f]{64}$/), createdAt: '2026-06-01T10:00:00.000Z', expiresAt: '2026-06-01T12:00:00.000Z' });
    expect(JSON.stringify(row)).not.toContain(id);
    expect((await resolveSession(t.store.sessions, id, auth, T0 + 7_199_999))?.name).toBe('operator');
    expect(await resolveSession(t.store.sessions, id, auth, T0 + 7_200_000)).toBeNull();
    expect(await resolveSession(t.store.sessions, 'not-a-session', auth, T0)).toBeNull();
    expect(await resolveSession(t.store.sessions, null, auth, T0)).toBeNull();
  });

  it('ends a session on sign-out, and one whose credential changed or is gone', async () => {
    const a = await startSession(t.store.sessions, operator, auth, T0);
    const b = await startSession(t.store.sessions, operator, auth, T0);
    await endSession(t.store.sessions, a);
    expect(await resolveSession(t.store.sessions, a, auth, T0)).toBeNull();
    expect(await resolveSession(t.store.sessions, b, auth, T0)).not.toBeNull();

    const rotated = authConfigFromEnv({ VETHWATCH_OPERATOR_TOKEN: 'another-token-0123456789' });
    expect(await resolveSession(t.store.sessions, b, rotated, T0)).toBeNull();
    // ...and it was deleted, so going back to the old token does not revive it.
    expect(await resolveSession(t.store.sessions, b, auth, T0)).toBeNull();
    const c = await startSession(t.store.sessions, operator, auth, T0);
    expect(await resolveSession(t.store.sessions, c, authConfigFromEnv({}), T0)).toBeNull();
  });

  it("drops expired sessions and an operator's oldest beyond the cap when a new one starts", async () => {
    const old = await startSession(t.store.sessions, operator, auth, T0);
    const ids: string[] = [];
    for (let i = 0; i < MAX_SESSIONS_PER_OPERATOR + 2; i++) ids.push(await startSession(t.store.sessions, operator, auth, T0 + 3 * 3_600_000 + i));
    const now = new Date(T0 + 3 * 3_600_000 + 100).toISOString();
    expect(await t.store.sessions.get(sessionIdHash(old), new Date(T0).toISOString())).toBeNull(); // expired, so deleted
    expect(await t.store.sessions.get(sessionIdHash(ids[0]), now)).toBeNull();
    expect(await t.store.sessions.get(sessionIdHash(ids[1]), now)).toBeNull();
    expect(await t.store.sessions.get(sessionIdHash(ids[2]), now)).not.toBeNull();
    expect(await t.store.sessions.deleteForOperator('operator', null)).toBe(MAX_SESSIONS_PER_OPERATOR);
  });
});
