// Reading deploy/monitoring for tests: the PrometheusRule's groups, the Grafana dashboard's queries, and the metric
// names a PromQL expression reads.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/serverProcess';

export const RULE_FILE = path.join(REPO_ROOT, 'deploy/monitoring/prometheusrule.yaml');
export const DASHBOARD_FILE = path.join(REPO_ROOT, 'deploy/monitoring/grafana-dashboard.json');

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface PrometheusRule {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: { groups: Array<{ name: string; rules: AlertRule[] }> };
}

export function prometheusRule(): PrometheusRule {
  return parse(fs.readFileSync(RULE_FILE, 'utf8')) as PrometheusRule;
}

export function ruleGroups(): PrometheusRule['spec']['groups'] {
  return prometheusRule().spec.groups;
}

interface Panel {
  title?: string;
  type?: string;
  targets?: Array<{ expr?: string; refId?: string }>;
  panels?: Panel[];
}

export function dashboard(): { title: string; uid: string; panels: Panel[]; templating?: { list: Array<{ name: string; query?: unknown; definition?: string }> } } {
  return JSON.parse(fs.readFileSync(DASHBOARD_FILE, 'utf8'));
}

/** Every PromQL query of the dashboard: panel targets (rows' nested panels too) and template-variable queries. */
export function dashboardQueries(): Array<{ panel: string; expr: string }> {
  const d = dashboard();
  const out: Array<{ panel: string; expr: string }> = [];
  const walk = (panels: Panel[]) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ panel: p.title ?? '(untitled)', expr: t.expr });
      if (p.panels) walk(p.panels);
    }
  };
  walk(d.panels);
  for (const v of d.templating?.list ?? []) {
    const q = typeof v.query === 'string' ? v.query : (v.query as { query?: string } | undefined)?.query;
    // label_values(metric, label): the metric is what must exist.
    const lv = q ? /label_values\(\s*([a-zA-Z_:][\w:]*)/.exec(q) : null;
    if (lv) out.push({ panel: `variable ${v.name}`, expr: lv[1] });
  }
  return out;
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'atan2', 'inf', 'nan']);

/**
 * The metric names a PromQL expression reads. Strings, label matchers, range and subquery brackets, grouping lists
 * and Grafana variables are removed first; what is left that is an identifier not called as a function and not a
 * keyword is a metric name.
 */
export function metricNamesIn(expr: string): string[] {
  let e = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\$\{[^}]*\}|\$[a-zA-Z_]\w*/g, '1')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  e = e.replace(/(?<![\w.])\d[\w.]*/g, ' '); // numbers and durations
  const names = new Set<string>();
  for (const m of e.matchAll(/(?<![\w:])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    if (m[2] || KEYWORDS.has(m[1].toLowerCase())) continue;
    names.add(m[1]);
  }
  return [...names];
}
