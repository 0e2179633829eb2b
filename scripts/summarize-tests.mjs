// Sums the counts of every runner in a results folder into the one closing line CI reads.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
let passed = 0;
let failed = 0;
const lines = [];
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  let data;
  try {
    data = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } catch {
    lines.push(`${file}: unreadable results, counted as one failure`);
    failed += 1;
    continue;
  }
  let p = 0;
  let f = 0;
  if (file.startsWith('step-')) {
    data.ok ? (p = 1) : (f = 1);
  } else if (file.startsWith('vitest-')) {
    p = data.numPassedTests ?? 0;
    f = data.numFailedTests ?? 0;
    // A suite that fails to load has no tests to count; make it count.
    for (const suite of data.testResults ?? []) {
      if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) f += 1;
    }
  } else if (file === 'playwright.json') {
    const s = data.stats ?? {};
    p = (s.expected ?? 0) + (s.flaky ?? 0);
    f = s.unexpected ?? 0;
    if ((data.errors ?? []).length > 0) f += data.errors.length;
  } else {
    continue;
  }
  lines.push(`${file.replace(/\.json$/, '')}: ${p} passed, ${f} failed`);
  passed += p;
  failed += f;
}
for (const l of lines) console.log(`  ${l}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
