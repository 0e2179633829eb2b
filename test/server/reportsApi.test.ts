// The custom server as agents meet it: a child process (`node --import tsx server/main.ts`, VETHWATCH_NEXT=0)
// on a free port with its own database, spoken to over real HTTP. Every refused report must leave the
// database exactly as it was.
import { request } from 'node:http';
import { connect } from 'node:net';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINGER_MS } from '@/lib/http/node';
import { buildReport, nextReport } from '@/lib/report/fixtures';
import { createPgDatabase, sqliteTempFile } from '@/lib/store/testing';
import { ServerStartError, spawnServer } from '../support/serverProcess';

const TOKEN = 'test-token-0123456789';
const MiB = 1024 * 1024;

interface Child {
  url: string;
  output: () => string;
  /** Resolves with the exit code, so a test can check the shutdown was clean. */
  stop: () => Promise<number | null>;
}

async function startServer(env: Record<string, string>): Promise<Child> {
  const server = await spawnServer({
    env: {
      NODE_ENV: 'production',
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      HOST: '127.0.0.1',
      PORT: '0',
      VETHWATCH_NEXT: '0',
      ...env,
    },
  });
  return {
    url: server.url,
    output: server.output,
    async stop() {
      await server.stop();
      return server.child.exitCode;
    },
  };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: () => any;
}

/** A POST over node:http, so a body can be streamed in chunks and an early answer still be read. */
function post(url: string, opts: { token?: string | null; body?: string | Buffer; chunks?: Buffer[]; method?: string; contentLength?: boolean }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? TOKEN}`;
    const req = request(`${url}/api/v1/reports`, { method: opts.method ?? 'POST', headers, agent: false });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, json: () => JSON.parse(body) }));
      res.on('error', () => resolve({ status: res.statusCode!, headers: res.headers, body, json: () => JSON.parse(body) }));
    });
    // The server may answer and close before the whole body is written; that is the point of some tests.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    if (opts.chunks) {
      let i = 0;
      const writeNext = () => {
        while (i < opts.chunks!.length) {
          if (req.destroyed) return;
          if (!req.write(opts.chunks![i++])) {
            req.once('drain', writeNext);
            return;
          }
        }
        req.end();
      };
      writeNext();
    } else {
      req.end(opts.body);
    }
  });
}

async function get(url: string, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`);
  return { status: res.status, body: await res.json() };
}

function dumpSqlite(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const out: Record<string, unknown[]> = {};
    for (const table of ['nodes', 'node_reports', 'events', 'kysely_migration']) {
      out[table] = db.prepare(`select * from ${table} order by 1`).all();
    }
    return out;
  } finally {
    db.close();
  }
}

describe('custom server, API only, on SQLite', () => {
  let server: Child;
  let tmp: ReturnType<typeof sqliteTempFile>;
  const first = buildReport({ node: 'ip-10-1-2-3', veths: 110, mismatched: 2 });

  beforeAll(async () => {
    tmp = sqliteTempFile();
    server = await startServer({ VETHWATCH_DB: tmp.file, VETHWATCH_AGENT_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await server?.stop();
    tmp?.remove();
  });

  it('prints where it listens and which store it uses', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.output()).toContain(`store: SQLite at ${tmp.file}`);
  });

  it('202 for a new report, then 200 duplicate for its resend with no writes', async () => {
    const accepted = await post(server.url, { body: JSON.stringify(first) });
    expect(accepted.status).toBe(202);
    expect(accepted.json()).toEqual({ accepted: true, reportId: first.reportId, duplicate: false, outcome: 'changed', events: 1 + 1 + 1 + 110 + 1 });
    const before = dumpSqlite(tmp.file);
    const again = await post(server.url, { body: JSON.stringify(first) });
    expect(again.status).toBe(200);
    expect(again.json()).toEqual({ accepted: true, reportId: first.reportId, duplicate: true, outcome: 'duplicate', events: 0 });
    expect(dumpSqlite(tmp.file)).toEqual(before);
  });

  it('202 unchanged for the next identical report', async () => {
    const res = await post(server.url, { body: JSON.stringify(nextReport(first)) });
    expect(res.status).toBe(202);
    expect(res.json()).toMatchObject({ duplicate: false, outcome: 'unchanged', events: 0 });
  });

  describe('refused reports leave the database unchanged', () => {
    let before: Record<string, unknown[]>;
    beforeAll(() => {
      before = dumpSqlite(tmp.file);
    });
    const valid = () => JSON.stringify(nextReport(first, 3600));

    it('401 without a token, with a wrong token, and with another scheme', async () => {
      for (const token of [null, 'wrong-token', '']) {
        const res = await post(server.url, { token, body: valid() });
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer realm="vethwatch"');
        expect(Object.keys(res.json())).toEqual(['error']);
      }
      expect(dumpSqlite(tmp.file)).toEqual(before);
    });

    it('413 for a declared body over 2 MiB, without reading it', async () => {
      const res = await post(server.url, { body: Buffer.alloc(2 * MiB + 1, 0x20) });
      expect(res.status).toBe(413);
      expect(res.json()).toEqual({ error: `request body exceeds ${2 * MiB} bytes` });
      expect(res.headers.connection).toBe('close');
      expect(dumpSqlite(tmp.file)).toEqual(before);
    });

    it('413 for a chunked body that grows past 2 MiB, stopping there', async () => {
      const chunks = Array.from({ length: 64 }, () => Buffer.alloc(64 * 1024, 0x20)); // 4 MiB in all
      const res = await post(server.url, { chunks });
      expect(res.status).toBe(413);
      expect(dumpSqlite(tmp.file)).toEqual(before);
    });

    it('413 for an endless upload, and the server cuts the connection soon after instead of reading on', async () => {
      // A raw socket that reads the answer but never stops sending, as a hostile or broken client would.
      const { port } = new URL(server.url);
      const started = Date.now();
      const result = await new Promise<{ answer: string; cutAfterMs: number }>((resolve, reject) => {
        const socket = connect({ port: Number(port), host: '127.0.0.1', allowHalfOpen: true });
        let answer = '';
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          resolve({ answer, cutAfterMs: Date.now() - started });
        };
        socket.setEncoding('utf8');
        socket.on('data', (d) => (answer += d));
        socket.on('error', finish);
        socket.on('close', finish);
        socket.write(
          `POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
            'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
        );
        const chunk = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 0x20), Buffer.from('\r\n')]);
        const pump = () => {
          while (!done && !socket.destroyed) {
            if (Date.now() - started > 20_000) return reject(new Error('the server was still reading after 20 s'));
            if (!socket.write(chunk)) return void socket.once('drain', pump);
          }
        };
        pump();
      });
      expect(result.answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(result.cutAfterMs).toBeGreaterThanOrEqual(LINGER_MS - 100);
      expect(result.cutAfterMs).toBeLessThan(LINGER_MS + 5000);
      expect(dumpSqlite(tmp.file)).toEqual(before);
    });

    it('a body of exactly 2 MiB is read (and, padded JSON, accepted)', async () => {
      const report = nextReport(first, 60);
      const text = JSON.stringify(report);
      const padded = Buffer.from(text + ' '.repeat(2 * MiB - Buffer.byteLength(text)));
      expect(padded.length).toBe(2 * MiB);
      const res = await post(server.url, { body: padded });
      expect(res.status).toBe(202);
      before = dumpSqlite(tmp.file);
    });

    it('400 for a body that is not JSON, or is empty', async () => {
      for (const body of ['{"version": 1,', 'not json at all', '']) {
        const res = await post(server.url, { body });
        expect(res.status).toBe(400);
        expect(Object.keys(res.json())).toEqual(['error']);
      }
      expect(dumpSqlite(tmp.file)).toEqual(before);
    });

    it('422 with the zod issues for a report that fails the schema', async () => {
      const bad = nextReport(first, 7200) as unknown as Record<string, any>;
      bad.veths[5].mac = 'not-a-mac';
      delete bad.agent;
      const res = await post(server.url, { body: JSON.stringify(bad) });
      expect(res.status).toBe(422);
      const body = res.json();
      expect(body.error).toBe('report does not match the report v1 schema');
      expect(body.issues.map((i: { path: unknown[] }) => i.path)).toEqual(expect.arrayContaining([['agent'], ['veths', 5, 'mac']]));
      expect(dumpSqlite(tmp.file)).toEqual(before);
    });

    it('405 for other methods on the reports path', async () => {
      const res = await post(server.url, { method: 'GET' });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(dumpSqlite(tmp.file)).toEqual(before);
    });
  });

  it('serves the read API without Next: fleet, one node, 404', async () => {
    const fleet = await get(server.url, '/api/v1/nodes');
    expect(fleet.status).toBe(200);
    expect(fleet.body.counts).toEqual({ broken: 1, 'at-risk': 0, fragile: 0, stale: 0, 'no-agent': 0, unknown: 0, healthy: 0 });
    expect(fleet.body.nodes.map((n: { name: string }) => n.name)).toEqual(['ip-10-1-2-3']);
    const node = await get(server.url, '/api/v1/nodes/ip-10-1-2-3');
    expect(node.status).toBe(200);
    expect(node.body).toMatchObject({ name: 'ip-10-1-2-3', vethCount: 110, mismatchCount: 2, state: 'broken' });
    expect(node.body.veths).toHaveLength(110);
    const missing = await get(server.url, '/api/v1/nodes/nope');
    expect(missing).toEqual({ status: 404, body: { error: 'no node named "nope" has reported' } });
    expect((await get(server.url, '/elsewhere')).status).toBe(404);
  });

  it('exits 0 on SIGTERM', async () => {
    expect(await server.stop()).toBe(0);
  });
});

describe('custom server without an agent token', () => {
  it('says so at start-up and refuses every report with 401', async () => {
    const tmp = sqliteTempFile();
    const server = await startServer({ VETHWATCH_DB: tmp.file });
    try {
      expect(server.output()).toContain('VETHWATCH_AGENT_TOKEN is not set: every agent report will be refused with 401');
      const res = await post(server.url, { body: JSON.stringify(buildReport()) });
      expect(res.status).toBe(401);
      expect(dumpSqlite(tmp.file).nodes).toEqual([]);
    } finally {
      await server.stop();
      tmp.remove();
    }
  });
});

describe('custom server on PostgreSQL', () => {
  it('accepts, deduplicates and serves reports from DATABASE_URL', async () => {
    const db = await createPgDatabase();
    const server = await startServer({ DATABASE_URL: db.url, VETHWATCH_AGENT_TOKEN: TOKEN, VETHWATCH_DB: '/nonexistent/unused.db' });
    try {
      expect(server.output()).toMatch(/store: PostgreSQL at 127\.0\.0\.1:\d+\/vw_test_/);
      const report = buildReport({ node: 'pg-node', veths: 3 });
      expect((await post(server.url, { body: JSON.stringify(report) })).status).toBe(202);
      expect((await post(server.url, { body: JSON.stringify(report) })).status).toBe(200);
      expect((await post(server.url, { body: '{' })).status).toBe(400);
      const fleet = await get(server.url, '/api/v1/nodes');
      expect(fleet.body.nodes.map((n: { name: string; state: string }) => [n.name, n.state])).toEqual([['pg-node', 'at-risk']]);
    } finally {
      expect(await server.stop()).toBe(0);
      await db.drop();
    }
  });

  it('refuses to start (exit 1) when the database cannot be reached', async () => {
    const err = await startServer({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', VETHWATCH_AGENT_TOKEN: TOKEN }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ServerStartError);
    expect((err as Error).message).toMatch(/server exited during start-up \(code 1,[\s\S]*could not start/);
  });
});
