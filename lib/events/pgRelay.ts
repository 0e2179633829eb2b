import 'server-only';
// The event relay for several server replicas on one PostgreSQL (LISTEN/NOTIFY). After this process commits
// events, announce() sends `NOTIFY vethwatch_events, '<origin>:<first id>:<last id>'` — ids only: NOTIFY payloads
// stop at 8000 bytes, and the store is the source of truth anyway. Every replica LISTENs on a dedicated
// connection; when it hears another replica's range it reads those events from the store (one query per
// notification and replica, however many browsers are connected) and hands them to bus.deliverRemote, which rings
// the local SSE streams (lib/history/stream.ts reads the store by id, so a ring is all they need) and the other
// local subscribers (remediation verification, node conditions), which are idempotent.
//
// A dropped LISTEN connection is reopened with backoff; on reconnect the relay reads every event after the last
// one it knew of and delivers those, so nothing announced while it was deaf is lost (the SSE heartbeat would catch
// it within 15 s anyway, this just keeps it fast).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Store } from '../store';
import type { EventBus, EventRelay } from './bus';
import type { NodeEvent } from './types';
import { getLogger } from '../log/logger';

export const EVENTS_CHANNEL = 'vethwatch_events';
const PAGE = 1000;
const MAX_BACKOFF_MS = 10_000;

export class PgRelayError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PgRelayError';
  }
}

export interface PgRelayOptions {
  url: string;
  bus: EventBus;
  store: () => Promise<Store>;
  channel?: string;
  /** First reconnect delay; doubles up to 10 s. */
  reconnectMs?: number;
  log?: { info(msg: string): void; warn(msg: string): void; error(msg: string): void };
}

export interface PgRelay extends EventRelay {
  /** True while the LISTEN connection is up. */
  readonly listening: boolean;
  /** Notifications from other replicas handled so far (for tests and metrics). */
  readonly received: number;
  /** Drops the current LISTEN connection as a network failure would (tests use it to check reconnecting). */
  dropConnection(): void;
  close(): Promise<void>;
}

/** `<origin>:<first>:<last>`; null for anything else (a foreign NOTIFY on our channel is ignored, not fatal). */
export function parseRelayPayload(payload: string | undefined): { origin: string; first: number; last: number } | null {
  const m = /^([0-9a-f]{1,32}):(\d{1,15}):(\d{1,15})$/.exec(payload ?? '');
  if (!m) return null;
  const first = Number(m[2]);
  const last = Number(m[3]);
  return first <= last ? { origin: m[1], first, last } : null;
}

export function formatRelayPayload(origin: string, events: readonly NodeEvent[]): string | null {
  if (events.length === 0) return null;
  let first = events[0].id;
  let last = first;
  for (const e of events) {
    if (e.id < first) first = e.id;
    if (e.id > last) last = e.id;
  }
  return `${origin}:${first}:${last}`;
}

/** Connects the LISTEN session (throws PgRelayError if PostgreSQL is unreachable) and returns the relay. */
export async function startPgRelay(opts: PgRelayOptions): Promise<PgRelay> {
  const channel = opts.channel ?? EVENTS_CHANNEL;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new PgRelayError(`invalid channel name "${channel}"`);
  const log = opts.log ?? { info: (m: string) => getLogger().info(m), warn: (m: string) => getLogger().warn(m), error: (m: string) => getLogger().error(m) };
  const origin = randomBytes(8).toString('hex');
  const baseDelay = opts.reconnectMs ?? 500;
  // NOTIFY goes through its own small pool, so announcing never waits on (or dies with) the LISTEN session.
  const notifier = new pg.Pool({ connectionString: opts.url, max: 2 });
  notifier.on('error', (err) => log.warn(`vethwatch: event relay: idle NOTIFY connection failed: ${err.message}`));

  let client: pg.Client | null = null;
  let closed = false;
  let received = 0;
  let delay = baseDelay;
  let timer: NodeJS.Timeout | undefined;
  /** The highest event id this process knows was delivered to its subscribers (locally or from the relay). */
  let seen = 0;
  // Reads run one after another, so deliveries stay in id order.
  let reading: Promise<void> = Promise.resolve();

  const deliverRange = (afterId: number, upTo: number | null) =>
    (reading = reading.then(async () => {
      const store = await opts.store();
      let cursor = afterId;
      for (;;) {
        const rows = await store.listEvents({ afterId: cursor, order: 'asc', limit: PAGE });
        const wanted = upTo === null ? rows : rows.filter((e) => e.id <= upTo);
        if (wanted.length > 0) {
          opts.bus.deliverRemote(wanted);
          cursor = wanted[wanted.length - 1].id;
          if (cursor > seen) seen = cursor;
        }
        if (rows.length < PAGE || wanted.length < rows.length) break;
      }
    }).catch((err: unknown) => log.error(`vethwatch: event relay: reading announced events failed: ${(err as Error).message}`)));

  const onNotification = (msg: pg.Notification) => {
    if (msg.channel !== channel) return;
    const p = parseRelayPayload(msg.payload);
    if (!p || p.origin === origin) return;
    received += 1;
    void deliverRange(p.first - 1, p.last);
  };

  const scheduleReconnect = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect(true).catch(() => undefined);
    }, delay);
    timer.unref();
    delay = Math.min(delay * 2, MAX_BACKOFF_MS);
  };

  async function connect(reconnecting: boolean): Promise<void> {
    const c = new pg.Client({ connectionString: opts.url });
    const lost = (why: string) => {
      if (client !== c) return;
      client = null;
      c.removeAllListeners('notification');
      void c.end().catch(() => undefined);
      if (!closed) {
        log.warn(`vethwatch: event relay: LISTEN connection lost (${why}); reconnecting`);
        scheduleReconnect();
      }
    };
    c.on('error', (err) => lost(err.message));
    c.on('end', () => lost('connection ended'));
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch (err) {
      void c.end().catch(() => undefined);
      if (!reconnecting) throw new PgRelayError(`could not LISTEN on PostgreSQL: ${(err as Error).message}`, { cause: err });
      log.warn(`vethwatch: event relay: reconnect failed: ${(err as Error).message}`);
      scheduleReconnect();
      return;
    }
    if (closed) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    delay = baseDelay;
    c.on('notification', onNotification);
    if (reconnecting) {
      log.info('vethwatch: event relay: listening again');
      // Whatever other replicas announced while this one was deaf.
      void deliverRange(seen, null);
    }
  }

  try {
    const store = await opts.store();
    seen = (await store.listEvents({ order: 'desc', limit: 1 }))[0]?.id ?? 0;
  } catch (err) {
    await notifier.end().catch(() => undefined);
    throw new PgRelayError(`could not read the newest event id: ${(err as Error).message}`, { cause: err });
  }
  try {
    await connect(false);
  } catch (err) {
    await notifier.end().catch(() => undefined);
    throw err;
  }

  return {
    get listening() {
      return client !== null;
    },
    get received() {
      return received;
    },
    async announce(events) {
      const payload = formatRelayPayload(origin, events);
      if (payload === null || closed) return;
      for (const e of events) if (e.id > seen) seen = e.id;
      await notifier.query('select pg_notify($1, $2)', [channel, payload]);
    },
    dropConnection() {
      // Ends the socket underneath the client: the same 'end' path a network failure takes.
      const c = client as (pg.Client & { connection?: { stream?: { destroy(): void } } }) | null;
      c?.connection?.stream?.destroy();
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
      await reading;
      await notifier.end().catch(() => undefined);
    },
  };
}
