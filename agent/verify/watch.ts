// `verify --watch`: a probe every `everySeconds` for `durationSeconds`, then one verification document. The loop
// stops early (with what it has) when the signal aborts; the probe in flight is always finished and cleaned up.
import { randomUUID } from 'node:crypto';
import { verificationResult, verificationSchema, type Probe, type Verification } from '../../lib/prevention/verification';
import { runProbe, udevdAnswers } from './probe';
import { sleep } from '../../lib/time/sleep';

export interface WatchOptions {
  node: string;
  durationSeconds: number;
  everySeconds: number;
  signal?: AbortSignal;
  onProbe?: (p: Probe) => void;
}


export async function watchVerify(o: WatchOptions): Promise<Verification> {
  const started = Date.now();
  const udevd = await udevdAnswers();
  const probes: Probe[] = [];
  const count = Math.max(1, Math.floor(o.durationSeconds / o.everySeconds));
  for (let i = 0; i < count && !o.signal?.aborted; i++) {
    if (i > 0) await sleep(started + i * o.everySeconds * 1000 - Date.now(), o.signal);
    if (o.signal?.aborted) break;
    const p = await runProbe();
    probes.push(p);
    o.onProbe?.(p);
  }
  const doc = {
    verificationId: randomUUID(),
    node: o.node,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
    everySeconds: o.everySeconds,
    durationSeconds: o.durationSeconds,
    udevd,
    probes,
    result: verificationResult({ udevd, probes }),
  };
  return verificationSchema.parse(doc);
}
