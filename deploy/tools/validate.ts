// Validates a manifest two ways: against the Kubernetes OpenAPI schemas compiled into kubernetes-models (types,
// required fields, enums, formats), and field by field against client-node's generated models, which know every
// field the API has, so a misspelt or misplaced key (which the API server would drop or, under kubectl's strict
// field validation, refuse) is caught too.
import * as k8s from '@kubernetes/client-node';
import type { Manifest } from './render';

type ModelClass = { getAttributeTypeMap(): Array<{ baseName: string; type: string }> };

const MODEL_MODULES: Record<string, string> = {
  'v1': 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'batch/v1': 'kubernetes-models/batch/v1',
  'policy/v1': 'kubernetes-models/policy/v1',
  'networking.k8s.io/v1': 'kubernetes-models/networking.k8s.io/v1',
  'admissionregistration.k8s.io/v1': 'kubernetes-models/admissionregistration.k8s.io/v1',
  'rbac.authorization.k8s.io/v1': 'kubernetes-models/rbac.authorization.k8s.io/v1',
};

/** Schema errors from kubernetes-models, as "path message" strings; empty when valid. */
export async function schemaErrors(m: Manifest): Promise<string[]> {
  const base = MODEL_MODULES[m.apiVersion];
  if (!base) return [`no schema known for apiVersion ${m.apiVersion}`];
  let mod: Record<string, new (data: unknown) => { validate(): void }>;
  try {
    mod = await import(`${base}/${m.kind}`);
  } catch {
    return [`no schema known for ${m.apiVersion} ${m.kind}`];
  }
  const Model = mod[m.kind];
  if (!Model) return [`no schema known for ${m.apiVersion} ${m.kind}`];
  try {
    new Model(m).validate();
    return [];
  } catch (err) {
    const e = err as { errors?: Array<{ instancePath: string; message?: string }>; message: string };
    return e.errors?.map((x) => `${x.instancePath || '/'} ${x.message ?? ''}`.trim()) ?? [e.message];
  }
}

const MAP_TYPE = /^\{ \[key: string\]: (.+); \}$/;
const OPAQUE = new Set(['string', 'number', 'boolean', 'any', 'Date', 'IntOrString', 'object']);

function walk(value: unknown, type: string, at: string, out: string[]): void {
  if (value === null || value === undefined || OPAQUE.has(type)) return;
  if (type.startsWith('Array<')) {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, type.slice(6, -1), `${at}[${i}]`, out));
    return;
  }
  const map = MAP_TYPE.exec(type);
  if (map) {
    if (typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, map[1], `${at}.${k}`, out);
    return;
  }
  const model = (k8s as unknown as Record<string, ModelClass | undefined>)[type];
  if (!model?.getAttributeTypeMap || typeof value !== 'object' || Array.isArray(value)) return;
  const attrs = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    const t = attrs.get(k);
    if (t === undefined) out.push(`${at}.${k}`);
    else walk(v, t, `${at}.${k}`, out);
  }
}

/** Keys that no version of the API defines at that place, e.g. "spec.template.spec.containers[0].securityContex". */
export function unknownFields(m: Manifest): string[] {
  const version = String(m.apiVersion).split('/').pop()!;
  const prefix = version.charAt(0).toUpperCase() + version.slice(1);
  const type = m.kind === 'Event' && m.apiVersion === 'v1' ? 'CoreV1Event' : `${prefix}${m.kind}`;
  if (!(k8s as unknown as Record<string, unknown>)[type]) return [`no model for ${m.apiVersion} ${m.kind}`];
  const out: string[] = [];
  walk(m, type, '', out);
  return out.map((p) => p.replace(/^\./, ''));
}
