// Link events come in bursts (a new pod's veth: add, move, MAC rewrite, up, all within milliseconds). One report
// after the burst settles says it all; the cap on waiting keeps a never-ending stream from starving the report.

export interface Debouncer {
  trigger(): void;
  cancel(): void;
}

export function createDebouncer(fn: () => void, quietMs: number, maxWaitMs: number): Debouncer {
  let timer: NodeJS.Timeout | null = null;
  let firstAt: number | null = null;
  const fire = () => {
    timer = null;
    firstAt = null;
    fn();
  };
  return {
    trigger() {
      const now = Date.now();
      firstAt ??= now;
      if (timer) clearTimeout(timer);
      timer = setTimeout(fire, Math.max(0, Math.min(quietMs, firstAt + maxWaitMs - now)));
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
      firstAt = null;
    },
  };
}
