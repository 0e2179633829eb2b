import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fitTerminationMessage, TERMINATION_MESSAGE_LIMIT, writeTerminationLog } from './terminationLog';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vwt-tl-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('termination log', () => {
  it('keeps a small document whole', () => {
    expect(fitTerminationMessage({ a: 1 }, () => ({ short: true }))).toBe('{"a":1}');
  });

  it('falls back to the summary when the document is over the kubelet limit', () => {
    const big = { items: 'x'.repeat(TERMINATION_MESSAGE_LIMIT) };
    expect(JSON.parse(fitTerminationMessage(big, () => ({ truncated: true })))).toEqual({ truncated: true });
    expect(Buffer.byteLength(fitTerminationMessage(big, () => ({ s: 'y'.repeat(10_000) })))).toBe(TERMINATION_MESSAGE_LIMIT);
  });

  it('creates an explicit path in a writable directory', async () => {
    const file = path.join(dir, 'termination-log');
    expect(await writeTerminationLog(file, '{"ok":true}')).toBe(`termination log written to ${file}`);
    expect(await readFile(file, 'utf8')).toBe('{"ok":true}');
  });

  it('reports, never throws, when it cannot write', async () => {
    const note = await writeTerminationLog(path.join(dir, 'missing-dir', 'log'), '{}');
    expect(note).toMatch(/^termination log not written/);
  });

  it('does not create /dev/termination-log outside Kubernetes', async () => {
    const existed = await stat('/dev/termination-log').then(() => true, () => false);
    const note = await writeTerminationLog('/dev/termination-log', '{}');
    if (!existed) {
      expect(note).toContain('does not exist');
      expect(await stat('/dev/termination-log').then(() => true, () => false)).toBe(false);
    } else {
      expect(note).toBe('termination log written to /dev/termination-log');
    }
  });
});
