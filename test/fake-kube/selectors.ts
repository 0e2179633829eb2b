// Label and field selectors with apimachinery's grammar (labels.Parse, fields.ParseSelector), so a selector our code
// builds wrongly fails here as it would against a real API server.
import { statusErrors } from './status';

type LabelRequirement =
  | { op: 'exists' | 'notexists'; key: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: '=' | '!='; key: string; value: string };

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isValidLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : null;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== null && (prefix.length === 0 || prefix.length > 253 || !SUBDOMAIN.test(prefix))) return false;
  return name.length > 0 && name.length <= 63 && NAME.test(name);
}

export function isValidLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && NAME.test(value));
}

function bad(selector: string, why: string): never {
  throw statusErrors.badRequest(`unable to parse requirement: ${why} (selector "${selector}")`);
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

export function parseLabelSelector(selector: string): LabelRequirement[] {
  const trimmed = selector.trim();
  if (trimmed === '') return [];
  return splitTopLevel(trimmed).map((raw) => {
    const part = raw.trim();
    if (!part) bad(selector, 'empty requirement');
    let m = /^!\s*(\S+)$/.exec(part);
    if (m) {
      if (!isValidLabelKey(m[1])) bad(selector, `invalid label key "${m[1]}"`);
      return { op: 'notexists', key: m[1] };
    }
    m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (m) {
      const values = m[3].split(',').map((v) => v.trim());
      if (!isValidLabelKey(m[1])) bad(selector, `invalid label key "${m[1]}"`);
      for (const v of values) if (!isValidLabelValue(v)) bad(selector, `invalid label value: "${v}"`);
      return { op: m[2] as 'in' | 'notin', key: m[1], values };
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (m) {
      if (!isValidLabelKey(m[1])) bad(selector, `invalid label key "${m[1]}"`);
      if (!isValidLabelValue(m[3])) bad(selector, `invalid label value: "${m[3]}"`);
      return { op: m[2] === '!=' ? '!=' : '=', key: m[1], value: m[3] };
    }
    if (/^\S+$/.test(part)) {
      if (!isValidLabelKey(part)) bad(selector, `invalid label key "${part}"`);
      return { op: 'exists', key: part };
    }
    return bad(selector, `found '${part}', expected: identifier`);
  });
}

export function matchesLabels(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
      case '=':
        return has && l[r.key] === r.value;
      case '!=':
        return !has || l[r.key] !== r.value;
    }
  });
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export function parseFieldSelector(selector: string, supported: readonly string[]): FieldRequirement[] {
  const trimmed = selector.trim();
  if (trimmed === '') return [];
  return trimmed.split(',').map((raw) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(raw.trim());
    if (!m) throw statusErrors.badRequest(`invalid selector: '${selector}'; can't understand '${raw}'`);
    const field = m[1].trim();
    if (!supported.includes(field)) throw statusErrors.badRequest(`field label not supported: ${field}`);
    return { field, op: m[2] === '!=' ? '!=' : '=', value: m[3].trim() };
  });
}

function fieldValue(obj: unknown, dotted: string): string {
  let cur: unknown = obj;
  for (const key of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

export function matchesFields(reqs: FieldRequirement[], obj: unknown): boolean {
  return reqs.every((r) => (fieldValue(obj, r.field) === r.value) === (r.op === '='));
}
