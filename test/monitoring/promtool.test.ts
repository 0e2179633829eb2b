// The PrometheusRule as Prometheus itself reads it: its spec checked with `promtool check rules` and the unit tests in
// deploy/monitoring/prometheusrule.test.yaml run with `promtool test rules` (Debian package `prometheus`), plus
// what an on-call SRE needs on every alert: a summary, a description, and a runbook link to a section that exists.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { REPO_ROOT } from '../support/serverProcess';
import { prometheusRule, ruleGroups } from './monitoringFiles';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-promtool-'));
  fs.writeFileSync(path.join(dir, 'rules.yaml'), stringify({ groups: ruleGroups() }));
  fs.copyFileSync(path.join(REPO_ROOT, 'deploy/monitoring/prometheusrule.test.yaml'), path.join(dir, 'rules.test.yaml'));
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const promtool = (...args: string[]) => execFileSync('promtool', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    out.add(
      m[1]
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    );
  }
  return out;
}

describe('deploy/monitoring/prometheusrule.yaml', () => {
  it('is a monitoring.coreos.com/v1 PrometheusRule', () => {
    const rule = prometheusRule();
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.kind).toBe('PrometheusRule');
    expect(rule.metadata.namespace).toBe('vethwatch');
  });

  it('passes promtool check rules', () => {
    expect(promtool('check', 'rules', 'rules.yaml')).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('passes its promtool unit tests (the critical alert fires after 2m, once per node; a first failure alerts)', () => {
    expect(promtool('test', 'rules', 'rules.test.yaml')).toContain('SUCCESS');
  });

  it('has the alerts on-call needs, each with a summary, a description and a runbook section that exists', () => {
    const rules = ruleGroups().flatMap((g) => g.rules);
    const byName = new Map(rules.map((r) => [r.alert, r]));
    expect(byName.get('VethwatchArpMismatch')).toMatchObject({ for: '2m', labels: { severity: 'critical' } });
    expect(byName.get('VethwatchNodeFragile')).toMatchObject({ expr: 'max by (node) (vethwatch_node_state{state="fragile"}) == 1', for: '30m', labels: { severity: 'warning' } });
    for (const name of ['VethwatchNodeAtRisk', 'VethwatchAgentStale', 'VethwatchRemediationFailed', 'VethwatchIngestErrors']) {
      expect(byName.get(name)?.labels?.severity, name).toBe('warning');
    }
    const runbook = fs.readFileSync(path.join(REPO_ROOT, 'docs/runbook.md'), 'utf8');
    const sections = anchors(runbook);
    for (const r of rules) {
      expect(r.annotations?.summary, r.alert).toBeTruthy();
      expect(r.annotations?.description, r.alert).toBeTruthy();
      // Node alerts name the node; server alerts the server instance (a refused report's node is not trusted).
      expect(r.annotations!.description, r.alert).toMatch(/\{\{ \$labels\.(node|instance) \}\}/);
      if (/by \((node|node, state)\)/.test(r.expr)) expect(r.annotations!.description, r.alert).toContain('{{ $labels.node }}');
      const url = r.annotations?.runbook_url ?? '';
      expect(url, r.alert).toMatch(/\/docs\/runbook\.md#[a-z0-9-]+$/);
      expect(sections, `${r.alert}: no section #${url.split('#')[1]} in docs/runbook.md`).toContain(url.split('#')[1]);
    }
  });
});
