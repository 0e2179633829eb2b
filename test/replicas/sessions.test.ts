// Operator sessions across replicas: two real server processes (API only) on one fresh PostgreSQL database. A
// cookie from a sign-in at A works at B (the session is in the database, not in A's memory), signing out at B ends
// it at A too, and a replica started with the operator's new token refuses a cookie from the old one.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeResponse } from '../../lib/remediation/types';
import { createPgDatabase } from '../../lib/store/testing';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';

const ALICE_TOKEN = 'alice-replica-token-0123456789';
const PUBLIC = 'http://vethwatch.test';
const page = { origin: PUBLIC, 'sec-fetch-site': 'same-origin', 'x-vethwatch-csrf': '1', 'content-type': 'application/json' };
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

let db: Awaited<ReturnType<typeof createPgDatabase>>;
let dir: string;
let a: ServerProcess;
let b: ServerProcess;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createPgDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-sessions-'));
  const file = path.join(dir, 'operators');
  fs.writeFileSync(file, `alice: ${sha(ALICE_TOKEN)}\n`);
  env = { HOME: dir, DATABASE_URL: db.url, VETHWATCH_KUBE: '0', VETHWATCH_OPERATORS_FILE: file, VETHWATCH_PUBLIC_URL: PUBLIC };
  // One first, so the migrations run once; then the second against the migrated database.
  a = await startServerProcess(env);
  b = await startServerProcess(env);
}, 120_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await db?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const me = async (s: ServerProcess, cookie: string) => (await (await fetch(`${s.url}/api/v1/me`, { headers: { cookie } })).json()) as MeResponse;

describe('operator sessions across replicas', () => {
  it('a cookie from one replica works on the other, and signing out on either ends it on both', async () => {
    const login = await fetch(`${a.url}/api/v1/session`, { method: 'POST', headers: page, body: JSON.stringify({ token: ALICE_TOKEN }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie()[0].split(';')[0];
    expect(await me(b, cookie)).toMatchObject({ user: 'alice', role: 'operator', via: 'session' });
    expect(await me(a, cookie)).toMatchObject({ user: 'alice', role: 'operator', via: 'session' });

    const out = await fetch(`${b.url}/api/v1/session`, { method: 'DELETE', headers: { ...page, cookie } });
    expect(out.status).toBe(200);
    expect(await me(a, cookie)).toMatchObject({ user: null, role: 'viewer' });
    expect(await me(b, cookie)).toMatchObject({ user: null, role: 'viewer' });
  });

  it("a replica restarted with the operator's new token refuses the old sessions", async () => {
    const login = await fetch(`${a.url}/api/v1/session`, { method: 'POST', headers: page, body: JSON.stringify({ token: ALICE_TOKEN }) });
    const cookie = login.headers.getSetCookie()[0].split(';')[0];
    expect(await me(b, cookie)).toMatchObject({ user: 'alice' });
    await b.stop();
    const file = path.join(dir, 'operators-rotated');
    fs.writeFileSync(file, `alice: ${sha('alice-new-token-0123456789')}\n`);
    b = await startServerProcess({ ...env, VETHWATCH_OPERATORS_FILE: file });
    expect(await me(b, cookie)).toMatchObject({ user: null, role: 'viewer' });
    // B deleted it, so it is gone for A as well, though A still knows the old token.
    expect(await me(a, cookie)).toMatchObject({ user: null, role: 'viewer' });
  }, 60_000);
});
