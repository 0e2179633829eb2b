// One way to wait that an AbortSignal can cut short: it resolves early (never rejects) when the signal aborts, so
// loops that poll until stopped (Job watches, the agent's remediation claims, verify --watch) end at once.
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
