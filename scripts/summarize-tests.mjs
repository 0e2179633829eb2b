// Sums the counts of every runner in a results folder into the one closing line CI reads:
//   "N passed, N failed" or, when anything was skipped, "N passed, N failed, N skipped".
// A skipped or todo test is a test that proves nothing, so each one must be listed with a reason in the one
// allow-list file (test/allowed-skips.json); every skipped/todo test that is not listed is named and also counted
// as a failure, so the run goes red. Likewise unreadable results, a suite that fails to load, Playwright errors.
//
//   node scripts/summarize-tests.mjs <results dir> [--allowed-skips <file>] [--root <dir>]
//
// Test ids are "<file relative to the repo root> > <describe> > ... > <title>", the same for vitest and Playwright.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_ALLOW_LIST = 'test/allowed-skips.json';

/** The allow-list: { "skips": [{ "id": "...", "reason": "..." }] }. Problems with the file itself are errors. */
export function readAllowList(file) {
  const errors = [];
  const allowed = new Map();
  let data;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return { allowed, errors: [`${file}: cannot read the skip allow-list (${e.message})`] };
  }
  if (!data || !Array.isArray(data.skips)) return { allowed, errors: [`${file}: expected {"skips": [{"id", "reason"}]}`] };
  data.skips.forEach((entry, i) => {
    const id = entry?.id;
    const reason = entry?.reason;
    if (typeof id !== 'string' || id.trim() === '') errors.push(`${file}: skips[${i}] has no id`);
    else if (typeof reason !== 'string' || reason.trim() === '') errors.push(`${file}: "${id}" has no reason`);
    else if (allowed.has(id)) errors.push(`${file}: "${id}" is listed twice`);
    else allowed.set(id, reason);
  });
  return { allowed, errors };
}

const testId = (file, titles) => [file, ...titles].join(' > ');

/** Counts and skipped tests of one vitest JSON report. */
function vitestCounts(data, root) {
  let p = 0;
  let f = 0;
  const skipped = [];
  for (const suite of data.testResults ?? []) {
    const file = path.relative(root, suite.name ?? '');
    const results = suite.assertionResults ?? [];
    // A suite that fails to load has no tests to count; make it count.
    if (suite.status === 'failed' && results.length === 0) f += 1;
    for (const a of results) {
      if (a.status === 'passed') p += 1;
      else if (a.status === 'failed') f += 1;
      // skipped, todo, pending, disabled: the test did not run.
      else skipped.push({ id: testId(file, [...(a.ancestorTitles ?? []), a.title]), status: a.status });
    }
  }
  return { p, f, skipped };
}

/** Counts and skipped tests of one Playwright JSON report. */
function playwrightCounts(data, root) {
  const s = data.stats ?? {};
  const p = (s.expected ?? 0) + (s.flaky ?? 0);
  const f = (s.unexpected ?? 0) + (data.errors ?? []).length;
  const testDir = data.config?.rootDir ?? root;
  const skipped = [];
  const walk = (suite, titles) => {
    for (const spec of suite.specs ?? []) {
      const file = path.relative(root, path.resolve(testDir, spec.file ?? suite.file ?? ''));
      for (const t of spec.tests ?? []) {
        if (t.status === 'skipped') {
          const project = t.projectName ? ` [${t.projectName}]` : '';
          skipped.push({ id: testId(file, [...titles, spec.title]) + project, status: 'skipped' });
        }
      }
    }
    // The top-level suites are files (their title is the file name); nested ones are describe blocks.
    for (const child of suite.suites ?? []) walk(child, [...titles, child.title]);
  };
  for (const top of data.suites ?? []) walk(top, []);
  // Skips the report counts but the walk did not find (an unknown shape) must not slip through unnamed.
  const unnamed = (s.skipped ?? 0) - skipped.length;
  for (let i = 0; i < unnamed; i++) skipped.push({ id: `playwright: skipped test ${i + 1} with no id in the report`, status: 'skipped' });
  return { p, f, skipped };
}

export function summarize(dir, { root = REPO, allowList = path.join(root, DEFAULT_ALLOW_LIST) } = {}) {
  let passed = 0;
  let failed = 0;
  let skippedCount = 0;
  const lines = [];
  const allSkipped = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    let data;
    try {
      data = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    } catch {
      lines.push(`${file}: unreadable results, counted as one failure`);
      failed += 1;
      continue;
    }
    let counts;
    if (file.startsWith('step-')) counts = { p: data.ok ? 1 : 0, f: data.ok ? 0 : 1, skipped: [] };
    else if (file.startsWith('vitest-')) counts = vitestCounts(data, root);
    else if (file === 'playwright.json') counts = playwrightCounts(data, root);
    else continue;
    const name = file.replace(/\.json$/, '');
    const k = counts.skipped.length;
    lines.push(`${name}: ${counts.p} passed, ${counts.f} failed${k > 0 ? `, ${k} skipped` : ''}`);
    passed += counts.p;
    failed += counts.f;
    skippedCount += k;
    for (const s of counts.skipped) allSkipped.push({ ...s, runner: name });
  }

  if (allSkipped.length > 0 || existsSync(allowList)) {
    const { allowed, errors } = readAllowList(allowList);
    for (const e of errors) lines.push(`${e}: counted as one failure`);
    failed += errors.length;
    const rel = path.relative(root, allowList);
    const shown = rel.startsWith('..') || path.isAbsolute(rel) ? allowList : rel;
    const seen = new Set();
    for (const s of allSkipped) {
      seen.add(s.id);
      const reason = allowed.get(s.id);
      if (reason !== undefined) lines.push(`${s.runner}: ${s.status}, allowed: ${s.id} (${reason})`);
      else {
        lines.push(`${s.runner}: ${s.status} and not in ${shown}, counted as one failure: ${s.id}`);
        failed += 1;
      }
    }
    // Not a failure (a run may not include every runner), but an entry nothing needs should go.
    for (const id of allowed.keys()) if (!seen.has(id)) lines.push(`allow-list entry matched no skipped test: ${id}`);
  }

  const total = `${passed} passed, ${failed} failed${skippedCount > 0 ? `, ${skippedCount} skipped` : ''}`;
  return { lines, total, passed, failed, skipped: skippedCount };
}

function main(argv) {
  const args = [...argv];
  const opt = (name) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const [, value] = args.splice(i, 2);
    return value;
  };
  const root = path.resolve(opt('--root') ?? REPO);
  const allowList = path.resolve(opt('--allowed-skips') ?? path.join(root, DEFAULT_ALLOW_LIST));
  const dir = args[0];
  if (!dir) {
    console.error('usage: node scripts/summarize-tests.mjs <results dir> [--allowed-skips <file>] [--root <dir>]');
    process.exit(2);
  }
  const s = summarize(dir, { root, allowList });
  for (const l of s.lines) console.log(`  ${l}`);
  console.log(s.total);
  process.exit(s.failed > 0 ? 1 : 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
