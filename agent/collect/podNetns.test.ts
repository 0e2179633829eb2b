import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixtureText } from './fixtures.testutil';
import { parseHostBatch } from './hostNet';
import { parsePodBatch, parseReaderOutput, readTargets, toNetnsRead } from './podNetns';

const podBatch = () => ['A/pod_ip-j-addr-eth0.json', 'A/pod_ip-j-neigh.json', 'A/pod_ip-j-route.json'].map((f) => fixtureText(f).trim()).join('\n') + '\n';

describe('parsePodBatch', () => {
  it('reads links, neighbours and routes of a pod (fixture A)', () => {
    const v = parsePodBatch(podBatch());
    expect(v.links[0].ifname).toBe('eth0');
    expect(v.neighbours[0].lladdr).toBe('ca:27:84:0a:55:10');
    expect(v.routes.find((r) => r.dst === 'default')?.gateway).toBe('169.254.1.1');
  });
});

describe('parseReaderOutput', () => {
  it('gives one result per target, errors in place, whatever order the workers answered in', () => {
    const out =
      `\n@@vethwatch-begin 2\n[]\n[]\n\n@@vethwatch-end 2 0\n` +
      `\n@@vethwatch-begin 0\n${podBatch()}\n@@vethwatch-end 0 0\n` +
      `\n@@vethwatch-begin 1\nCannot open network namespace "cni-x": No such file or directory\n\n@@vethwatch-end 1 255\n`;
    const r = parseReaderOutput(out, 4);
    expect(toNetnsRead(r[0]).ok).toBe(true);
    expect(r[1]).toEqual({ ok: false, error: 'Cannot open network namespace "cni-x": No such file or directory' });
    expect(toNetnsRead(r[2])).toMatchObject({ ok: false, error: expect.stringMatching(/expected 3 JSON documents, got 2/) });
    expect(r[3]).toEqual({ ok: false, error: 'no answer from the reader' });
  });
});

describe('readTargets (runs the real ip, read-only)', () => {
  it('reads the host and reports a missing namespace as an error entry, across several workers', async () => {
    const missing = `vwt-missing-${process.pid}`;
    const r = await readTargets([{ kind: 'host' }, { kind: 'named', name: missing }, { kind: 'named', name: `${missing}-2` }], 3);
    expect(r).toHaveLength(3);
    expect(r[0].ok).toBe(true);
    if (r[0].ok) expect(parseHostBatch(r[0].text).veths).toBeInstanceOf(Array);
    expect(r[1]).toMatchObject({ ok: false, error: expect.stringContaining(missing) });
    expect(r[2]).toMatchObject({ ok: false, error: expect.stringContaining(`${missing}-2`) });
  });

  it('never lets a namespace name reach the shell as code', async () => {
    const marker = `/tmp/vwt-injected-${process.pid}`;
    const r = await readTargets([{ kind: 'named', name: `x"; touch ${marker}; echo "` }, { kind: 'named', name: `$(touch ${marker})` }], 2);
    expect(r.every((x) => !x.ok)).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });
});
