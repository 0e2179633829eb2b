// Test support: the real vethwatch server (`node --import tsx server/main.ts`, API only) as a child process on
// loopback, with its own SQLite file and agent token, plus read access to what it stored. Not a fake: the agent's
// delivery tests check what the server actually accepted.
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import Database from 'better-sqlite3';
import { REPO_ROOT, spawnServer } from '../../../test/support/serverProcess';

export { REPO_ROOT };

export interface RealServer {
  url: URL;
  port: number;
  token: string;
  dbPath: string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  output(): string;
}

/** A port that was free a moment ago, for a server that must start later on a known address. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

export function serverEntryExists(): boolean {
  return existsSync(`${REPO_ROOT}server/main.ts`);
}

export async function startRealServer(opts: { dbPath: string; token: string; port?: number }): Promise<RealServer> {
  const server = await spawnServer({
    env: {
      ...process.env,
      VETHWATCH_NEXT: '0',
      HOST: '127.0.0.1',
      PORT: String(opts.port ?? 0),
      VETHWATCH_DB: opts.dbPath,
      VETHWATCH_AGENT_TOKEN: opts.token,
      DATABASE_URL: '',
    },
  });
  const url = new URL(server.url);
  return {
    url,
    port: Number(url.port),
    token: opts.token,
    dbPath: opts.dbPath,
    output: server.output,
    stop: server.stop,
  };
}

export interface StoredNode {
  /** reports_total counts accepted reports that were neither resends nor older than the stored state. */
  node: { last_report_id: string; reports_total: number; dropped_reports_total: number; collected_at: string } | undefined;
  /** History events in the order the server wrote them. */
  events: Array<{ id: number; type: string; subject: string | null; report_id: string }>;
}

/** What the server stored about one node, read straight from its SQLite file (read-only). */
export function readStoredNode(dbPath: string, name: string): StoredNode {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return {
      node: db
        .prepare('select last_report_id, reports_total, dropped_reports_total, collected_at from nodes where name = ?')
        .get(name) as StoredNode['node'],
      events: db.prepare('select id, type, subject, report_id from events where node = ? order by id').all(name) as StoredNode['events'],
    };
  } finally {
    db.close();
  }
}
