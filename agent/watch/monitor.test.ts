import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../log';
import { LinkMonitor } from './monitor';
import type { LinkEvent } from './parse';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const waitFor = async (cond: () => boolean, ms = 3000) => {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await sleep(10);
  }
};

// A real child process stands in for `ip monitor`: it prints the captured lines, then behaves as told.
const captured = readFileSync(new URL('./fixtures/ip-d-o-monitor-link.txt', import.meta.url), 'utf8');

describe('LinkMonitor', () => {
  it('turns each output line into an event and restarts the command when it dies', async () => {
    const log = createMemoryLogger();
    const events: LinkEvent[] = [];
    let restarts = 0;
    const m = new LinkMonitor({
      log,
      command: ['sh', '-c', 'printf "%s" "$0"; echo "oops" >&2; exit 3', captured],
      onEvent: (e) => events.push(e),
      onRestart: () => restarts++,
      restartBackoff: { baseMs: 20, maxMs: 40 },
    });
    m.start();
    await waitFor(() => restarts >= 2);
    await m.stop();
    expect(events.slice(0, 5).map((e) => e.deleted)).toEqual([false, false, false, false, true]);
    expect(events.length % 5).toBe(0);
    expect(log.records.some((r) => r.msg === 'link monitor stopped; restarting it' && r.code === 3)).toBe(true);
    expect(log.records.some((r) => r.msg === 'link monitor said' && r.line === 'oops')).toBe(true);
  });

  it('keeps trying when the command does not exist', async () => {
    const log = createMemoryLogger();
    const m = new LinkMonitor({ log, command: ['/nonexistent/ip-monitor'], onEvent: () => undefined, restartBackoff: { baseMs: 10, maxMs: 20 } });
    m.start();
    await waitFor(() => m.starts >= 3);
    await m.stop();
    expect(log.records.find((r) => r.msg === 'link monitor stopped; restarting it')).toMatchObject({ error: { message: expect.stringContaining('ENOENT') } });
  });

  it('stop() kills the running command and does not restart it', async () => {
    const m = new LinkMonitor({ log: createMemoryLogger(), command: ['sleep', '30'], onEvent: () => undefined });
    m.start();
    const pid = m.pid!;
    expect(() => process.kill(pid, 0)).not.toThrow();
    await m.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    await sleep(50);
    expect(m.starts).toBe(1);
  });
});
