// The run-mode wiring without touching the host: a child process replays real `ip -d -o monitor link` lines, the
// scan is injected, and sending is a recorder. The real-kernel, real-server version is watch.host.test.ts.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildReport } from '../../lib/report/fixtures';
import type { Report } from '../../lib/report/schema';
import type { SendFn } from '../deliver/deliverer';
import { createMemoryLogger } from '../log';
import { runAgent, type RunConfig, type RunDeps } from './run';

const captured = readFileSync(new URL('./fixtures/ip-d-o-monitor-link.txt', import.meta.url), 'utf8');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what: string, cond: () => boolean, ms = 5000) {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vw-run-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Handles = Parameters<NonNullable<RunDeps['onReady']>>[0];

function config(over: Partial<RunConfig> = {}): RunConfig {
  return {
    server: new URL('http://127.0.0.1:9'),
    token: 't',
    intervalSeconds: 3600,
    root: '/',
    node: 'n1',
    spoolDir: dir,
    spoolMaxReports: 100,
    spoolMaxBytes: 1 << 30,
    watch: true,
    requestTimeoutMs: 1000,
    ...over,
  };
}

describe('runAgent', () => {
  it('scans at start and again right after the monitor shows a veth change; stops cleanly', async () => {
    const sent: string[] = [];
    const send: SendFn = async (body) => {
      sent.push((JSON.parse(body) as Report).reportId);
      return { kind: 'accepted', status: 202, duplicate: false };
    };
    const log = createMemoryLogger();
    const controller = new AbortController();
    let handles!: Handles;
    // Print the capture after a pause (the start scan is done by then), then idle like a real monitor.
    const command = ['sh', '-c', 'sleep 0.3; printf "%s" "$0"; exec sleep 30', captured];
    let scans = 0;
    const done = runAgent(
      config(),
      {
        log,
        send,
        monitorCommand: command,
        debounceMs: 50,
        scan: async (opts) => {
          scans++;
          return buildReport({ node: opts.node, intervalSeconds: opts.intervalSeconds });
        },
        onReady: (h) => (handles = h),
      },
      controller.signal,
    );
    await waitFor('two scans', () => scans >= 2);
    await waitFor('delivery', () => sent.length >= 2);
    const monitorPid = handles.monitor!.pid!;
    controller.abort();
    await done;

    expect(scans).toBe(2); // one burst of five events, one scan
    expect(log.records.filter((r) => r.msg === 'veth changed').map((r) => r.change)).toEqual(['appeared', 'mac-changed', 'vanished']);
    expect(log.records.filter((r) => r.msg === 'scan done').map((r) => r.reasons)).toEqual([['start'], ['link-change']]);
    expect(() => process.kill(monitorPid, 0)).toThrow(); // ip monitor stand-in killed on stop
    expect(log.records.at(-1)).toMatchObject({ msg: 'agent stopped', spooled: 0, accepted: 2 });
  });

  it('with --no-watch starts no monitor, and a scan that throws does not stop the agent', async () => {
    const log = createMemoryLogger();
    const controller = new AbortController();
    let handles!: Handles;
    let n = 0;
    const done = runAgent(
      config({ watch: false, intervalSeconds: 1 }),
      {
        log,
        send: async () => ({ kind: 'accepted', status: 202, duplicate: false }),
        scan: async () => {
          n++;
          if (n === 1) throw new Error('first scan fails');
          return buildReport();
        },
        onReady: (h) => (handles = h),
      },
      controller.signal,
    );
    await waitFor('a second scan on the interval', () => n >= 2, 4000);
    expect(handles.monitor).toBeNull();
    controller.abort();
    await done;
    expect(log.records.find((r) => r.msg === 'scan failed')).toMatchObject({ error: { message: 'first scan fails' } });
    expect(log.records.some((r) => r.msg === 'scan done')).toBe(true);
  });
});
