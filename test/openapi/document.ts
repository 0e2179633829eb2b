// Builds the OpenAPI 3.1 document of the whole HTTP API, served as public/openapi.json. Component schemas are
// generated from test/openapi/schemas.ts with zod 4's z.toJSONSchema (JSON Schema 2020-12, OpenAPI 3.1's dialect).
// `node --import tsx test/openapi/write.ts` rewrites the file; test/openapi/openapi.test.ts fails when it is stale.
import { z } from 'zod';
import { COMPONENTS } from './schemas';

type Json = Record<string, unknown>;

const ref = (name: keyof typeof COMPONENTS) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: keyof typeof COMPONENTS, description: string) => ({ description, content: { 'application/json': { schema: ref(name) } } });
const error = (description: string) => json('ErrorBody', description);
const body = (name: keyof typeof COMPONENTS) => ({ required: true, content: { 'application/json': { schema: ref(name) } } });
const param = (name: string, where: 'path' | 'query', description: string, schema: Json = { type: 'string' }) => ({
  name,
  in: where,
  required: where === 'path',
  description,
  schema,
});
const historyParams = [
  param('from', 'query', 'start of the range (RFC 3339); default 24 h before `to`'),
  param('to', 'query', 'end of the range (RFC 3339); default now'),
  param('limit', 'query', 'page size (1-1000, default 200)', { type: 'integer', minimum: 1, maximum: 1000 }),
  param('cursor', 'query', 'nextCursor of the previous page'),
];
const csv = { 'text/csv': { schema: { type: 'string' } } };
const nodeName = param('name', 'path', 'the node name, as its agent reports it');
const operator = [{ operatorToken: [] }, { session: [] }, { proxy: [] }];
const common = {
  '400': error('the body is not JSON'),
  '422': error('bad parameters or body (`issues` lists them)'),
  '405': error('method not allowed (`Allow` lists the methods)'),
};
const mutation = {
  ...common,
  '401': error('not signed in as an operator'),
  '403': error('a viewer, a cross-site request, or a missing CSRF header (`x-vethwatch-csrf: 1`) with a session cookie'),
};

const paths: Record<string, Json> = {
  '/api/v1/reports': {
    post: {
      operationId: 'postReport',
      tags: ['agents'],
      summary: 'An agent report (lean path of the custom server)',
      description: 'Bodies are capped before buffering. A ServiceAccount token may only report for its own node.',
      security: [{ agentToken: [] }],
      requestBody: body('Report'),
      responses: {
        '200': json('ReportAccepted', 'the same reportId was stored before (duplicate)'),
        '202': json('ReportAccepted', 'stored'),
        '400': error('not JSON'),
        '401': error('no or wrong agent token'),
        '403': error('the token belongs to another node or service account'),
        '405': error('not POST'),
        '413': error('body too large'),
        '422': error('fails the report schema, or collectedAt is too far ahead of the server clock'),
        '503': error('the Kubernetes API server could not check the token; retry'),
      },
    },
  },
  '/api/v1/agent/verifications': {
    post: {
      operationId: 'postVerification',
      tags: ['agents'],
      summary: 'A `verify --watch` run: whether udev kept probe veths\' MACs (lean path of the custom server)',
      description: 'Bodies are capped at 4 MiB before buffering. A ServiceAccount token may only post for its own node; the node must have reported. The newest 20 runs per node are kept.',
      security: [{ agentToken: [] }],
      requestBody: body('Verification'),
      responses: {
        '200': json('VerificationAccepted', 'stored (duplicate: this verificationId was stored before)'),
        '400': error('not JSON'),
        '401': error('no or wrong agent token'),
        '403': error('the token belongs to another node'),
        '404': error('the node has never reported'),
        '405': error('not POST'),
        '413': error('body too large'),
        '422': error('fails the verification schema'),
      },
    },
  },
  '/api/v1/agent/remediations/claim': {
    post: {
      operationId: 'claimRemediation',
      tags: ['agents'],
      summary: "The local agent claims its node's pending remediation (lean path of the custom server)",
      description: 'The credential is checked before the body is read; the body is capped at 4 KiB. A ServiceAccount token may only claim for its own node. A claimed remediation turns `running`.',
      security: [{ agentToken: [] }],
      requestBody: body('AgentClaim'),
      responses: {
        '200': json('AgentAssignment', 'a remediation to run, now running'),
        '204': { description: 'nothing to run for this node' },
        '400': error('not JSON'),
        '401': error('no or wrong agent token'),
        '403': error('the token belongs to another node'),
        '405': error('not POST'),
        '413': error('body too large'),
        '422': error('fails the claim schema'),
        '503': error('the Kubernetes API server could not check the token; retry'),
      },
    },
  },
  '/api/v1/agent/remediations/{remediationId}/result': {
    post: {
      operationId: 'postRemediationResult',
      tags: ['agents'],
      summary: 'The local agent posts the outcome of a claimed remediation (lean path of the custom server)',
      description: 'The credential is checked before the body is read; the body is capped at 4 MiB. The node is the one the run\'s own document names; a ServiceAccount token may only post for its own node.',
      security: [{ agentToken: [] }],
      parameters: [param('remediationId', 'path', 'the id from the claim', { type: 'string', format: 'uuid' })],
      requestBody: body('AgentRunReport'),
      responses: {
        '200': json('AgentRunAccepted', 'recorded; the node\'s next report verifies it'),
        '400': error('not JSON'),
        '401': error('no or wrong agent token'),
        '403': error('the token belongs to another node'),
        '404': error('no local remediation with this id for that node'),
        '405': error('not POST'),
        '409': error('the remediation is not running (its result was already recorded, or it was never claimed)'),
        '413': error('body too large'),
        '422': error('fails the run-report schema'),
        '503': error('the Kubernetes API server could not check the token; retry'),
      },
    },
  },
  '/api/v1/nodes': {
    get: {
      operationId: 'getFleet',
      tags: ['nodes'],
      summary: 'The fleet: every node with its state, or with `?q=` a search (lean path)',
      description: 'Without `q`: the fleet view. With `q`: nodes whose name contains the term, and up to 100 veths whose pod name, namespace, pod IP, veth name or MAC contains it (`truncated` when more matched).',
      parameters: [param('q', 'query', 'search term: 2-253 characters, letters, digits and . _ : / - only', { type: 'string', minLength: 2, maxLength: 253, pattern: '^[A-Za-z0-9._:/-]+$' })],
      responses: {
        '200': { description: 'the fleet view (no `q`) or the search (`q`); gzip when accepted', content: { 'application/json': { schema: { oneOf: [ref('FleetView'), ref('FleetSearch')] } } } },
        '405': common['405'],
        '422': error('`q` is not a search term the API takes'),
      },
    },
  },
  '/api/v1/nodes/{name}': {
    get: {
      operationId: 'getNode',
      tags: ['nodes'],
      summary: "A node's latest full picture",
      parameters: [nodeName],
      responses: { '200': json('NodeDetail', 'the node'), '404': error('no node of that name has reported'), '405': common['405'] },
    },
  },
  '/api/v1/nodes/{name}/veths/{ifname}/history': {
    get: {
      operationId: 'getVethHistory',
      tags: ['history'],
      summary: "One host veth's changes (MAC, ARP state, appearance)",
      parameters: [nodeName, param('ifname', 'path', 'the host veth name'), ...historyParams, param('order', 'query', 'asc or desc', { enum: ['asc', 'desc'] }), param('format', 'query', 'json (default) or csv', { enum: ['json', 'csv'] })],
      responses: { '200': { description: 'a page of entries', content: { 'application/json': { schema: ref('VethHistoryResponse') }, ...csv } }, '422': common['422'], '404': error('unknown node') },
    },
  },
  '/api/v1/nodes/{name}/host-devices': {
    get: {
      operationId: 'getHostDevices',
      tags: ['history'],
      summary: "The CNI's host devices (cni0, flannel.1, cilium_host, ...) of the last report, each with its last MAC change",
      parameters: [nodeName],
      responses: { '200': json('HostDevicesResponse', 'the devices'), '404': error('unknown node') },
    },
  },
  '/api/v1/nodes/{name}/host-devices/{ifname}/history': {
    get: {
      operationId: 'getHostDeviceHistory',
      tags: ['history'],
      summary: "One CNI host device's changes (appearance, MAC)",
      parameters: [nodeName, param('ifname', 'path', 'the host device name (cni0, flannel.1, ...)'), ...historyParams, param('order', 'query', 'asc or desc', { enum: ['asc', 'desc'] }), param('format', 'query', 'json (default) or csv', { enum: ['json', 'csv'] })],
      responses: { '200': { description: 'a page of entries', content: { 'application/json': { schema: ref('HostDeviceHistoryResponse') }, ...csv } }, '422': common['422'], '404': error('unknown node') },
    },
  },
  '/api/v1/nodes/{name}/arp-timeline': {
    get: {
      operationId: 'getArpTimeline',
      tags: ['history'],
      summary: "Intervals during which each pod's gateway entry was wrong",
      parameters: [nodeName, ...historyParams],
      responses: { '200': json('ArpTimelineResponse', 'lanes and intervals'), '422': common['422'], '404': error('unknown node') },
    },
  },
  '/api/v1/nodes/{name}/link-files/history': {
    get: {
      operationId: 'getLinkFileHistory',
      tags: ['history'],
      summary: 'Versions of each .link file and the drift findings (content changed with an old mtime, policy changes)',
      parameters: [nodeName, ...historyParams, param('path', 'query', 'only this link file'), param('format', 'query', 'json (default) or csv', { enum: ['json', 'csv'] })],
      responses: { '200': { description: 'files and drift', content: { 'application/json': { schema: ref('LinkFileHistoryResponse') }, ...csv } }, '422': common['422'], '404': error('unknown node') },
    },
  },
  '/api/v1/events': {
    get: {
      operationId: 'getEvents',
      tags: ['history'],
      summary: 'Stored events, fleet-wide or for one node',
      parameters: [...historyParams, param('node', 'query', 'only this node'), param('type', 'query', 'only these event types (repeatable)'), param('order', 'query', 'asc or desc', { enum: ['asc', 'desc'] }), param('format', 'query', 'json (default) or csv', { enum: ['json', 'csv'] })],
      responses: { '200': { description: 'a page of events', content: { 'application/json': { schema: ref('EventsResponse') }, ...csv } }, '422': common['422'] },
    },
  },
  '/api/v1/stream': {
    get: {
      operationId: 'streamEvents',
      tags: ['history'],
      summary: 'Server-sent events: every new stored event (lean path)',
      description: 'Each message is `id: <event id>` and `data: <HistoryEvent JSON>`; reconnect with `Last-Event-ID`. Streams are capped per client and in total.',
      parameters: [param('node', 'query', 'only this node'), param('lastEventId', 'query', 'resume after this id (the Last-Event-ID header wins)')],
      responses: {
        '200': { description: 'text/event-stream of HistoryEvent', content: { 'text/event-stream': { schema: { type: 'string' }, itemSchema: ref('HistoryEvent') } } },
        '422': common['422'],
        '429': error('too many streams from this client (Retry-After)'),
        '503': error('too many streams in total (Retry-After)'),
      },
    },
  },
  '/api/v1/nodes/{name}/remediations': {
    get: {
      operationId: 'getNodeRemediations',
      tags: ['remediation'],
      summary: "The node's active and past remediations",
      parameters: [nodeName, param('include', 'query', '`planned` to include previews')],
      responses: { '200': json('RemediationList', 'newest first'), '422': common['422'] },
    },
    post: {
      operationId: 'postNodeRemediation',
      tags: ['remediation'],
      summary: 'Preview (`{dryRun: true}`) or apply (`{planId}`) a fix for the node (operators)',
      security: operator,
      parameters: [nodeName],
      requestBody: body('RemediationRequest'),
      responses: {
        '200': json('PlanPreview', 'the preview'),
        '202': json('ApplyResponse', 'applied: the executor started it'),
        ...mutation,
        '409': error('refused now: `code` is active, cap, paused, stale-plan, expired, already-applied or job-exists'),
        '422': error('refused: `code` is nothing-to-do, no-executor, not-local-node or dry-run-refused'),
      },
    },
  },
  '/api/v1/remediations': {
    get: {
      operationId: 'listRemediations',
      tags: ['remediation'],
      summary: 'Remediations fleet-wide',
      parameters: [param('node', 'query', 'only this node'), param('status', 'query', 'only this status'), param('limit', 'query', 'at most this many', { type: 'integer' }), param('include', 'query', '`planned` to include previews')],
      responses: { '200': json('RemediationList', 'newest first'), '422': common['422'] },
    },
  },
  '/api/v1/remediations/{id}': {
    get: {
      operationId: 'getRemediation',
      tags: ['remediation'],
      summary: 'One remediation with its progress, evidence and verification',
      parameters: [param('id', 'path', 'remediation id')],
      responses: { '200': json('RemediationRecord', 'the remediation'), '404': error('no such remediation') },
    },
  },
  '/api/v1/remediations/fleet': {
    post: {
      operationId: 'postFleet',
      tags: ['remediation'],
      summary: '"Fix all at-risk nodes": preview every node (`{dryRun: true}`), run the previews in waves (`{plans}`), or resume an interrupted run (`{resume: id}`)',
      security: operator,
      requestBody: body('FleetRequest'),
      responses: { '200': json('FleetPreview', 'the preview'), '202': json('FleetRun', 'the run started'), ...mutation, '404': error('resume: no such fleet run'), '409': error('paused, a node listed twice, or resume of a run that is not interrupted') },
    },
  },
  '/api/v1/remediations/fleet/{id}': {
    get: {
      operationId: 'getFleetRun',
      tags: ['remediation'],
      summary: 'A fleet run and each node in it',
      parameters: [param('id', 'path', 'fleet run id')],
      responses: { '200': json('FleetRun', 'the run'), '404': error('no such fleet run') },
    },
  },
  '/api/v1/remediation-settings': {
    get: { operationId: 'getRemediationSettings', tags: ['remediation'], summary: 'The pause switch and the fleet-wide cap', responses: { '200': json('RemediationSettings', 'the settings') } },
    put: {
      operationId: 'putRemediationSettings',
      tags: ['remediation'],
      summary: 'Pause (with a reason), resume, or change the cap (operators)',
      security: operator,
      requestBody: body('RemediationSettingsUpdate'),
      responses: { '200': json('RemediationSettings', 'the settings now'), ...mutation },
    },
  },
  '/api/v1/audit': {
    get: {
      operationId: 'getAudit',
      tags: ['remediation'],
      summary: 'The audit log, newest first',
      parameters: [param('cursor', 'query', 'nextCursor of the previous page'), param('from', 'query', 'RFC 3339'), param('to', 'query', 'RFC 3339'), param('node', 'query', 'only this node'), param('limit', 'query', 'page size', { type: 'integer' })],
      responses: { '200': json('AuditPage', 'a page'), '422': common['422'] },
    },
  },
  '/api/v1/me': {
    get: { operationId: 'getMe', tags: ['session'], summary: 'Who the caller is and what would run a remediation', responses: { '200': json('MeResponse', 'the caller') } },
  },
  '/api/v1/session': {
    post: {
      operationId: 'signIn',
      tags: ['session'],
      summary: 'Sign in with the operator token: sets the session cookie (same-origin, with x-vethwatch-csrf: 1)',
      requestBody: body('SessionRequest'),
      responses: { '200': json('MeResponse', 'signed in (Set-Cookie)'), ...common, '401': error('wrong token, or no operator token is configured'), '403': error('cross-site request or no CSRF header') },
    },
    delete: {
      operationId: 'signOut',
      tags: ['session'],
      summary: 'Sign out: clears the session cookie',
      responses: { '200': json('MeResponse', 'signed out'), '403': error('cross-site request or no CSRF header') },
    },
  },
  '/healthz': {
    get: { operationId: 'healthz', tags: ['operations'], summary: 'Liveness: 200 while the process answers', responses: { '200': json('Healthz', 'alive') } },
  },
  '/readyz': {
    get: {
      operationId: 'readyz',
      tags: ['operations'],
      summary: 'Readiness: the store answers with every migration applied',
      responses: { '200': json('Readyz', 'ready'), '503': json('Readyz', 'not ready: store.error says why') },
    },
  },
  '/metrics': {
    get: {
      operationId: 'metrics',
      tags: ['operations'],
      summary: 'Prometheus metrics (lib/cluster/README.md lists them)',
      security: [{}, { metricsToken: [] }],
      responses: {
        '200': { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } },
        '401': error('VETHWATCH_METRICS_TOKEN is set and the bearer is missing or wrong'),
      },
    },
  },
};

/** The component schemas, generated from the zod schemas; references between them point at #/components/schemas. */
export function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  // Requests are documented as the server reads them (defaults optional): io "input".
  const out = z.toJSONSchema(registry, { io: 'input', unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, Json> };
  for (const s of Object.values(out.schemas)) delete s.$schema;
  return out.schemas;
}

export function buildDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'vethwatch',
      version: '1',
      description:
        'The vethwatch server: agents POST reports; people and scripts read nodes, history and events, and operators remediate. Reads are open to viewers; mutations need an operator (bearer token, session cookie plus `x-vethwatch-csrf: 1`, or a trusted proxy).',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    tags: ['agents', 'nodes', 'history', 'remediation', 'session', 'operations'].map((name) => ({ name })),
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        agentToken: { type: 'http', scheme: 'bearer', description: 'VETHWATCH_AGENT_TOKEN, or the agent pod’s projected ServiceAccount token (audience vethwatch)' },
        operatorToken: { type: 'http', scheme: 'bearer', description: 'an operator token (VETHWATCH_OPERATOR_TOKEN or VETHWATCH_OPERATORS_FILE)' },
        session: { type: 'apiKey', in: 'cookie', name: 'vethwatch_session', description: 'set by POST /api/v1/session; mutations also need the header x-vethwatch-csrf: 1' },
        proxy: { type: 'apiKey', in: 'header', name: 'X-Forwarded-User', description: 'honoured only from VETHWATCH_TRUSTED_PROXY peers' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'VETHWATCH_METRICS_TOKEN, when set' },
      },
    },
  };
}
