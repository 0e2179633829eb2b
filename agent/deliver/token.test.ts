// A rotating --token-file: the token is read again before each send, and once more after a 401.
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendReport } from './send';
import { tokenFromFile } from './token';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-token-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('tokenFromFile', () => {
  it('reads the file each time, keeps the last good token through a missing or empty file', () => {
    const file = path.join(dir, 'token');
    fs.writeFileSync(file, 'one\n');
    const token = tokenFromFile(file);
    expect(token()).toBe('one');
    fs.writeFileSync(file, 'two');
    expect(token()).toBe('two');
    fs.writeFileSync(file, '');
    expect(token()).toBe('two');
    fs.rmSync(file);
    expect(token()).toBe('two');
    expect(() => tokenFromFile(path.join(dir, 'never'))()).toThrow(/no token could be read/);
  });
});

describe('sendReport with a rotating token file', () => {
  let server: Server;
  let base: URL;
  let valid = 'first';
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      req.resume();
      req.on('end', () => {
        const ok = req.headers.authorization === `Bearer ${valid}`;
        res.writeHead(ok ? 202 : 401, { 'content-type': 'application/json' });
        res.end(JSON.stringify(ok ? { accepted: true, duplicate: false } : { error: 'invalid bearer token' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('sends the current token each time and retries once with a token rotated after its read', async () => {
    const file = path.join(dir, 'sa-token');
    fs.writeFileSync(file, 'first');
    const token = tokenFromFile(file);
    const send = () => sendReport({ server: base, token, body: '{}', timeoutMs: 5000 });
    expect(await send()).toMatchObject({ kind: 'accepted', status: 202 });

    // The kubelet rotates the file; the next send uses the new token.
    fs.writeFileSync(file, 'second');
    valid = 'second';
    expect(await send()).toMatchObject({ kind: 'accepted' });
    expect(seen.slice(-1)).toEqual(['Bearer second']);

    // A token that went bad before the file changed: 401 and no retry (the re-read gives the same token).
    valid = 'third';
    seen.length = 0;
    expect(await send()).toMatchObject({ kind: 'refused', status: 401 });
    expect(seen).toEqual(['Bearer second']);

    // Rotated between the read and the server's check: the 401 makes it read again and retry at once.
    seen.length = 0;
    let reads = 0;
    const racing = () => (++reads === 1 ? 'second' : 'third');
    expect(await sendReport({ server: base, token: racing, body: '{}', timeoutMs: 5000 })).toMatchObject({ kind: 'accepted' });
    expect(seen).toEqual(['Bearer second', 'Bearer third']);
  });
});
