// A small Kubernetes API server for tests: the real paths, verbs, status codes, Status bodies, list/watch framing
// and resourceVersion semantics for the handful of resources vethwatch touches (Jobs, Pods and their logs, Nodes and
// nodes/status, Events, DaemonSets, TokenReviews). Every request is recorded for exact assertions, and helpers
// script what the Job controller and kubelet would do. It speaks plain http with a bearer token; the generated
// kubeconfig says insecure-skip-tls-verify so client-node accepts that.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { defaultJob, JobController, type PodOutcome } from './jobController';
import { jsonMergePatch, NODE_MERGE_KEYS, strategicMergePatch } from './patch';
import { parseFieldSelector } from './selectors';
import { statusErrors, StatusError, type Status } from './status';
import { type Obj, RESOURCES, type ResourceName, Store, withKind, withoutKind } from './store';
import { type TokenIdentity, TokenReviews } from './tokenReviews';
import { validateEvent, validateJob } from './validation';

export type { TokenIdentity };

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  contentType: string | null;
  authorization: string | null;
  /** Parsed JSON when the body was JSON, the raw text otherwise, null when empty. */
  body: unknown;
  /** HTTP status the fake answered with (watch: 200 when the stream opened). */
  status: number;
}

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'patch' | 'update' | 'delete';

export interface ForbidRule {
  verb: Verb;
  /** Resource with optional subresource: 'jobs', 'pods/log', 'nodes/status', 'tokenreviews'. */
  resource: string;
  /** Only in this namespace; any namespace when omitted. */
  namespace?: string;
  /** A custom Status message, e.g. an admission webhook's denial; the RBAC wording when omitted. */
  message?: string;
}

export interface FakeKubeOptions {
  /** Bearer token clients must present; random when omitted. */
  token?: string;
  /** Username in 403 messages. */
  user?: string;
  /** Create a pod for each new Job at once, as the Job controller does (default true). */
  runJobControllers?: boolean;
}

interface Route {
  resource: ResourceName | 'tokenreviews';
  namespace: string | null;
  name: string | null;
  subresource: string | null;
}

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

function parseRoute(pathname: string): Route | null {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let gv: string;
  let rest: string[];
  if (parts[0] === 'api' && parts[1] === 'v1') [gv, rest] = ['v1', parts.slice(2)];
  else if (parts[0] === 'apis' && parts.length >= 3) [gv, rest] = [`${parts[1]}/${parts[2]}`, parts.slice(3)];
  else return null;
  if (gv === 'authentication.k8s.io/v1') {
    return rest.length === 1 && rest[0] === 'tokenreviews' ? { resource: 'tokenreviews', namespace: null, name: null, subresource: null } : null;
  }
  let namespace: string | null = null;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (!Object.hasOwn(RESOURCES, rest[0])) return null;
  const resource = rest[0] as ResourceName;
  const def = RESOURCES[resource];
  if (def.apiVersion !== gv || rest.length > 3) return null;
  if (!def.namespaced && namespace !== null) return null;
  // Namespaced resources can be listed across namespaces, but a named one is only reachable in its namespace.
  if (def.namespaced && namespace === null && rest.length > 1) return null;
  return { resource, namespace, name: rest[1] ?? null, subresource: rest[2] ?? null };
}

export class FakeKube {
  readonly store = new Store();
  readonly jobs: JobController;
  readonly requests: RecordedRequest[] = [];
  readonly token: string;
  private readonly user: string;
  private readonly runJobControllers: boolean;
  private forbidRules: ForbidRule[] = [];
  readonly tokenReviews = new TokenReviews();
  /** Open watch streams and how to detach each from the store. */
  private readonly openWatches = new Map<http.ServerResponse, () => void>();
  private expireWatches = 0;
  private server: http.Server | null = null;
  private port = 0;

  private constructor(opts: FakeKubeOptions) {
    this.token = opts.token ?? randomBytes(16).toString('hex');
    this.user = opts.user ?? 'system:serviceaccount:vethwatch:vethwatch-server';
    this.runJobControllers = opts.runJobControllers ?? true;
    this.jobs = new JobController(this.store);
  }

  static async start(opts: FakeKubeOptions = {}): Promise<FakeKube> {
    const fake = new FakeKube(opts);
    const server = http.createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.server = server;
    fake.port = (server.address() as AddressInfo).port;
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.dropWatches();
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A kubeconfig for this server: plain http, so insecure-skip-tls-verify must be true for client-node. */
  kubeconfigYaml(namespace = 'vethwatch'): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: fake',
      '  cluster:',
      `    server: ${this.url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: fake-user',
      '  user:',
      `    token: ${this.token}`,
      'contexts:',
      '- name: fake',
      '  context:',
      '    cluster: fake',
      '    user: fake-user',
      `    namespace: ${namespace}`,
      'current-context: fake',
      '',
    ].join('\n');
  }

  /** Writes the kubeconfig into dir and returns its path. */
  writeKubeconfig(dir: string, namespace = 'vethwatch'): string {
    const file = path.join(dir, 'kubeconfig');
    fs.writeFileSync(file, this.kubeconfigYaml(namespace), { mode: 0o600 });
    return file;
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  forbid(rule: ForbidRule): void {
    this.forbidRules.push(rule);
  }

  clearForbidRules(): void {
    this.forbidRules = [];
  }

  /** A token TokenReview will accept, with the identity it stands for. */
  addToken(token: string, identity: TokenIdentity): void {
    this.tokenReviews.add(token, identity);
  }

  /** A service-account token bound to a pod on a node, as the kubelet projects it. */
  addServiceAccountToken(
    token: string,
    sa: { namespace: string; name: string; podName: string; podUid: string; nodeName: string; nodeUid: string; audiences: string[] },
  ): void {
    this.addToken(token, {
      username: `system:serviceaccount:${sa.namespace}:${sa.name}`,
      uid: `sa-${sa.namespace}-${sa.name}`,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${sa.namespace}`, 'system:authenticated'],
      extra: {
        'authentication.kubernetes.io/credential-id': [`JTI=${randomBytes(8).toString('hex')}`],
        'authentication.kubernetes.io/node-name': [sa.nodeName],
        'authentication.kubernetes.io/node-uid': [sa.nodeUid],
        'authentication.kubernetes.io/pod-name': [sa.podName],
        'authentication.kubernetes.io/pod-uid': [sa.podUid],
      },
      audiences: sa.audiences,
    });
  }

  /** Creates or replaces a Node (server-set metadata filled in). */
  upsertNode(node: Obj): Obj {
    const existing = this.store.get('nodes', null, node.metadata.name);
    if (!existing) return this.store.create('nodes', this.store.prepareCreate('nodes', node));
    return this.store.update('nodes', { ...node, metadata: { ...existing.metadata, ...node.metadata } });
  }

  deleteNode(name: string): Obj {
    return this.store.delete('nodes', null, name);
  }

  /** Creates or replaces any namespaced object directly (e.g. the aws-node DaemonSet). */
  put(resource: ResourceName, obj: Obj): Obj {
    const ns = RESOURCES[resource].namespaced ? obj.metadata.namespace : null;
    const existing = this.store.get(resource, ns, obj.metadata.name);
    if (!existing) return this.store.create(resource, this.store.prepareCreate(resource, obj));
    return this.store.update(resource, { ...obj, metadata: { ...existing.metadata, ...obj.metadata } });
  }

  /** The Job's container started (optionally with log output so far). */
  startJobPod(namespace: string, jobName: string, log?: string): void {
    this.jobs.startPod(namespace, jobName, log);
  }

  /** The Job's container ended; the Job gets its terminal conditions. */
  finishJob(namespace: string, jobName: string, outcome: PodOutcome): void {
    this.jobs.finish(namespace, jobName, outcome);
  }

  /**
   * Ends every open watch. Cleanly (the API server's own watch timeout: the stream just ends) or abruptly (the TCP
   * connection is reset mid-stream, as when a load balancer or the API server dies).
   */
  dropWatches(opts: { abrupt?: boolean } = {}): number {
    const n = this.openWatches.size;
    for (const [res, detach] of [...this.openWatches]) {
      detach();
      if (opts.abrupt) res.socket?.destroy();
      else res.end();
    }
    return n;
  }

  /**
   * The next n watches get 410 Expired whatever resourceVersion they ask for: the race where etcd compacts
   * between a client's read and its watch.
   */
  expireNextWatches(n = 1): void {
    this.expireWatches += n;
  }

  get openWatchCount(): number {
    return this.openWatches.size;
  }

  // ---- request handling ----

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams.entries());
    const raw = await readBody(req);
    const contentType = req.headers['content-type'] ?? null;
    let body: unknown = raw === '' ? null : raw;
    if (raw !== '' && contentType && /json/.test(contentType)) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      contentType,
      authorization: req.headers.authorization ?? null,
      body,
      status: 0,
    };
    this.requests.push(record);
    try {
      if (req.headers.authorization !== `Bearer ${this.token}`) throw statusErrors.unauthorized();
      const route = parseRoute(url.pathname);
      if (!route) throw statusErrors.noSuchPath();
      await this.dispatch(req, res, route, query, body, raw, contentType, record);
    } catch (err) {
      const status: Status = err instanceof StatusError ? err.status : statusErrors.internal(`fake-kube: ${String(err)}`).status;
      record.status = status.code;
      if (!res.headersSent) sendJson(res, status.code, status);
      else res.end();
    }
  }

  private verbFor(method: string, route: Route, query: Record<string, string>): Verb {
    switch (method) {
      case 'GET':
        if (route.name) return 'get';
        return query.watch === 'true' || query.watch === '1' ? 'watch' : 'list';
      case 'POST':
        return 'create';
      case 'PATCH':
        return 'patch';
      case 'PUT':
        return 'update';
      case 'DELETE':
        return 'delete';
      default:
        throw statusErrors.methodNotAllowed(method);
    }
  }

  private checkForbidden(verb: Verb, route: Route): void {
    const resourceWord = route.subresource ? `${route.resource}/${route.subresource}` : route.resource;
    const rule = this.forbidRules.find(
      (r) => r.verb === verb && r.resource === resourceWord && (r.namespace === undefined || r.namespace === route.namespace),
    );
    if (!rule) return;
    const ref = route.resource === 'tokenreviews' ? { resource: 'tokenreviews', group: 'authentication.k8s.io' } : RESOURCES[route.resource];
    throw statusErrors.forbidden(ref, verb, this.user, route.namespace, route.subresource, rule.message);
  }

  private async dispatch(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    route: Route,
    query: Record<string, string>,
    body: unknown,
    raw: string,
    contentType: string | null,
    record: RecordedRequest,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const verb = this.verbFor(method, route, query);
    this.checkForbidden(verb, route);
    const reply = (code: number, payload: unknown) => {
      record.status = code;
      sendJson(res, code, payload);
    };

    if (route.resource === 'tokenreviews') {
      if (verb !== 'create') throw statusErrors.methodNotAllowed(method);
      return reply(201, this.tokenReviews.review(body));
    }
    const resource = route.resource;
    const def = RESOURCES[resource];

    if (query.dryRun !== undefined && query.dryRun !== 'All') {
      throw statusErrors.badRequest(`dryRun: Unsupported value: "${query.dryRun}": supported values: "All"`);
    }

    if (verb === 'list' || verb === 'watch') {
      if (route.subresource) throw statusErrors.noSuchPath();
      const fields = parseFieldSelector(query.fieldSelector ?? '', def.fields);
      const labelSelector = query.labelSelector ?? '';
      if (verb === 'list') {
        const items = this.store.list(resource, route.namespace, labelSelector, fields).map(withoutKind);
        return reply(200, { kind: def.listKind, apiVersion: def.apiVersion, metadata: { resourceVersion: this.store.resourceVersion }, items });
      }
      return this.watch(res, { resource, namespace: route.namespace, labelSelector, fields }, query, record);
    }

    if (verb === 'create') {
      if (route.name) throw statusErrors.methodNotAllowed(method);
      return reply(201, this.create(resource, route.namespace, body, raw, contentType, query.dryRun === 'All'));
    }

    if (!route.name) throw statusErrors.methodNotAllowed(method);
    const ns = def.namespaced ? route.namespace : null;

    if (verb === 'get') {
      if (route.subresource === 'log' && resource === 'pods') {
        const text = this.podLog(route.namespace!, route.name, query);
        record.status = 200;
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(text);
        return;
      }
      if (route.subresource && route.subresource !== 'status') throw statusErrors.noSuchPath();
      return reply(200, withKind(resource, this.store.mustGet(resource, ns, route.name)));
    }

    if (verb === 'patch') {
      if (!(resource === 'nodes' && route.subresource === 'status')) throw statusErrors.methodNotAllowed(method);
      return reply(200, this.patchNodeStatus(route.name, body, contentType, query.dryRun === 'All'));
    }
    throw statusErrors.methodNotAllowed(method);
  }

  private create(resource: ResourceName, namespace: string | null, body: unknown, raw: string, contentType: string | null, dryRun: boolean): Obj {
    const def = RESOURCES[resource];
    if (!contentType || !/^application\/json\b/.test(contentType)) {
      throw statusErrors.unsupportedMediaType(contentType ?? '', ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
    }
    if (!body || typeof body !== 'object') throw statusErrors.badRequest(`Object 'Kind' is missing in '${raw.slice(0, 200)}'`);
    const obj = structuredClone(body) as Obj; // the recorded request keeps what the client sent
    if (obj.kind !== def.kind) throw statusErrors.badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${def.kind})`);
    if (obj.apiVersion !== def.apiVersion) {
      throw statusErrors.badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${def.apiVersion})`);
    }
    if (def.namespaced) {
      if (obj.metadata?.namespace && obj.metadata.namespace !== namespace) {
        throw statusErrors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata = { ...(obj.metadata ?? {}), namespace };
    }
    let prepared = this.store.prepareCreate(resource, obj);
    const causes = resource === 'jobs' ? validateJob(prepared) : resource === 'events' ? validateEvent(prepared, namespace ?? '') : [];
    if (causes.length > 0) throw statusErrors.invalid(def, def.kind, prepared.metadata.name ?? '', causes);
    if (resource === 'jobs') prepared = defaultJob(prepared);
    if (this.store.get(resource, def.namespaced ? namespace : null, prepared.metadata.name)) {
      throw statusErrors.alreadyExists(def, prepared.metadata.name);
    }
    if (dryRun) return prepared; // validated and defaulted, never stored, no resourceVersion
    const created = this.store.create(resource, prepared);
    if (resource === 'jobs' && this.runJobControllers) {
      this.jobs.onJobCreated(created);
      return withKind('jobs', this.store.mustGet('jobs', namespace, created.metadata.name));
    }
    return withKind(resource, created);
  }

  private patchNodeStatus(name: string, body: unknown, contentType: string | null, dryRun: boolean): Obj {
    const type = (contentType ?? '').split(';')[0].trim();
    if (type !== 'application/merge-patch+json' && type !== 'application/strategic-merge-patch+json') {
      // The real server also takes JSON patch and apply; this fake deliberately does not, so a test notices.
      throw statusErrors.unsupportedMediaType(type, PATCH_TYPES.slice(1, 3));
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw statusErrors.badRequest('the body of the patch must be a JSON object');
    const current = this.store.mustGet('nodes', null, name);
    const patch = body as Obj;
    const expectedRv: string | undefined = patch.metadata?.resourceVersion;
    if (expectedRv !== undefined && expectedRv !== current.metadata.resourceVersion) throw statusErrors.conflict(RESOURCES.nodes, name);
    const merged =
      type === 'application/merge-patch+json' ? (jsonMergePatch(current, patch) as Obj) : (strategicMergePatch(current, patch, NODE_MERGE_KEYS) as Obj);
    // The status subresource ignores everything but status.
    const next = { ...current, status: merged.status };
    if (dryRun) return withKind('nodes', next);
    return withKind('nodes', this.store.update('nodes', next, current.metadata.resourceVersion));
  }

  private podLog(namespace: string, name: string, query: Record<string, string>): string {
    const pod = this.store.mustGet('pods', namespace, name);
    const names: string[] = pod.spec.containers.map((c: Obj) => c.name);
    let container = query.container;
    if (!container) {
      if (names.length !== 1) throw statusErrors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
      container = names[0];
    }
    if (!names.includes(container)) throw statusErrors.badRequest(`container ${container} is not valid for pod ${name}`);
    const cs = (pod.status.containerStatuses ?? []).find((s: Obj) => s.name === container);
    if (!cs || cs.state?.waiting) {
      throw statusErrors.badRequest(`container "${container}" in pod "${name}" is waiting to start: ${cs?.state?.waiting?.reason ?? 'ContainerCreating'}`);
    }
    let text = this.jobs.logs.get(`${namespace}/${name}/${container}`) ?? '';
    if (query.tailLines !== undefined) {
      const n = Number(query.tailLines);
      const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
      text = lines.slice(Math.max(0, lines.length - n)).join('\n') + (text.endsWith('\n') ? '\n' : '');
    }
    if (query.limitBytes !== undefined) text = Buffer.from(text).subarray(0, Number(query.limitBytes)).toString();
    return text;
  }

  private watch(
    res: http.ServerResponse,
    filter: { resource: ResourceName; namespace: string | null; labelSelector: string; fields: ReturnType<typeof parseFieldSelector> },
    query: Record<string, string>,
    record: RecordedRequest,
  ): void {
    let initial = this.store.replay(filter, query.resourceVersion ?? '');
    if (this.expireWatches > 0 && query.resourceVersion) {
      this.expireWatches--;
      initial = null;
    }
    record.status = 200;
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders(); // the API server answers a watch at once, before any event
    const write = (type: string, object: unknown) => {
      if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
    };
    if (initial === null) {
      // As the real server does for a compacted version: 200, one ERROR event carrying a 410 Status, end.
      write('ERROR', statusErrors.expired(`too old resource version: ${query.resourceVersion} (${this.store.resourceVersion})`).status);
      res.end();
      return;
    }
    for (const e of initial) write(e.type, e.object);
    const unsubscribe = this.store.subscribe(filter, (type, object) => write(type, object));
    let timer: NodeJS.Timeout | undefined;
    const detach = () => {
      unsubscribe();
      this.openWatches.delete(res);
      if (timer) clearTimeout(timer);
    };
    this.openWatches.set(res, detach);
    const timeout = Number(query.timeoutSeconds);
    if (Number.isFinite(timeout) && timeout > 0) {
      timer = setTimeout(() => {
        detach();
        res.end();
      }, timeout * 1000);
    }
    res.on('close', detach);
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, code: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

