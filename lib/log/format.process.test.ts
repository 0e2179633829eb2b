// The log format the real server picks at start-up: JSON lines when its stdout is a pipe (containers, the test
// harness), readable lines when it is a terminal (a person running `npm start`; here a pseudo-terminal from
// util-linux `script`).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, spawnServer, waitForExit } from '../../test/support/serverProcess';

const dirs: string[] = [];
function env(): NodeJS.ProcessEnv {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-logfmt-'));
  dirs.push(dir);
  return {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    VETHWATCH_NEXT: '0',
    VETHWATCH_KUBE: '0',
    VETHWATCH_EXECUTOR: 'none',
    VETHWATCH_DB: path.join(dir, 'db.sqlite'),
    VETHWATCH_AGENT_TOKEN: 'log-format-test-token',
  };
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('server log format', () => {
  it('writes JSON lines when stdout is a pipe', async () => {
    const server = await spawnServer({ env: env() });
    try {
      const lines = server.output().split('\n').filter(Boolean);
      const ready = lines.find((l) => l.includes('vethwatch listening on'))!;
      expect(JSON.parse(ready)).toMatchObject({ level: 'info', component: 'vethwatch-server' });
      for (const l of lines) expect(() => JSON.parse(l), l).not.toThrow();
    } finally {
      await server.stop();
    }
  });

  it('writes readable lines when stdout is a terminal', async () => {
    // script(1) runs the server on a pseudo-terminal and copies what it prints to our pipe.
    const child = spawn('script', ['-qefc', `${process.execPath} --import tsx server/main.ts`, '/dev/null'], {
      cwd: REPO_ROOT,
      env: env(),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (out += s));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready line within 45 s:\n${out}`)), 45_000);
        const check = () => {
          if (/vethwatch listening on/.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout!.on('data', check);
        child.once('exit', () => reject(new Error(`exited:\n${out}`)));
      });
      // eslint-disable-next-line no-control-regex
      const plain = out.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '');
      expect(plain).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: vethwatch listening on http:\/\/127\.0\.0\.1:\d+ /m);
      expect(plain.split('\n').some((l) => l.startsWith('{"level"'))).toBe(false);
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      if (!(await waitForExit(child, 10_000))) process.kill(-child.pid!, 'SIGKILL');
    }
  });
});
