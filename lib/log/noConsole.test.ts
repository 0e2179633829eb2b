// Every server log line goes through the pino logger (lib/log/logger.ts), so it is JSON in containers, readable at a
// terminal, and levelled: no console.* in production code under lib/, server/ or app/. The agent's CLI output
// (agent/) is separate, as are tests and test support.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const CONSOLE_CALL = /\bconsole\s*\.\s*(log|error|warn|info|debug|trace|dir|table)\b/;
// Printed tables of `npm run bench` (bench/run.ts), a command-line tool's output rather than server logs.
const ALLOWED = new Set(['lib/history/bench.ts']);

function productionFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (e.name !== 'testing' && e.name !== 'node_modules') out.push(...productionFiles(rel));
    } else if (/\.(ts|tsx|mjs|js)$/.test(e.name) && !/\.test\.(ts|tsx)$/.test(e.name) && !/testSupport\.ts$/.test(e.name)) {
      out.push(rel);
    }
  }
  return out;
}

describe('server logging', () => {
  it('has no console.* call in production code under lib/, server/ and app/', () => {
    const files = ['lib', 'server', 'app'].flatMap(productionFiles);
    expect(files.length).toBeGreaterThan(50);
    const offenders = files
      .filter((f) => !ALLOWED.has(f))
      .flatMap((f) =>
        fs
          .readFileSync(path.join(ROOT, f), 'utf8')
          .split('\n')
          .map((line, i) => ({ line: line.trim(), at: `${f}:${i + 1}` }))
          .filter(({ line }) => CONSOLE_CALL.test(line) && !line.startsWith('//') && !line.startsWith('*')),
      )
      .map(({ at, line }) => `${at}: ${line}`);
    expect(offenders).toEqual([]);
  });
});
