import 'server-only';
// GET /api/v1/stream: Server-Sent Events of every stored event, with ids, resumable with Last-Event-ID.
//
// Where it lives: in the custom server (server/run.ts routes the path here before Next sees it), not in a Next
// route handler. The custom server already owns the write path (POST /api/v1/reports) and the bus that path
// publishes on; a plain node:http response streams without any framework buffering, can be ended on shutdown
// (endEventStreams), works in the API-only mode (VETHWATCH_NEXT=0) and is tested over real HTTP without a
// `next build`. Under `next dev` there is no ingest either, so a route handler copy would have nothing to stream.
//
// Gap- and duplicate-free by construction: the store is the source of truth and the bus only a doorbell. The
// stream subscribes first, then reads the store for everything after its cursor (the client's Last-Event-ID,
// or the newest id when it has none), writes it, and reads again whenever the bus rings. Events reach the
// store's readers in id order (lib/store/store.ts serialises event inserts on PostgreSQL; SQLite has one
// writer), so "id > cursor" misses nothing and repeats nothing — even when two ingests publish out of order,
// which forwarding the bus's own payloads would get wrong. Other replicas' events ring the bell through the
// LISTEN/NOTIFY relay (lib/events/pgRelay.ts); the heartbeat also polls the store, so an event whose
// notification was lost (while the relay reconnects) still arrives within a heartbeat.
//
// Bounded: each stream holds a connection, a bus subscription and a timer, so streams are capped per client
// address (429) and in all (503), both with Retry-After. A resume replays at most MAX_REPLAY events; a client
// further behind (or whose cursor predates what retention kept, or is unknown here) gets a `reset` event instead,
// meaning "refetch what you show, then follow from here", rather than the whole history.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { EventBus } from '../events/bus';
import type { NodeEvent } from '../events/types';
import { MethodNotAllowedError, RetryLaterError, ValidationError } from '../http/errors';
import { sendError } from '../http/node';
import type { Store } from '../store';
import { toHistoryEvent } from './entries';
import { getLogger } from '../log/logger';

export const STREAM_PATH = '/api/v1/stream';
export const HEARTBEAT_MS = 15_000;
/** Tells EventSource how soon to reconnect after the connection drops. */
export const RETRY_MS = 3000;
const PAGE_SIZE = 500;
/** The most events a resume replays; further behind, the client gets a reset. */
export const MAX_REPLAY = 500;
/** The event that tells a client its cursor cannot be resumed: refetch, then follow from the id it carries. */
export const RESET_EVENT = 'reset';

export interface StreamLimits {
  /** Open streams per client address (VETHWATCH_STREAMS_PER_CLIENT). */
  perClient: number;
  /** Open streams in all (VETHWATCH_STREAMS_MAX). */
  max: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = { perClient: 100, max: 1000 };
/** Seconds a refused client should wait before trying again. */
const RETRY_AFTER_SECONDS = 10;

/** One client address holds as many streams as it may. */
export class TooManyStreamsError extends RetryLaterError {
  readonly status = 429;
  constructor(limit: number) {
    super(`this client already holds ${limit} event streams (the most one client may hold)`, RETRY_AFTER_SECONDS);
    this.name = 'TooManyStreamsError';
  }
}

/** The server holds as many streams as it will. */
export class StreamsFullError extends RetryLaterError {
  readonly status = 503;
  constructor(limit: number) {
    super(`the server already holds ${limit} event streams; try again later`, RETRY_AFTER_SECONDS);
    this.name = 'StreamsFullError';
  }
}

const streamQuerySchema = z.object({
  node: z.string().min(1).max(253).optional(),
  lastEventId: z.string().regex(/^\d{1,15}$/, 'a non-negative event id').optional(),
});

export interface StreamDeps {
  store: () => Promise<Store>;
  bus: EventBus;
  /** Default: VETHWATCH_STREAM_HEARTBEAT_MS, else HEARTBEAT_MS. */
  heartbeatMs?: number;
  /** Default: DEFAULT_STREAM_LIMITS. */
  limits?: StreamLimits;
}

function heartbeatFromEnv(): number {
  const ms = Number(process.env.VETHWATCH_STREAM_HEARTBEAT_MS);
  return Number.isInteger(ms) && ms >= 10 ? ms : HEARTBEAT_MS;
}

const open = new Set<() => void>();
const perClient = new Map<string, number>();
let slots = 0;

/** Takes a stream slot for `client`, or throws; the returned function gives it back (once). */
function takeSlot(client: string, limits: StreamLimits): () => void {
  const mine = perClient.get(client) ?? 0;
  if (mine >= limits.perClient) throw new TooManyStreamsError(limits.perClient);
  if (slots >= limits.max) throw new StreamsFullError(limits.max);
  perClient.set(client, mine + 1);
  slots++;
  let given = false;
  return () => {
    if (given) return;
    given = true;
    slots--;
    const left = (perClient.get(client) ?? 1) - 1;
    if (left <= 0) perClient.delete(client);
    else perClient.set(client, left);
  };
}

/** Ends every open stream (server shutdown): clients reconnect elsewhere with their Last-Event-ID. */
export function endEventStreams(): void {
  for (const end of [...open]) end();
}

export function openEventStreamCount(): number {
  return open.size;
}

function parseStreamRequest(req: IncomingMessage): { node: string | null; lastEventId: number | null } {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const header = req.headers['last-event-id'];
  const raw = {
    node: url.searchParams.get('node') ?? undefined,
    // The header is what EventSource sends when it reconnects, so it wins over the query fallback.
    lastEventId: (Array.isArray(header) ? header[0] : header)?.trim() || (url.searchParams.get('lastEventId') ?? undefined),
  };
  const parsed = streamQuerySchema.safeParse(raw);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, 'stream parameters failed validation');
  return { node: parsed.data.node ?? null, lastEventId: parsed.data.lastEventId === undefined ? null : Number(parsed.data.lastEventId) };
}

/**
 * Where a resume from `lastEventId` starts: at the client's cursor when the store still holds everything after
 * it and that is at most MAX_REPLAY events; otherwise null (the client must reset) with the newest id to follow.
 */
async function resumePoint(store: Store, lastEventId: number, node: string | null): Promise<{ cursor: number } | { reset: string; cursor: number }> {
  const [oldest, newest] = await Promise.all([store.listEvents({ order: 'asc', limit: 1 }), store.listEvents({ order: 'desc', limit: 1 })]);
  const newestId = newest[0]?.id ?? 0;
  if (lastEventId > newestId) return { reset: 'the last event id is not one this server has stored', cursor: newestId };
  // Ids are given in increasing order; any id between the cursor and the oldest kept one was pruned unseen.
  if (oldest[0] && lastEventId < oldest[0].id - 1) return { reset: 'events after the last event id were removed by retention', cursor: newestId };
  const after = await store.listEvents({ afterId: lastEventId, ...(node !== null ? { node } : {}), order: 'asc', limit: MAX_REPLAY + 1 });
  if (after.length > MAX_REPLAY) return { reset: `more than ${MAX_REPLAY} events were missed`, cursor: newestId };
  return { cursor: lastEventId };
}

function frame(e: NodeEvent): string {
  // JSON.stringify escapes newlines, so the data is one line.
  return `id: ${e.id}\ndata: ${JSON.stringify(toHistoryEvent(e))}\n\n`;
}

export async function handleStreamRequest(req: IncomingMessage, res: ServerResponse, deps: StreamDeps): Promise<void> {
  let params: ReturnType<typeof parseStreamRequest>;
  let store: Store;
  let giveBack: () => void = () => undefined;
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new MethodNotAllowedError(['GET']);
    params = parseStreamRequest(req);
    // Taken before the first await, so a burst of connections cannot all pass the check together.
    giveBack = takeSlot(req.socket.remoteAddress ?? '', deps.limits ?? DEFAULT_STREAM_LIMITS);
    store = await deps.store();
  } catch (err) {
    giveBack();
    sendError(res, err);
    return;
  }
  const { node, lastEventId } = params;

  let closed = false;
  /** Headers are out: until then a ring is only remembered (the first pump runs right after them). */
  let started = false;
  let dirty = false;
  let pumping = false;
  let cursor = 0;
  let heartbeat: NodeJS.Timeout | undefined;

  const end = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearInterval(heartbeat);
    open.delete(end);
    giveBack();
    if (!res.writableEnded) res.end();
  };

  const drained = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });

  const pump = async () => {
    if (pumping || !started) {
      dirty = true;
      return;
    }
    pumping = true;
    try {
      do {
        dirty = false;
        for (;;) {
          if (closed) return;
          const rows = await store.listEvents({ afterId: cursor, ...(node !== null ? { node } : {}), order: 'asc', limit: PAGE_SIZE });
          if (closed) return;
          let ok = true;
          for (const e of rows) ok = res.write(frame(e)) && ok;
          if (rows.length > 0) cursor = rows[rows.length - 1].id;
          if (!ok) await drained();
          if (rows.length < PAGE_SIZE) break;
        }
      } while (dirty && !closed);
    } catch (err) {
      // The client reconnects with its Last-Event-ID and resumes where the store is readable again.
      getLogger().error({ err }, 'vethwatch: event stream failed');
      end();
    } finally {
      pumping = false;
    }
  };

  // Subscribe before reading the cursor: whatever commits after the read rings the bell.
  const unsubscribe = deps.bus.subscribe((events) => {
    if (closed) return;
    if (node === null || events.some((e) => e.node === node)) void pump();
  });
  req.on('close', end);
  res.on('close', end);
  open.add(end);
  // The client may have gone while the store opened: its close events are past, so end (and give back) now.
  if (req.socket.destroyed) {
    end();
    return;
  }

  let reset: string | null = null;
  try {
    if (lastEventId !== null) {
      const point = await resumePoint(store, lastEventId, node);
      cursor = point.cursor;
      if ('reset' in point) reset = point.reset;
    } else cursor = (await store.listEvents({ order: 'desc', limit: 1 }))[0]?.id ?? 0;
  } catch (err) {
    end();
    sendError(res, err);
    return;
  }
  if (closed) return;

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store, no-transform',
    connection: 'keep-alive',
    // Proxies such as nginx would otherwise hold events back in their buffers.
    'x-accel-buffering': 'no',
  });
  if (req.method === 'HEAD') {
    end();
    return;
  }
  // A fresh client learns the cursor at once (an id-only message sets EventSource's lastEventId without firing
  // an event), so even a reconnect before its first event resumes without a gap.
  res.write(`retry: ${RETRY_MS}\n: connected\n${lastEventId === null ? `id: ${cursor}\n` : ''}\n`);
  // The id moves the client's cursor to where this stream follows from, so its next resume is not refused again.
  if (reset !== null) res.write(`event: ${RESET_EVENT}\nid: ${cursor}\ndata: ${JSON.stringify({ reason: reset, lastEventId: cursor })}\n\n`);
  heartbeat = setInterval(() => {
    if (closed) return;
    res.write(': heartbeat\n\n');
    void pump();
  }, deps.heartbeatMs ?? heartbeatFromEnv());
  heartbeat.unref();
  started = true;
  await pump();
}
