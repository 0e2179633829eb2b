// The listeners: the people/agent split over real HTTP (the custom server as a child process), and, in process on
// real sockets, the limits every listener gets (slow request heads are cut, connections are capped, idle agents
// keep their connection for 65 s), the peer headers routes may trust, and the origins handed to the CSRF check.
import fs from 'node:fs';
import { request, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '@/lib/report/fixtures';
import { LISTENER_HEADER, PEER_ADDRESS_HEADER } from '@/lib/http/peer';
import { createListener, DEFAULT_LIMITS, listen, listenerOrigins, setPeerHeaders } from '@/server/listeners';
import { serverConfigFromEnv } from '@/server/config';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';

const TOKEN = 'listeners-test-token-0123456789';

describe('VETHWATCH_AGENT_PORT: agents and people on separate listeners', () => {
  let server: ServerProcess;
  let dir: string;
  let people: string;
  let agents: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-listeners-'));
    server = await startServerProcess({
      HOME: dir,
      VETHWATCH_AGENT_PORT: '0',
      VETHWATCH_KUBE: '0',
      VETHWATCH_DB: path.join(dir, 'db.sqlite'),
      VETHWATCH_AGENT_TOKEN: TOKEN,
    });
    people = server.url;
    agents = /vethwatch agents listening on (http:\/\/\S+)/.exec(server.output())![1];
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const report = (node: string) =>
    fetch(`${agents}/api/v1/reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(buildReport({ node })),
    });

  it('listen on two different ports; the origin check is given the people listener\'s origins, both spellings', () => {
    expect(new URL(agents).port).not.toBe(new URL(people).port);
    const { port } = new URL(people);
    const line = server
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { origins?: string[] })
      .find((l) => l.origins);
    expect(line?.origins).toEqual([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  });

  it('the agent port takes reports and answers the probes, and 404 for everything else', async () => {
    expect((await report('node-split')).status).toBe(202);
    for (const p of ['/healthz', '/readyz']) expect((await fetch(`${agents}${p}`)).status, p).toBe(200);
    for (const p of ['/', '/api/v1/nodes', '/api/v1/nodes/node-split', '/api/v1/stream', '/api/v1/me', '/api/v1/session', '/metrics', '/nodes/node-split']) {
      const res = await fetch(`${agents}${p}`);
      expect(res.status, p).toBe(404);
      await res.body?.cancel();
    }
    expect((await fetch(`${agents}/api/v1/session`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('the people port serves the UI API and the probes, and 404 for the agent paths', async () => {
    const res = await fetch(`${people}/api/v1/nodes/node-split`);
    expect(res.status).toBe(200);
    for (const p of ['/healthz', '/readyz', '/api/v1/nodes', '/metrics']) expect((await fetch(`${people}${p}`)).status, p).toBe(200);
    const refused = await fetch(`${people}/api/v1/reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(buildReport({ node: 'node-people' })),
    });
    expect(refused.status).toBe(404);
    expect((await fetch(`${people}/api/v1/agent/remediations`)).status).toBe(404);
    expect((await fetch(`${people}/api/v1/nodes/node-people`)).status).toBe(404); // nothing was stored
  });
});

describe('one listener by default', () => {
  it('has no agent port unless VETHWATCH_AGENT_PORT is set, and keeps the 65 s keep-alive for agents', () => {
    const config = serverConfigFromEnv({});
    expect(config.agentPort).toBeNull();
    expect(serverConfigFromEnv({ VETHWATCH_AGENT_PORT: '3001' }).agentPort).toBe(3001);
    expect(config.limits.keepAliveTimeoutMs).toBe(65_000);
    expect(config.limits.maxConnections).toBe(2000);
    expect(serverConfigFromEnv({ VETHWATCH_MAX_CONNECTIONS: '17' }).limits.maxConnections).toBe(17);
    expect(config.streams).toEqual({ perClient: 100, max: 1000 });
    expect(() => serverConfigFromEnv({ VETHWATCH_STREAMS_MAX: '0' })).toThrow(/VETHWATCH_STREAMS_MAX/);
  });
});

describe('listener limits and socket facts (in process, real sockets)', () => {
  let server: Server | null = null;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = null;
  });

  const echo = (role: 'people' | 'agent' | 'both') =>
    createListener(
      (req, res) => {
        setPeerHeaders(req, role);
        req.resume(); // read the whole body, then answer
        req.on('end', () => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ headers: req.headers, raw: req.rawHeaders }));
        });
      },
      { ...DEFAULT_LIMITS, headersTimeoutMs: 400, requestTimeoutMs: 800, checkIntervalMs: 50, maxConnections: 3 },
    );

  const open = (url: string): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const u = new URL(url);
      const s = connect({ port: Number(u.port), host: u.hostname }, () => resolve(s));
      s.on('error', reject);
      sockets.push(s);
    });
  const closed = (s: Socket): Promise<number> => {
    const t0 = Date.now();
    return new Promise((resolve) => {
      if (s.destroyed) return resolve(0);
      s.on('close', () => resolve(Date.now() - t0));
      s.resume();
    });
  };

  it('replaces client-sent peer and listener headers with the socket facts', async () => {
    server = echo('people');
    const url = await listen(server, 0, '127.0.0.1');
    const body = await new Promise<{ headers: IncomingHttpHeaders; raw: string[] }>((resolve, reject) => {
      const req = request(
        url,
        { localAddress: '127.0.0.9', headers: { [PEER_ADDRESS_HEADER]: '10.9.9.9', [LISTENER_HEADER]: 'agent', 'X-VethWatch-Peer-Address': '10.8.8.8' } },
        (res) => {
          let t = '';
          res.on('data', (d) => (t += d));
          res.on('end', () => resolve(JSON.parse(t)));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(body.headers[PEER_ADDRESS_HEADER]).toBe('127.0.0.9');
    expect(body.headers[LISTENER_HEADER]).toBe('people');
    const raw = body.raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(raw.filter((n) => n === PEER_ADDRESS_HEADER)).toHaveLength(1);
    expect(body.raw.join('\n')).not.toMatch(/10\.[98]\.[98]\.[98]/);
  });

  it('cuts a client that never finishes its request head (headersTimeout)', async () => {
    server = echo('both');
    const url = await listen(server, 0, '127.0.0.1');
    const s = await open(url);
    s.write('GET / HTTP/1.1\r\nHost: x\r\n'); // ... and never the blank line
    const after = await closed(s);
    expect(after).toBeLessThan(5000);
  });

  it('cuts a client that sends its body too slowly (requestTimeout)', async () => {
    server = echo('both');
    const url = await listen(server, 0, '127.0.0.1');
    const s = await open(url);
    s.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n');
    const drip = setInterval(() => !s.destroyed && s.write('x'), 100);
    let answer = '';
    s.on('data', (d) => (answer += d));
    await closed(s);
    clearInterval(drip);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes connections past maxConnections at once', async () => {
    server = echo('both');
    const url = await listen(server, 0, '127.0.0.1');
    const held = [await open(url), await open(url), await open(url)];
    const fourth = await open(url);
    expect(await closed(fourth)).toBeLessThan(2000);
    // The three within the cap still get answers.
    held[0].write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const first = await new Promise<string>((resolve) => held[0].once('data', (d) => resolve(String(d))));
    expect(first).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('keeps idle kept-alive connections for the keep-alive timeout, not node\'s 5 s', () => {
    server = createListener(() => undefined, DEFAULT_LIMITS);
    expect(server.keepAliveTimeout).toBe(65_000);
    expect(server.headersTimeout).toBe(20_000);
    expect(server.requestTimeout).toBe(60_000);
    expect(server.maxConnections).toBe(2000);
  });
});

describe('listenerOrigins', () => {
  it('names both loopback spellings for a loopback or wildcard listener, else the address itself', () => {
    expect(listenerOrigins('127.0.0.1', 3000)).toEqual(['http://127.0.0.1:3000', 'http://localhost:3000']);
    expect(listenerOrigins('localhost', 3000)).toEqual(['http://127.0.0.1:3000', 'http://localhost:3000']);
    expect(listenerOrigins('::1', 3000)).toEqual(['http://127.0.0.1:3000', 'http://localhost:3000', 'http://[::1]:3000']);
    expect(listenerOrigins('0.0.0.0', 8080)).toEqual(['http://127.0.0.1:8080', 'http://localhost:8080']);
    expect(listenerOrigins('10.0.0.5', 3000)).toEqual(['http://10.0.0.5:3000']);
    expect(listenerOrigins('fd00::5', 3000)).toEqual(['http://[fd00::5]:3000']);
  });
});
