'use client';
// The tab's one EventSource on /api/v1/stream, and the header's indicator of its state. Events are batched for
// a moment and written into the query cache (applyEvents). EventSource reconnects by itself and sends
// Last-Event-ID, so the server replays what was missed; when the browser gives up (the server answered with an
// error), a new connection resumes from the last id seen via ?lastEventId=.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { StreamEvent } from '../../lib/history/types';
import { applyEvents } from './applyEvents';
import { setLiveStatus, useLiveStatus, type LiveStatus } from './status';

export const STREAM_URL = '/api/v1/stream';
/** Events arriving within this window are applied together (one refetch per node, not one per event). */
const BATCH_MS = 100;
const RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

function useLiveStream() {
  const client = useQueryClient();
  useEffect(() => {
    let source: EventSource | null = null;
    let lastId: string | null = null;
    let retry = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let batchTimer: ReturnType<typeof setTimeout> | undefined;
    let pending: StreamEvent[] = [];
    let stopped = false;

    const flush = () => {
      batchTimer = undefined;
      const batch = pending;
      pending = [];
      void applyEvents(client, batch);
    };

    const connect = () => {
      const url = lastId === null ? STREAM_URL : `${STREAM_URL}?lastEventId=${encodeURIComponent(lastId)}`;
      const es = new EventSource(url);
      source = es;
      es.onopen = () => {
        retry = 0;
        setLiveStatus('live');
      };
      es.onmessage = (msg) => {
        if (msg.lastEventId) lastId = msg.lastEventId;
        let event: StreamEvent;
        try {
          event = JSON.parse(msg.data) as StreamEvent;
        } catch {
          return; // Not an event (a server bug): nothing to apply, and no reason to drop the connection.
        }
        if (typeof event?.node !== 'string') return;
        pending.push(event);
        batchTimer ??= setTimeout(flush, BATCH_MS);
      };
      // The server could not replay what was missed (too much, or pruned): refetch everything shown, then follow.
      es.addEventListener('reset', (msg) => {
        if ((msg as MessageEvent).lastEventId) lastId = (msg as MessageEvent).lastEventId;
        void client.invalidateQueries();
      });
      es.onerror = () => {
        if (es.readyState === EventSource.CONNECTING) {
          setLiveStatus('reconnecting');
          return;
        }
        // CLOSED: the browser will not retry (an HTTP error, a wrong content type). Try again later ourselves.
        es.close();
        setLiveStatus('offline');
        if (stopped) return;
        retryTimer = setTimeout(connect, RETRY_MS[Math.min(retry++, RETRY_MS.length - 1)]);
      };
    };

    const onOffline = () => setLiveStatus('offline');
    const onOnline = () => {
      if (source?.readyState === EventSource.CLOSED) {
        clearTimeout(retryTimer);
        connect();
      }
    };
    window.addEventListener('offline', onOffline);
    window.addEventListener('online', onOnline);
    connect();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      clearTimeout(batchTimer);
      source?.close();
      window.removeEventListener('offline', onOffline);
      window.removeEventListener('online', onOnline);
    };
  }, [client]);
}

const TEXT: Record<LiveStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

const TITLE: Record<LiveStatus, string> = {
  connecting: 'Connecting to the live event stream',
  live: 'Changes reported by agents appear on this page as they arrive',
  reconnecting: 'The live event stream dropped; reconnecting. The page still refreshes every 10 s.',
  offline: 'No live event stream. The page still refreshes every 10 s while the server answers.',
};

/** Mount once per tab (in the site header): opens the stream and says whether it is up, in words and shape. */
export function LiveConnection() {
  useLiveStream();
  const status = useLiveStatus();
  return (
    <p className={`live-indicator live-${status}`} role="status" title={TITLE[status]}>
      <span className="live-dot" aria-hidden="true" />
      {TEXT[status]}
    </p>
  );
}
