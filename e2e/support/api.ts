// Talks to a running server the way an agent and the dashboard do: POST reports with the bearer token, GET the
// read API.
import type { FleetView, NodeDetail } from '../../lib/nodes/types';

export interface PostOptions {
  /** Bearer token to send; null sends no Authorization header. Defaults to the server's token. */
  token?: string | null;
  contentType?: string;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export class Api {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  /** Posts a report (any value is JSON-encoded; a string is sent as is, to test bodies that are not JSON). */
  async postReport(report: unknown, options: PostOptions = {}): Promise<ApiAnswer> {
    const token = options.token === undefined ? this.token : options.token;
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${this.url}/api/v1/reports`, {
      method: 'POST',
      headers,
      body: typeof report === 'string' ? report : JSON.stringify(report),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: keep the text for the failure message.
    }
    return { status: res.status, body };
  }

  /** Posts a report and fails loudly unless the server accepted it. */
  async accept(report: unknown): Promise<void> {
    const answer = await this.postReport(report);
    if (answer.status !== 202 && answer.status !== 200) {
      throw new Error(`report was not accepted: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  }

  async fleet(): Promise<FleetView> {
    const res = await fetch(`${this.url}/api/v1/nodes`, { headers: { accept: 'application/json' } });
    if (res.status !== 200) throw new Error(`GET /api/v1/nodes answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as FleetView;
  }

  /** The node's detail, or the status code when there is none. */
  async node(name: string): Promise<NodeDetail | number> {
    const res = await fetch(`${this.url}/api/v1/nodes/${encodeURIComponent(name)}`, {
      headers: { accept: 'application/json' },
    });
    if (res.status !== 200) return res.status;
    return (await res.json()) as NodeDetail;
  }
}
