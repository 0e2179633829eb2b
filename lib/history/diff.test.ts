// The link-file diff against the real tools: for unambiguous edits it prints what GNU `diff -u` prints, and for
// random edits GNU `patch` turns the old text into the new one with it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEBIAN12_DEFAULT_LINK } from '../report/fixtures';
import { unifiedDiff } from './diff';

const dir = mkdtempSync(join(tmpdir(), 'vethwatch-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** GNU diff -u's hunks (its header lines carry file times, so they are dropped on both sides). */
function gnuDiff(a: string, b: string): string {
  writeFileSync(join(dir, 'a'), a);
  writeFileSync(join(dir, 'b'), b);
  const r = spawnSync('diff', ['-u', join(dir, 'a'), join(dir, 'b')], { encoding: 'utf8' });
  return r.stdout.split('\n').slice(2).join('\n');
}

function hunks(diff: string): string {
  return diff.split('\n').slice(2).join('\n');
}

function applyWithPatch(a: string, diff: string): string {
  writeFileSync(join(dir, 'target'), a);
  writeFileSync(join(dir, 'change.diff'), diff);
  execFileSync('patch', ['--quiet', '--force', join(dir, 'target'), join(dir, 'change.diff')], { cwd: dir });
  return readFileSync(join(dir, 'target'), 'utf8');
}

const edited = DEBIAN12_DEFAULT_LINK.replace('MACAddressPolicy=persistent', 'MACAddressPolicy=none');

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff(DEBIAN12_DEFAULT_LINK, DEBIAN12_DEFAULT_LINK)).toBe('');
  });

  it('labels the two sides and prints the policy edit as diff -u does', () => {
    const d = unifiedDiff(DEBIAN12_DEFAULT_LINK, edited, { fromLabel: 'a/usr/lib/systemd/network/99-default.link', toLabel: 'b/usr/lib/systemd/network/99-default.link' });
    expect(d.split('\n').slice(0, 2)).toEqual(['--- a/usr/lib/systemd/network/99-default.link', '+++ b/usr/lib/systemd/network/99-default.link']);
    expect(d).toContain('-MACAddressPolicy=persistent\n+MACAddressPolicy=none\n');
    expect(hunks(d)).toBe(gnuDiff(DEBIAN12_DEFAULT_LINK, edited));
  });

  const cases: Array<[string, string, string]> = [
    ['a line added at the end', '[Link]\nNamePolicy=keep\n', '[Link]\nNamePolicy=keep\nMACAddressPolicy=none\n'],
    ['a line removed at the start', '# comment\n[Link]\nMACAddressPolicy=none\n', '[Link]\nMACAddressPolicy=none\n'],
    ['from empty', '', '[Link]\nMACAddressPolicy=none\n'],
    ['to empty', '[Link]\nMACAddressPolicy=none\n', ''],
    ['a missing final newline added', '[Link]\nMACAddressPolicy=none', '[Link]\nMACAddressPolicy=none\n'],
    ['a final newline removed', '[Link]\nMACAddressPolicy=none\n', '[Link]\nMACAddressPolicy=none'],
    [
      'two changes far apart make two hunks',
      Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n') + '\n',
      Array.from({ length: 30 }, (_, i) => (i === 2 ? 'changed 2' : i === 25 ? 'changed 25' : `line ${i}`)).join('\n') + '\n',
    ],
    [
      'two changes close together share a hunk',
      Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n') + '\n',
      Array.from({ length: 30 }, (_, i) => (i === 10 ? 'changed 10' : i === 16 ? 'changed 16' : `line ${i}`)).join('\n') + '\n',
    ],
  ];
  it.each(cases)('%s: same hunks as GNU diff -u', (_name, a, b) => {
    expect(hunks(unifiedDiff(a, b))).toBe(gnuDiff(a, b));
  });

  it('random edits: GNU patch applies the diff and gets the new text', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const words = ['[Match]', '[Link]', 'OriginalName=*', 'MACAddressPolicy=none', 'MACAddressPolicy=persistent', '# x', '', 'NamePolicy=keep'];
    for (let round = 0; round < 40; round++) {
      const a = Array.from({ length: rand(25) }, () => words[rand(words.length)]);
      const b = [...a];
      for (let k = rand(6); k >= 0; k--) {
        const at = rand(b.length + 1);
        if (rand(2) === 0 && b.length > 0) b.splice(Math.min(at, b.length - 1), 1);
        else b.splice(at, 0, words[rand(words.length)]);
      }
      const from = a.length ? `${a.join('\n')}\n` : '';
      const to = b.length ? `${b.join('\n')}${rand(4) === 0 ? '' : '\n'}` : '';
      const d = unifiedDiff(from, to);
      if (from === to) {
        expect(d).toBe('');
        continue;
      }
      expect(applyWithPatch(from, d), `round ${round}:\n${d}`).toBe(to);
    }
  });

  it('falls back to replacing the whole file past the edit-distance cap, still a valid patch', () => {
    const a = Array.from({ length: 50 }, (_, i) => `a${i}`).join('\n') + '\n';
    const b = Array.from({ length: 50 }, (_, i) => `b${i}`).join('\n') + '\n';
    const d = unifiedDiff(a, b, { maxEditDistance: 10 });
    expect(d).toContain('@@ -1,50 +1,50 @@');
    expect(applyWithPatch(a, d)).toBe(b);
  });
});
