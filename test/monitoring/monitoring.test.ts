// The monitoring contract, against a real scrape of GET /metrics on a real server that has seen a known sequence
// (test/monitoring/populatedServer.ts): every metric the docs list has samples, produced by production code, and
// every metric the PrometheusRule alerts and the Grafana dashboard query is one the server exports.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/serverProcess';
import { dashboardQueries, metricNamesIn, ruleGroups } from './monitoringFiles';
import { sampledMetricNames, startPopulatedServer, type PopulatedServer } from './populatedServer';

let s: PopulatedServer;
let text: string;
let sampled: Set<string>;

beforeAll(async () => {
  s = await startPopulatedServer();
  text = await s.scrape();
  sampled = sampledMetricNames(text);
}, 120_000);
afterAll(async () => {
  await s?.close();
});

/** Every `vethwatch_*` name in a document, plus the `vethwatch_process_*`-style prefixes it names with a star. */
function documentedMetrics(file: string): { names: string[]; prefixes: string[] } {
  const doc = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
  const names = new Set<string>();
  const prefixes = new Set<string>();
  for (const m of doc.matchAll(/`(vethwatch_[a-z0-9_]+)(\*)?/g)) (m[2] ? prefixes : names).add(m[1]);
  return { names: [...names], prefixes: [...prefixes] };
}

describe('GET /metrics on a real server', () => {
  it('has samples for every metric lib/cluster/README.md and README.md list', () => {
    const documented = [documentedMetrics('lib/cluster/README.md'), documentedMetrics('README.md')];
    const names = documented.flatMap((d) => d.names);
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(sampled, `${name} is documented but has no sample in the scrape`).toContain(name);
    for (const prefix of documented.flatMap((d) => d.prefixes)) {
      expect([...sampled].some((n) => n.startsWith(prefix)), `nothing starts with ${prefix}`).toBe(true);
    }
  });

  it('counts each remediation outcome once, by node', () => {
    expect(text).toContain('vethwatch_remediations_total{node="node-a",result="failed"} 1');
    expect(text).toContain('vethwatch_remediations_total{node="node-a",result="succeeded"} 1');
    expect(text).toContain('vethwatch_remediations_total{node="node-a",result="verified"} 1');
  });

  it('says which state each node is in', () => {
    expect(text).toContain('vethwatch_node_state{node="node-a",state="healthy"} 1');
    expect(text).toContain('vethwatch_node_state{node="node-b",state="at-risk"} 1');
    expect(text).toContain('vethwatch_node_state{node="node-c",state="no-agent"} 1');
  });
});

describe('deploy/monitoring against the real scrape', () => {
  it('every alert expression uses only metrics the server exports, with samples', () => {
    const groups = ruleGroups();
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThanOrEqual(5);
    for (const rule of rules) {
      const used = metricNamesIn(rule.expr);
      expect(used.length, `${rule.alert} uses no metric`).toBeGreaterThan(0);
      for (const name of used) expect(sampled, `${rule.alert} uses ${name}`).toContain(name);
    }
  });

  it('every dashboard query uses only metrics the server exports, with samples', () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThanOrEqual(6);
    for (const q of queries) {
      const used = metricNamesIn(q.expr);
      expect(used.length, `panel "${q.panel}" uses no metric`).toBeGreaterThan(0);
      for (const name of used) expect(sampled, `panel "${q.panel}" uses ${name}`).toContain(name);
    }
  });
});
