// The start-up check of the operator-auth settings.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServerLogger, getLogger, setLogger } from '../log/logger';
import { authConfigFromEnv, checkAuthConfig } from './config';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('auth configuration', () => {
  it('reads the session lifetime in hours, 12 by default', () => {
    expect(authConfigFromEnv({}).sessionTtlMs).toBe(12 * 3_600_000);
    expect(authConfigFromEnv({ VETHWATCH_SESSION_TTL_HOURS: '1.5' }).sessionTtlMs).toBe(5_400_000);
    for (const bad of ['0', '-1', 'twelve', '1e3', '721']) {
      expect(() => authConfigFromEnv({ VETHWATCH_SESSION_TTL_HOURS: bad }), bad).toThrow(/VETHWATCH_SESSION_TTL_HOURS must be a number of hours/);
    }
  });

  it('reads VETHWATCH_PUBLIC_URL, refusing anything but an absolute http(s) URL', () => {
    expect(authConfigFromEnv({ VETHWATCH_PUBLIC_URL: 'https://vw.example.com' }).publicUrl?.origin).toBe('https://vw.example.com');
    expect(() => authConfigFromEnv({ VETHWATCH_PUBLIC_URL: 'vw.example.com' })).toThrow(/absolute URL/);
    expect(() => authConfigFromEnv({ VETHWATCH_PUBLIC_URL: 'ftp://vw.example.com' })).toThrow(/http: or https:/);
  });

  it('says at start-up who can be an operator, without secrets, or that everyone is a viewer', () => {
    const line = checkAuthConfig({ VETHWATCH_OPERATOR_TOKEN: 'a-long-enough-token-0123', VETHWATCH_TRUSTED_PROXY: '10.0.0.5' });
    expect(line).toBe('operator access: operators operator; proxy users in group vethwatch-operators from 10.0.0.5; sessions last 12 h');
    expect(line).not.toContain('a-long-enough-token');
    expect(checkAuthConfig({})).toMatch(/no operator credential .* is configured: everyone is a viewer/);
    expect(() => checkAuthConfig({ VETHWATCH_OPERATOR_TOKEN: 'short' })).toThrow(/shorter than 16/);
    expect(() => checkAuthConfig({ VETHWATCH_TRUSTED_PROXY: 'true' })).toThrow(/list the proxy's addresses/);
  });
});

describe('the operators file while the server runs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-authcfg-'));
  const file = path.join(dir, 'operators');
  const saved = { file: process.env.VETHWATCH_OPERATORS_FILE, token: process.env.VETHWATCH_OPERATOR_TOKEN };
  afterAll(() => {
    for (const [k, v] of [['VETHWATCH_OPERATORS_FILE', saved.file], ['VETHWATCH_OPERATOR_TOKEN', saved.token]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  let tick = 1_700_000_000;
  const write = (text: string) => {
    fs.writeFileSync(file, text);
    fs.utimesSync(file, ++tick, tick); // a new mtime even within the file system's timestamp granularity
  };
  const names = () => authConfigFromEnv().operators.map((o) => o.name);

  it('takes an edit at the next request, and fails closed (logged) when the file turns invalid', () => {
    write(`alice: ${sha('alice-token-0123456789')}\nbob: ${sha('bob-token-0123456789')}\n`);
    process.env.VETHWATCH_OPERATORS_FILE = file;
    delete process.env.VETHWATCH_OPERATOR_TOKEN;
    expect(names()).toEqual(['alice', 'bob']);
    expect(authConfigFromEnv()).toBe(authConfigFromEnv()); // kept while nothing changes
    write(`alice: ${sha('alice-token-0123456789')}\n`);
    expect(names()).toEqual(['alice']);

    const lines: string[] = [];
    const before = getLogger();
    setLogger(createServerLogger({ destination: { write: (l: string) => void lines.push(l) } }));
    try {
      write('alice: the-token-itself-by-mistake\n');
      expect(names()).toEqual([]);
    } finally {
      setLogger(before);
    }
    expect(lines.join('')).toMatch(/alice's credential must be the SHA-256 .*until this is fixed no operator token is accepted/);
    expect(lines.join('')).not.toContain('the-token-itself-by-mistake');
    write(`carol: ${sha('carol-token-0123456789')}\n`);
    expect(names()).toEqual(['carol']);
  });
});
