import { describe, expect, it } from 'vitest';
import { sleep } from './sleep';

describe('sleep', () => {
  it('waits the time given', async () => {
    const t = Date.now();
    await sleep(50);
    expect(Date.now() - t).toBeGreaterThanOrEqual(45);
  });
  it('ends early, resolving, when the signal aborts, and at once when it already has', async () => {
    const ac = new AbortController();
    const waiting = sleep(60_000, ac.signal);
    ac.abort();
    await expect(waiting).resolves.toBeUndefined();
    await expect(sleep(60_000, ac.signal)).resolves.toBeUndefined();
  });
});
