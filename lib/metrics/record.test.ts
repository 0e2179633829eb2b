import { describe, expect, it } from 'vitest';
import type { NodeEvent } from '@/lib/events/types';
import { AuthError, BadJsonError, ForbiddenError, PayloadTooLargeError, ValidationError } from '@/lib/http/errors';
import { recordRemediationResult, recordReportAccepted, recordReportRejected, rejectReason } from './record';
import { createMetrics } from './registry';

const ev = (type: string, data: object, node = 'n1') => ({ id: 1, node, type, at: '', receivedAt: '', reportId: 'r', subject: null, data }) as unknown as NodeEvent;

async function series(m: ReturnType<typeof createMetrics>, name: string): Promise<Record<string, number>> {
  const metric = await m.registry.getSingleMetric(name)!.get();
  return Object.fromEntries(metric.values.map((v) => [JSON.stringify(v.labels), v.value]));
}

describe('metrics recording', () => {
  it('counts accepted reports and what their events say', async () => {
    const m = createMetrics({ defaultMetrics: false });
    recordReportAccepted('changed', 0.002, [
      ev('veth.mac_changed', {}),
      ev('veth.mac_changed', {}, 'n2'),
      ev('arp.changed', { from: 'ok', to: 'mismatch' }),
      ev('arp.changed', { from: 'mismatch', to: 'ok' }),
      ev('veth.appeared', { arpStatus: 'mismatch' }),
      ev('linkfile.appeared', { initial: true }),
      ev('linkfile.appeared', { initial: false }),
      ev('linkfile.changed', {}),
      ev('linkfile.removed', {}),
    ], m);
    recordReportAccepted('unchanged', 0.0001, [], m);
    expect(await series(m, 'vethwatch_reports_received_total')).toEqual({ '{"outcome":"changed"}': 1, '{"outcome":"unchanged"}': 1 });
    expect(await series(m, 'vethwatch_veth_mac_changes_total')).toEqual({ '{"node":"n1"}': 1, '{"node":"n2"}': 1 });
    expect(await series(m, 'vethwatch_arp_mismatch_events_total')).toEqual({ '{"node":"n1"}': 2 });
    expect(await series(m, 'vethwatch_linkfile_drift_events_total')).toEqual({
      '{"node":"n1","type":"linkfile.appeared"}': 1,
      '{"node":"n1","type":"linkfile.changed"}': 1,
      '{"node":"n1","type":"linkfile.removed"}': 1,
    });
  });

  it('names rejection reasons from the typed errors', () => {
    expect(rejectReason(new AuthError())).toBe('unauthorized');
    expect(rejectReason(new ForbiddenError())).toBe('forbidden');
    expect(rejectReason(new BadJsonError())).toBe('bad_json');
    expect(rejectReason(new ValidationError([]))).toBe('invalid');
    expect(rejectReason(new PayloadTooLargeError(1))).toBe('too_large');
    expect(rejectReason(new Error('boom'))).toBe('error');
  });

  it('counts rejections and remediation results; odd result words become "other"', async () => {
    const m = createMetrics({ defaultMetrics: false });
    recordReportRejected('forbidden', 0.001, m);
    recordRemediationResult('succeeded', 'n1', m);
    recordRemediationResult('succeeded', 'n1', m);
    recordRemediationResult('Failed: disk full', 'n1', m);
    expect(await series(m, 'vethwatch_reports_rejected_total')).toEqual({ '{"reason":"forbidden"}': 1 });
    expect(await series(m, 'vethwatch_remediations_total')).toEqual({ '{"node":"n1","result":"succeeded"}': 2, '{"node":"n1","result":"other"}': 1 });
    const text = await m.registry.metrics();
    expect(text).toContain('vethwatch_ingest_duration_seconds_count{result="rejected"} 1');
  });

  it('computes fleet gauges at scrape time and counts a failing source', async () => {
    const m = createMetrics({ defaultMetrics: false });
    let n = 0;
    m.setScrapeSource(async () => {
      n++;
      return {
        fleet: {
          generatedAt: '',
          counts: { broken: 1, 'at-risk': 0, fragile: 0, stale: 0, 'no-agent': 2, unknown: 0, healthy: 0 },
          nodes: [{ name: 'b', mismatchCount: 3, lastReportAt: 'x', reportAgeSeconds: 7, state: 'broken' } as never],
          awsNode: null,
        },
      };
    });
    const text = await m.registry.metrics();
    expect(text).toContain('vethwatch_nodes{state="broken"} 1');
    expect(text).toContain('vethwatch_nodes{state="no-agent"} 2');
    expect(text).toContain('vethwatch_arp_mismatches{node="b"} 3');
    expect(text).toContain('vethwatch_agent_report_age_seconds{node="b"} 7');
    expect(text).toContain('vethwatch_node_state{node="b",state="broken"} 1');
    expect(n).toBe(1); // one store read feeds every fleet gauge
    m.setScrapeSource(async () => {
      throw new Error('db down');
    });
    await new Promise((r) => setTimeout(r, 5));
    const down = await m.registry.metrics();
    expect(down).toContain('vethwatch_scrape_errors_total 1');
    expect(down).not.toContain('vethwatch_nodes{');
  });
});
