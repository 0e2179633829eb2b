// Test support: a minimal EventSource over fetch, recording what a browser would see.
import type { StreamEvent } from '../types';

/** A minimal EventSource: parses the stream as the HTML spec does (id-only messages update lastEventId). */
export class SseClient {
  readonly events: { id: number; data: StreamEvent }[] = [];
  /** Events with an `event:` name (a browser fires them on addEventListener(name), not onmessage). */
  readonly named: { event: string; id: string | null; data: unknown }[] = [];
  comments: string[] = [];
  lastEventId: string | null = null;
  retry: number | null = null;
  status = 0;
  #abort = new AbortController();
  #done: Promise<void>;

  private constructor(res: Response) {
    this.status = res.status;
    this.#done = this.#read(res);
  }

  static async connect(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const abort = new AbortController();
    const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
    const client = new SseClient(res);
    client.#abort = abort;
    return client;
  }

  async #read(res: Response): Promise<void> {
    if (!res.body) return;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let idBuffer: string | null = this.lastEventId;
    let data: string[] = [];
    let eventName = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line === '') {
            this.lastEventId = idBuffer;
            if (data.length > 0 && eventName && eventName !== 'message') this.named.push({ event: eventName, id: idBuffer, data: JSON.parse(data.join('\n')) });
            else if (data.length > 0) this.events.push({ id: Number(idBuffer), data: JSON.parse(data.join('\n')) as StreamEvent });
            data = [];
            eventName = '';
          } else if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
          else {
            const i = line.indexOf(':');
            const field = i === -1 ? line : line.slice(0, i);
            const val = i === -1 ? '' : line.slice(i + 1).replace(/^ /, '');
            if (field === 'id') idBuffer = val;
            else if (field === 'data') data.push(val);
            else if (field === 'event') eventName = val;
            else if (field === 'retry') this.retry = Number(val);
          }
        }
      }
    } catch {
      // aborted
    }
  }

  ids(): number[] {
    return this.events.map((e) => e.id);
  }

  async close(): Promise<void> {
    this.#abort.abort();
    await this.#done;
  }
}
