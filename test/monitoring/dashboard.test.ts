// deploy/monitoring/grafana-dashboard.json as Grafana imports it: unique panel ids, every panel on the dashboard's
// Prometheus data-source variable, panels laid out without overlap, and the views the issue asks for. (That every
// query uses only exported metrics is checked against a real scrape in monitoring.test.ts.)
import { describe, expect, it } from 'vitest';
import { dashboard, dashboardQueries } from './monitoringFiles';

describe('deploy/monitoring/grafana-dashboard.json', () => {
  const d = dashboard();
  const panels = d.panels as Array<{ id: number; type: string; title: string; datasource?: { uid?: string }; gridPos: { x: number; y: number; w: number; h: number } }>;

  it('has a stable uid, unique panel ids and a Prometheus data-source variable every panel uses', () => {
    expect(d.uid).toBe('vethwatch-fleet');
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    expect(d.templating!.list.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const p of panels.filter((x) => x.type !== 'row')) expect(p.datasource?.uid, p.title).toBe('${datasource}');
  });

  it('lays panels out on the 24-column grid without overlap', () => {
    const cells = new Set<string>();
    for (const p of panels) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++)
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${p.title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });

  it('shows fleet state over time, mismatches, ingest rate and latency, and remediations', () => {
    const exprs = dashboardQueries().map((q) => q.expr);
    for (const want of [/vethwatch_nodes\b/, /vethwatch_arp_mismatches\b/, /rate\(vethwatch_reports_received_total/, /histogram_quantile\(.*vethwatch_ingest_duration_seconds_bucket/, /vethwatch_remediations_total/]) {
      expect(exprs.some((e) => want.test(e)), String(want)).toBe(true);
    }
  });
});
