// Evaluates a rendered ValidatingAdmissionPolicy the way kube-apiserver does for one request: matchConstraints
// (resource rules), matchConditions (all must be true or the policy does not apply), variables (bound as
// `variables.NAME`), then every validation; a validation that is false or fails to evaluate denies, since the
// policies use failurePolicy Fail. Expressions run in @bufbuild/cel, a conformant CEL evaluator; objects are
// converted as the API server presents them (maps, integers as int, absent instead of null).
import { type CelInput, isCelError, run } from '@bufbuild/cel';
import type { Manifest } from './render';

export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  group: string;
  version: string;
  /** Resource with "/subresource" when there is one: 'jobs', 'nodes/status'. */
  resource: string;
  username: string;
  object: unknown;
  oldObject?: unknown;
  params?: unknown;
}

export type AdmissionOutcome = { applies: false } | { applies: true; denied: string[] };

/** JSON to CEL input: objects as maps, whole numbers as int, nulls dropped (the API server omits them). */
export function toCel(v: unknown): CelInput {
  if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined).map(toCel);
  if (v !== null && typeof v === 'object') {
    return new Map(Object.entries(v).filter(([, x]) => x !== null && x !== undefined).map(([k, x]) => [k, toCel(x)]));
  }
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return v as CelInput;
}

function ruleMatches(rule: Manifest, req: AdmissionRequest): boolean {
  const has = (list: string[] | undefined, value: string) => (list ?? []).includes(value) || (list ?? []).includes('*');
  return has(rule.apiGroups, req.group) && has(rule.apiVersions, req.version) && has(rule.operations, req.operation) && has(rule.resources, req.resource);
}

export function evaluatePolicy(policy: Manifest, req: AdmissionRequest): AdmissionOutcome {
  const spec = policy.spec;
  if (!(spec.matchConstraints?.resourceRules ?? []).some((r: Manifest) => ruleMatches(r, req))) return { applies: false };
  const bindings: Record<string, CelInput> = {
    object: toCel(req.object ?? null),
    oldObject: toCel(req.oldObject ?? null),
    params: toCel(req.params ?? null),
    request: toCel({ operation: req.operation, userInfo: { username: req.username } }),
  };
  for (const c of spec.matchConditions ?? []) {
    const r = run(c.expression, bindings);
    if (isCelError(r)) throw new Error(`matchCondition ${c.name}: ${r.message}`);
    if (r !== true) return { applies: false };
  }
  const variables = new Map<string, CelInput>();
  const failed = new Map<string, string>();
  for (const v of spec.variables ?? []) {
    const r = run(v.expression, { ...bindings, variables: variables });
    // An expression that reads a variable that failed fails too; remember why, to report it.
    if (isCelError(r)) failed.set(v.name, r.message);
    else variables.set(v.name, r as CelInput);
  }
  const denied: string[] = [];
  for (const val of spec.validations ?? []) {
    const r = run(val.expression, { ...bindings, variables });
    if (r === true) continue;
    denied.push(isCelError(r) ? `${val.message} (error: ${r.message}${failed.size ? `; ${[...failed].map(([k, m]) => `${k}: ${m}`).join(', ')}` : ''})` : val.message);
  }
  return { applies: true, denied };
}
