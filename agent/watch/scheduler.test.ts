import { describe, expect, it } from 'vitest';
import { createMemoryLogger, silentLogger } from '../log';
import { createDebouncer } from './debounce';
import { ScanScheduler } from './scheduler';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ScanScheduler', () => {
  it('never overlaps scans, and a request during a scan gives exactly one more scan after it', async () => {
    let active = 0;
    let maxActive = 0;
    const runs: string[][] = [];
    const s = new ScanScheduler({
      intervalMs: 60_000,
      log: silentLogger,
      run: async (reasons) => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs.push(reasons);
        await sleep(40);
        active--;
      },
    });
    s.start();
    await sleep(5);
    s.request('link-change');
    s.request('link-change');
    s.request('link-monitor-restarted');
    await sleep(150);
    await s.stop();
    expect(maxActive).toBe(1);
    expect(runs).toEqual([['start'], ['link-change', 'link-monitor-restarted']]);
  });

  it('scans every interval and survives a failing scan', async () => {
    const log = createMemoryLogger();
    let n = 0;
    const s = new ScanScheduler({
      intervalMs: 30,
      log,
      run: async () => {
        n++;
        if (n === 2) throw new Error('boom');
      },
    });
    s.start();
    await sleep(200);
    await s.stop();
    expect(n).toBeGreaterThanOrEqual(3);
    expect(log.records.find((r) => r.msg === 'scan failed')).toMatchObject({ level: 'error', error: { message: 'boom' } });
    const after = n;
    await sleep(70);
    expect(n).toBe(after); // stopped means stopped
  });

  it('stop() waits for the scan in progress, but not forever', async () => {
    let finished = false;
    const s = new ScanScheduler({
      intervalMs: 60_000,
      log: silentLogger,
      run: async () => {
        await sleep(50);
        finished = true;
      },
    });
    s.start();
    await s.stop();
    expect(finished).toBe(true);

    const log = createMemoryLogger();
    const stuck = new ScanScheduler({ intervalMs: 60_000, log, run: () => new Promise(() => undefined) });
    stuck.start();
    await stuck.stop(30);
    expect(log.records.some((r) => r.msg.startsWith('stopping without waiting'))).toBe(true);
  });
});

describe('createDebouncer', () => {
  it('fires once after a burst goes quiet', async () => {
    let fired = 0;
    const d = createDebouncer(() => fired++, 30, 1000);
    for (let i = 0; i < 5; i++) {
      d.trigger();
      await sleep(5);
    }
    expect(fired).toBe(0);
    await sleep(60);
    expect(fired).toBe(1);
  });

  it('fires by the max wait even if events never stop', async () => {
    let fired = 0;
    const d = createDebouncer(() => fired++, 40, 80);
    const started = Date.now();
    while (Date.now() - started < 150) {
      d.trigger();
      await sleep(10);
    }
    d.cancel();
    expect(fired).toBeGreaterThanOrEqual(1);
  });

  it('cancel() drops a pending call', async () => {
    let fired = 0;
    const d = createDebouncer(() => fired++, 20, 100);
    d.trigger();
    d.cancel();
    await sleep(50);
    expect(fired).toBe(0);
  });
});
