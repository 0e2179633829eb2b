// The closing summary CI reads, run as CI runs it (node scripts/summarize-tests.mjs <dir>) on small result files
// shaped like vitest's and Playwright's JSON reporters write them.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const SCRIPT = path.resolve(import.meta.dirname, 'summarize-tests.mjs');

let root: string;
let results: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'vw-summary-'));
  results = path.join(root, 'results');
  mkdirSync(results);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const write = (file: string, data: unknown) => writeFileSync(path.join(results, file), typeof data === 'string' ? data : JSON.stringify(data));
const allow = (skips: unknown) => writeFileSync(path.join(root, 'allowed-skips.json'), JSON.stringify({ skips }));

function summary() {
  const r = spawnSync(process.execPath, [SCRIPT, results, '--root', root, '--allowed-skips', path.join(root, 'allowed-skips.json')], { encoding: 'utf8' });
  const lines = r.stdout.trimEnd().split('\n');
  return { code: r.status, last: lines.at(-1), out: r.stdout };
}

const a = (ancestorTitles: string[], title: string, status: string) => ({ ancestorTitles, title, fullName: [...ancestorTitles, title].join(' '), status, failureMessages: [] });

function vitest(file: string, assertionResults: unknown[], status = 'passed') {
  return { numPassedTests: 0, numFailedTests: 0, testResults: [{ name: path.join(root, file), status, assertionResults }] };
}

function playwright(specs: Array<{ title: string; status: string; describe?: string }>) {
  const spec = (s: { title: string; status: string }) => ({ title: s.title, file: 'a.spec.ts', tests: [{ projectName: '', status: s.status, results: [] }] });
  const count = (st: string) => specs.filter((s) => s.status === st).length;
  return {
    config: { rootDir: path.join(root, 'e2e') },
    suites: [
      {
        title: 'a.spec.ts',
        file: 'a.spec.ts',
        specs: specs.filter((s) => !s.describe).map(spec),
        suites: [...new Set(specs.filter((s) => s.describe).map((s) => s.describe!))].map((d) => ({
          title: d,
          file: 'a.spec.ts',
          specs: specs.filter((s) => s.describe === d).map(spec),
        })),
      },
    ],
    errors: [],
    stats: { expected: count('expected'), unexpected: count('unexpected'), flaky: count('flaky'), skipped: count('skipped') },
  };
}

describe('summarize-tests', () => {
  it('sums passes and failures over every runner; exits 0 only when nothing failed', () => {
    allow([]);
    write('step-typecheck.json', { name: 'typecheck', ok: true });
    write('vitest-unit.json', vitest('lib/x.test.ts', [a(['x'], 'one', 'passed'), a(['x'], 'two', 'passed')]));
    write('playwright.json', playwright([{ title: 'p', status: 'expected' }, { title: 'f', status: 'flaky' }]));
    expect(summary()).toMatchObject({ code: 0, last: '5 passed, 0 failed' });

    write('vitest-host.json', vitest('agent/h.host.test.ts', [a([], 'h', 'failed')]));
    expect(summary()).toMatchObject({ code: 1, last: '5 passed, 1 failed' });
  });

  it('counts a suite that failed to load, unreadable results and Playwright errors as failures', () => {
    allow([]);
    write('vitest-unit.json', vitest('lib/broken.test.ts', [], 'failed'));
    write('vitest-host.json', '{ not json');
    write('playwright.json', { ...playwright([{ title: 'p', status: 'expected' }]), errors: [{ message: 'config' }] });
    expect(summary()).toMatchObject({ code: 1, last: '1 passed, 3 failed' });
  });

  it('prints skipped and todo tests, and fails on each one not in the allow-list (vitest)', () => {
    allow([]);
    write('vitest-unit.json', vitest('lib/x.test.ts', [a(['x'], 'runs', 'passed'), a(['x'], 'later', 'skipped'), a(['x', 'inner'], 'someday', 'todo')]));
    const s = summary();
    expect(s.last).toBe('1 passed, 2 failed, 2 skipped');
    expect(s.code).toBe(1);
    expect(s.out).toContain('vitest-unit: 1 passed, 0 failed, 2 skipped');
    expect(s.out).toContain('not in allowed-skips.json, counted as one failure: lib/x.test.ts > x > later');
    expect(s.out).toContain('todo and not in allowed-skips.json, counted as one failure: lib/x.test.ts > x > inner > someday');
  });

  it('prints skipped tests, and fails on each one not in the allow-list (Playwright)', () => {
    allow([]);
    write('playwright.json', playwright([{ title: 'p', status: 'expected' }, { title: 'off', status: 'skipped', describe: 'group' }]));
    const s = summary();
    expect(s).toMatchObject({ code: 1, last: '1 passed, 1 failed, 1 skipped' });
    expect(s.out).toContain('counted as one failure: e2e/a.spec.ts > group > off');
  });

  it('a Playwright skip the report counts but does not name still fails', () => {
    allow([]);
    const data = playwright([{ title: 'p', status: 'expected' }]);
    write('playwright.json', { ...data, stats: { ...data.stats, skipped: 1 } });
    expect(summary()).toMatchObject({ code: 1, last: '1 passed, 1 failed, 1 skipped' });
  });

  it('passes with skips that are listed with a reason, still printing the skipped count', () => {
    allow([
      { id: 'lib/x.test.ts > x > later', reason: 'waits for kernel 6.9 in CI' },
      { id: 'e2e/a.spec.ts > off', reason: 'no second browser here' },
      { id: 'lib/gone.test.ts > old', reason: 'fixed since' },
    ]);
    write('vitest-unit.json', vitest('lib/x.test.ts', [a(['x'], 'runs', 'passed'), a(['x'], 'later', 'skipped')]));
    write('playwright.json', playwright([{ title: 'off', status: 'skipped' }]));
    const s = summary();
    expect(s).toMatchObject({ code: 0, last: '1 passed, 0 failed, 2 skipped' });
    expect(s.out).toContain('allowed: lib/x.test.ts > x > later (waits for kernel 6.9 in CI)');
    expect(s.out).toContain('allow-list entry matched no skipped test: lib/gone.test.ts > old');
  });

  it('an entry without a reason, a duplicate, or a missing or broken allow-list fails the run', () => {
    write('vitest-unit.json', vitest('lib/x.test.ts', [a([], 'later', 'skipped')]));
    allow([{ id: 'lib/x.test.ts > later' }]);
    expect(summary()).toMatchObject({ code: 1, last: '0 passed, 2 failed, 1 skipped' });
    allow([
      { id: 'lib/x.test.ts > later', reason: 'r' },
      { id: 'lib/x.test.ts > later', reason: 'r' },
    ]);
    expect(summary()).toMatchObject({ code: 1, last: '0 passed, 1 failed, 1 skipped' });
    writeFileSync(path.join(root, 'allowed-skips.json'), '[');
    expect(summary()).toMatchObject({ code: 1, last: '0 passed, 2 failed, 1 skipped' });
    rmSync(path.join(root, 'allowed-skips.json'));
    expect(summary()).toMatchObject({ code: 1, last: '0 passed, 2 failed, 1 skipped' });
  });

  it('the repository allow-list is well formed and every entry has a reason', () => {
    allow([]);
    const r = spawnSync(process.execPath, [SCRIPT, results, '--root', root, '--allowed-skips', path.resolve(import.meta.dirname, '../test/allowed-skips.json')], { encoding: 'utf8' });
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('0 passed, 0 failed');
    expect(r.status).toBe(0);
  });
});
