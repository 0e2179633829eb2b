// For tests only: a valid `verify --watch` document with the given probe outcomes.
import { randomUUID } from 'node:crypto';
import { verificationResult, verificationSchema, type Verification } from '../verification';

/** One probe per entry: true keeps the MAC, false has udev rewrite it. */
export function verificationDoc(node: string, kept: boolean[], at = '2026-01-01T01:00:00.000Z'): Verification {
  const probes = kept.map((k, i) => ({
    at,
    ifname: `vwv${i}`,
    macBefore: '02:00:00:00:00:01',
    macAfter: k ? '02:00:00:00:00:01' : '02:00:00:00:00:02',
    addrAssignType: k ? 1 : 3,
    kept: k,
    error: null,
  }));
  return verificationSchema.parse({
    verificationId: randomUUID(),
    node,
    startedAt: at,
    finishedAt: at,
    everySeconds: 1,
    durationSeconds: kept.length,
    udevd: true,
    probes,
    result: verificationResult({ udevd: true, probes }),
  });
}

