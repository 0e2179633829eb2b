// Just enough of `kustomize build` to render deploy/ in tests without the binary: `resources` (files and
// directories with their own kustomization.yaml), and `patches` that are either JSON 6902 ops on a target or a
// strategic-merge file whose only directive is `$patch: delete`. Anything else in a kustomization is refused, so
// a feature added to the YAML cannot be silently skipped here.
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export type Manifest = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export class KustomizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KustomizeError';
  }
}

const KNOWN_KEYS = new Set(['apiVersion', 'kind', 'resources', 'patches']);

/** Parses a multi-document YAML file as Kubernetes does (YAML 1.1, duplicate keys refused). */
export function parseManifests(file: string): Manifest[] {
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'), { version: '1.1', uniqueKeys: true });
  const out: Manifest[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new KustomizeError(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new KustomizeError(`${file}: a document is not a mapping`);
    out.push(value as Manifest);
  }
  return out;
}

export function resourceId(m: Manifest): string {
  const group = String(m.apiVersion ?? '').includes('/') ? String(m.apiVersion).split('/')[0] : '';
  return `${group}/${m.kind}/${m.metadata?.namespace ?? ''}/${m.metadata?.name}`;
}

export function renderKustomization(dir: string): Manifest[] {
  const file = path.join(dir, 'kustomization.yaml');
  if (!fs.existsSync(file)) throw new KustomizeError(`${dir}: no kustomization.yaml`);
  const [k] = parseManifests(file);
  if (k.kind !== 'Kustomization') throw new KustomizeError(`${file}: kind must be Kustomization`);
  for (const key of Object.keys(k)) if (!KNOWN_KEYS.has(key)) throw new KustomizeError(`${file}: "${key}" is not supported by this renderer`);
  let out: Manifest[] = [];
  for (const r of (k.resources ?? []) as string[]) {
    const p = path.resolve(dir, r);
    if (!fs.existsSync(p)) throw new KustomizeError(`${file}: resource ${r} does not exist`);
    out.push(...(fs.statSync(p).isDirectory() ? renderKustomization(p) : parseManifests(p)));
  }
  for (const patch of (k.patches ?? []) as Manifest[]) out = applyPatch(out, patch, dir);
  const seen = new Set<string>();
  for (const m of out) {
    const id = resourceId(m);
    if (seen.has(id)) throw new KustomizeError(`${file}: ${id} is defined twice`);
    seen.add(id);
  }
  return out;
}

function matches(m: Manifest, target: Manifest): boolean {
  const [group, version] = String(m.apiVersion).includes('/') ? String(m.apiVersion).split('/') : ['', m.apiVersion];
  return (
    (target.kind === undefined || target.kind === m.kind) &&
    (target.name === undefined || target.name === m.metadata?.name) &&
    (target.namespace === undefined || target.namespace === m.metadata?.namespace) &&
    (target.group === undefined || target.group === group) &&
    (target.version === undefined || target.version === version)
  );
}

function applyPatch(resources: Manifest[], patch: Manifest, dir: string): Manifest[] {
  if (patch.path && !patch.target) {
    const docs = parseManifests(path.resolve(dir, patch.path));
    let out = resources;
    for (const doc of docs) {
      if (doc.$patch !== 'delete') throw new KustomizeError(`${patch.path}: only "$patch: delete" strategic-merge patches are supported`);
      const target = { kind: doc.kind, name: doc.metadata?.name, namespace: doc.metadata?.namespace };
      const before = out.length;
      out = out.filter((m) => !matches(m, target));
      if (out.length === before) throw new KustomizeError(`${patch.path}: nothing matches ${doc.kind}/${doc.metadata?.name} to delete`);
    }
    return out;
  }
  if (patch.target && typeof patch.patch === 'string') {
    const ops = parseAllDocuments(patch.patch, { version: '1.1' })[0].toJS() as Manifest[];
    const hits = resources.filter((m) => matches(m, patch.target));
    if (hits.length === 0) throw new KustomizeError(`patch target ${JSON.stringify(patch.target)} matches nothing`);
    return resources.map((m) => (hits.includes(m) ? applyJson6902(structuredClone(m), ops) : m));
  }
  throw new KustomizeError(`unsupported patch entry: ${JSON.stringify(patch)}`);
}

function pointer(p: string): string[] {
  if (!p.startsWith('/')) throw new KustomizeError(`JSON pointer must start with "/": ${p}`);
  return p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function applyJson6902(doc: Manifest, ops: Manifest[]): Manifest {
  for (const op of ops) {
    const keys = pointer(op.path);
    const last = keys.pop()!;
    let parent: any = doc; // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const key of keys) {
      parent = Array.isArray(parent) ? parent[Number(key)] : parent?.[key];
      if (parent === undefined || parent === null) throw new KustomizeError(`${op.op} ${op.path}: parent does not exist`);
    }
    const exists = Array.isArray(parent) ? last === '-' || Number(last) < parent.length : Object.hasOwn(parent, last);
    switch (op.op) {
      case 'add':
        if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, op.value);
        else parent[last] = op.value;
        break;
      case 'replace':
        if (!exists || last === '-') throw new KustomizeError(`replace ${op.path}: no such element`);
        parent[Array.isArray(parent) ? Number(last) : last] = op.value;
        break;
      case 'remove':
        if (!exists || last === '-') throw new KustomizeError(`remove ${op.path}: no such element`);
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete parent[last];
        break;
      default:
        throw new KustomizeError(`JSON patch op "${op.op}" is not supported by this renderer`);
    }
  }
  return doc;
}
