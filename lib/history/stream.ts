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
// which forwarding the bus's own payloads would get wrong. The heartbeat also polls the store, so events another
// replica stored still arrive (within a heartbeat) should the LISTEN/NOTIFY relay (lib/events/pgRelay.ts) miss them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { EventBus } from '../events/bus';
import type { NodeEvent } from '../events/types';
import { MethodNotAllowedError, ValidationError } from '../http/errors';
import { sendError } from '../http/node';
import type { Store } from '../store';
import { toHistoryEvent } from './entries';
import { getLogger } from '../log/logger';

export const STREAM_PATH = '/api/v1/stream';
export const HEARTBEAT_MS = 15_000;
/** Tells EventSource how soon to reconnect after the connection drops. */
export const RETRY_MS = 3000;
const PAGE_SIZE = 500;

const streamQuerySchema = z.object({
  node: z.string().min(1).max(253).optional(),
  lastEventId: z.string().regex(/^\d{1,15}$/, 'a non-negative event id').optional(),
});

export interface StreamDeps {
  store: () => Promise<Store>;
  bus: EventBus;
  /** Default: VETHWATCH_STREAM_HEARTBEAT_MS, else HEARTBEAT_MS. */
  heartbeatMs?: number;
}

function heartbeatFromEnv(): number {
  const ms = Number(process.env.VETHWATCH_STREAM_HEARTBEAT_MS);
  return Number.isInteger(ms) && ms >= 10 ? ms : HEARTBEAT_MS;
}

const open = new Set<() => void>();

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

function frame(e: NodeEvent): string {
  // JSON.stringify escapes newlines, so the data is one line.
  return `id: ${e.id}\ndata: ${JSON.stringify(toHistoryEvent(e))}\n\n`;
}

export async function handleStreamRequest(req: IncomingMessage, res: ServerResponse, deps: StreamDeps): Promise<void> {
  let params: ReturnType<typeof parseStreamRequest>;
  let store: Store;
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new MethodNotAllowedError(['GET']);
    params = parseStreamRequest(req);
    store = await deps.store();
  } catch (err) {
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

  try {
    if (lastEventId !== null) cursor = lastEventId;
    else cursor = (await store.listEvents({ order: 'desc', limit: 1 }))[0]?.id ?? 0;
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
  heartbeat = setInterval(() => {
    if (closed) return;
    res.write(': heartbeat\n\n');
    void pump();
  }, deps.heartbeatMs ?? heartbeatFromEnv());
  heartbeat.unref();
  started = true;
  await pump();
}
