// In-memory objects with one global resourceVersion counter and a retained event log, as etcd-backed storage
// behaves: every write bumps the counter, watches replay the log after a given resourceVersion, and a version
// older than the retained window is answered with 410 Expired.
import { randomUUID } from 'node:crypto';
import { matchesFields, matchesLabels, type FieldRequirement, parseLabelSelector } from './selectors';
import { statusErrors, type ResourceRef } from './status';

export type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ResourceDef extends ResourceRef {
  kind: string;
  listKind: string;
  apiVersion: string;
  namespaced: boolean;
  /** Field selectors the API server supports for this resource (metadata.name/namespace always). */
  fields: readonly string[];
}

export const RESOURCES = {
  nodes: { resource: 'nodes', group: '', kind: 'Node', listKind: 'NodeList', apiVersion: 'v1', namespaced: false, fields: ['metadata.name', 'spec.unschedulable'] },
  pods: {
    resource: 'pods', group: '', kind: 'Pod', listKind: 'PodList', apiVersion: 'v1', namespaced: true,
    fields: ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase', 'spec.restartPolicy'],
  },
  events: {
    resource: 'events', group: '', kind: 'Event', listKind: 'EventList', apiVersion: 'v1', namespaced: true,
    fields: ['metadata.name', 'metadata.namespace', 'involvedObject.kind', 'involvedObject.name', 'involvedObject.namespace', 'involvedObject.uid', 'reason', 'type', 'source'],
  },
  jobs: { resource: 'jobs', group: 'batch', kind: 'Job', listKind: 'JobList', apiVersion: 'batch/v1', namespaced: true, fields: ['metadata.name', 'metadata.namespace', 'status.successful'] },
  daemonsets: { resource: 'daemonsets', group: 'apps', kind: 'DaemonSet', listKind: 'DaemonSetList', apiVersion: 'apps/v1', namespaced: true, fields: ['metadata.name', 'metadata.namespace'] },
} as const satisfies Record<string, ResourceDef>;

export type ResourceName = keyof typeof RESOURCES;

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface LoggedEvent {
  rv: number;
  resource: ResourceName;
  type: WatchEventType;
  object: Obj;
}

export interface WatchFilter {
  resource: ResourceName;
  namespace: string | null;
  labelSelector: string;
  fields: FieldRequirement[];
}

type Listener = (type: WatchEventType, object: Obj) => void;

const clone = <T>(v: T): T => structuredClone(v);

export function nowIso(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function key(namespace: string | null, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class Store {
  private rv = 1000;
  private readonly objects = new Map<ResourceName, Map<string, Obj>>();
  private readonly log: LoggedEvent[] = [];
  /** Events with rv <= this are forgotten; watching from before it is 410 Expired. */
  private compactedThrough = 0;
  private readonly listeners = new Set<{ filter: WatchFilter; fn: Listener }>();

  constructor() {
    for (const r of Object.keys(RESOURCES) as ResourceName[]) this.objects.set(r, new Map());
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  get(resource: ResourceName, namespace: string | null, name: string): Obj | undefined {
    const o = this.objects.get(resource)!.get(key(namespace, name));
    return o ? clone(o) : undefined;
  }

  mustGet(resource: ResourceName, namespace: string | null, name: string): Obj {
    const o = this.get(resource, namespace, name);
    if (!o) throw statusErrors.notFound(RESOURCES[resource], name);
    return o;
  }

  list(resource: ResourceName, namespace: string | null, labelSelector = '', fields: FieldRequirement[] = []): Obj[] {
    const reqs = parseLabelSelector(labelSelector);
    return [...this.objects.get(resource)!.values()]
      .filter((o) => namespace === null || o.metadata.namespace === namespace)
      .filter((o) => matchesLabels(reqs, o.metadata.labels) && matchesFields(fields, o))
      .sort((a, b) => key(a.metadata.namespace, a.metadata.name).localeCompare(key(b.metadata.namespace, b.metadata.name)))
      .map(clone);
  }

  /** Fills server-set metadata the way the API server does on create. */
  prepareCreate(resource: ResourceName, obj: Obj): Obj {
    const def = RESOURCES[resource];
    const o = clone(obj);
    o.apiVersion = def.apiVersion;
    o.kind = def.kind;
    o.metadata = { ...(o.metadata ?? {}) };
    if (!o.metadata.name && o.metadata.generateName) {
      o.metadata.name = `${o.metadata.generateName}${randomUUID().replace(/-/g, '').slice(0, 5)}`;
    }
    o.metadata.uid = randomUUID();
    o.metadata.creationTimestamp = nowIso();
    delete o.metadata.resourceVersion;
    return o;
  }

  create(resource: ResourceName, obj: Obj): Obj {
    const def = RESOURCES[resource];
    const ns = def.namespaced ? obj.metadata.namespace : null;
    const map = this.objects.get(resource)!;
    if (map.has(key(ns, obj.metadata.name))) throw statusErrors.alreadyExists(def, obj.metadata.name);
    const o = clone(obj);
    o.metadata.resourceVersion = String(++this.rv);
    map.set(key(ns, o.metadata.name), o);
    this.emit(resource, 'ADDED', o);
    return clone(o);
  }

  /** Replaces an object; `expectedRv` (when given) must match, as a precondition does on the API server. */
  update(resource: ResourceName, obj: Obj, expectedRv?: string): Obj {
    const def = RESOURCES[resource];
    const ns = def.namespaced ? obj.metadata.namespace : null;
    const map = this.objects.get(resource)!;
    const current = map.get(key(ns, obj.metadata.name));
    if (!current) throw statusErrors.notFound(def, obj.metadata.name);
    if (expectedRv !== undefined && expectedRv !== current.metadata.resourceVersion) throw statusErrors.conflict(def, obj.metadata.name);
    const o = clone(obj);
    o.metadata.resourceVersion = String(++this.rv);
    map.set(key(ns, o.metadata.name), o);
    this.emit(resource, 'MODIFIED', o);
    return clone(o);
  }

  delete(resource: ResourceName, namespace: string | null, name: string): Obj {
    const def = RESOURCES[resource];
    const map = this.objects.get(resource)!;
    const current = map.get(key(namespace, name));
    if (!current) throw statusErrors.notFound(def, name);
    map.delete(key(namespace, name));
    const o = clone(current);
    o.metadata.resourceVersion = String(++this.rv);
    this.emit(resource, 'DELETED', o);
    return clone(o);
  }

  /** Forgets the event history so far: a watch from a resourceVersion older than the current one now gets 410. */
  compact(): void {
    this.compactedThrough = this.rv;
    this.log.length = 0;
  }

  /**
   * Events for a watch starting after `fromRv`, or null when that version is too old. An empty or "0" fromRv
   * means "current state first": synthetic ADDED events for every matching object.
   */
  replay(filter: WatchFilter, fromRv: string): Array<{ type: WatchEventType; object: Obj }> | null {
    if (fromRv === '' || fromRv === '0') {
      return this.list(filter.resource, filter.namespace, filter.labelSelector, filter.fields).map((object) => ({
        type: 'ADDED' as const,
        object: withKind(filter.resource, object),
      }));
    }
    const from = Number(fromRv);
    if (!Number.isInteger(from)) return null;
    if (from < this.compactedThrough) return null;
    return this.log
      .filter((e) => e.rv > from && e.resource === filter.resource && this.matches(filter, e.object))
      .map((e) => ({ type: e.type, object: clone(e.object) }));
  }

  subscribe(filter: WatchFilter, fn: Listener): () => void {
    const entry = { filter, fn };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  private matches(filter: WatchFilter, o: Obj): boolean {
    if (filter.namespace !== null && o.metadata.namespace !== filter.namespace) return false;
    return matchesLabels(parseLabelSelector(filter.labelSelector), o.metadata.labels) && matchesFields(filter.fields, o);
  }

  private emit(resource: ResourceName, type: WatchEventType, o: Obj): void {
    const object = withKind(resource, o);
    this.log.push({ rv: Number(o.metadata.resourceVersion), resource, type, object });
    for (const l of this.listeners) {
      if (l.filter.resource === resource && this.matches(l.filter, object)) l.fn(type, clone(object));
    }
  }
}

/** Watch events carry kind/apiVersion on each object; list items do not. */
export function withKind(resource: ResourceName, o: Obj): Obj {
  const def = RESOURCES[resource];
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return { kind: def.kind, apiVersion: def.apiVersion, ...rest };
}

export function withoutKind(o: Obj): Obj {
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}
