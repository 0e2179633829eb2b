// The HTTP API's bodies as zod schemas: the source public/openapi.json's component schemas are generated from
// (test/openapi/document.ts, with zod 4's z.toJSONSchema), and what the OpenAPI test validates real responses
// with. Request bodies reuse the schemas the server itself validates with (the report); responses mirror the
// TypeScript interfaces in lib/ (nodes/types.ts, history/types.ts, remediation/types.ts). Deep objects that are
// documented elsewhere (a remediation plan: agent/remediate/schema.ts; a Job: batch/v1) are plain objects here.
import { z } from 'zod';
import { EVENT_TYPES } from '@/lib/events/types';
import { CROSS_NODE_CODES } from '@/lib/fleet/types';
import { NODE_STATES } from '@/lib/nodes/types';
import { AUDIT_ACTIONS, REMEDIATION_STATUSES } from '@/lib/remediation/types';
import { PROVENANCES } from '@/lib/prevention/provenance';
import { VERIFICATION_RESULTS, verificationSchema } from '@/lib/prevention/verification';
import { agentAssignmentSchema, agentClaimSchema, agentRunReportSchema } from '@/lib/report/remediation';
import { cniKindSchema, findingSchema, hostDeviceSchema, linkFileSchema, linkVerdictSchema, macPolicySchema, packageEventSchema, reportSchema, vethSchema } from '@/lib/report/schema';

const time = z.string().meta({ description: 'RFC 3339 time' });
const nullable = <T extends z.ZodType>(s: T) => s.nullable();
const object = z.record(z.string(), z.unknown());

export const ErrorBody = z
  .object({
    error: z.string(),
    issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() }).passthrough()).optional(),
    code: z.string().optional().meta({ description: 'remediation refusals (409/422): active, cap, paused, stale-plan, expired, already-applied, job-exists, nothing-to-do, no-executor, not-local-node, dry-run-refused' }),
  })
  .meta({ id: 'ErrorBody' });

export const Report = reportSchema.meta({ id: 'Report', description: "One agent report (docs/report-format.md); the server validates with this exact schema." });

export const Verification = verificationSchema.meta({ id: 'Verification', description: 'One `npm run agent -- verify --watch` run (docs/prevention.md); result must follow from the probes.' });

export const VerificationAccepted = z
  .object({ verificationId: z.string(), result: z.enum(VERIFICATION_RESULTS), duplicate: z.boolean() })
  .meta({ id: 'VerificationAccepted' });

const NodePrevention = z.object({
  provenance: z.enum(PROVENANCES),
  since: nullable(time),
  lastVerification: nullable(
    z.object({
      verificationId: z.string(),
      startedAt: time,
      finishedAt: time,
      receivedAt: time,
      everySeconds: z.number().int(),
      udevd: z.boolean(),
      probes: z.number().int(),
      kept: z.number().int(),
      rewritten: z.number().int(),
      result: z.enum(VERIFICATION_RESULTS),
    }),
  ),
});

export const ReportAccepted = z
  .object({
    accepted: z.literal(true),
    reportId: z.string(),
    duplicate: z.boolean(),
    outcome: z.enum(['changed', 'unchanged', 'duplicate', 'out-of-order']),
    events: z.number().int(),
  })
  .meta({ id: 'ReportAccepted' });

const KubeNodeFacts = z.object({
  osImage: nullable(z.string()),
  kernelVersion: nullable(z.string()),
  kubeletVersion: nullable(z.string()),
  containerRuntimeVersion: nullable(z.string()),
  labels: z.record(z.string(), z.string()),
  ready: nullable(z.boolean()),
});

export const AwsNodeCni = z
  .object({ image: z.string(), version: nullable(z.string()), setsHostVethMac: nullable(z.boolean()), recommendUpgrade: nullable(z.boolean()) })
  .meta({ id: 'AwsNodeCni' });

export const ClusterCni = z
  .object({
    kind: cniKindSchema,
    name: z.string(),
    daemonSet: z.string().describe('namespace/name'),
    image: nullable(z.string()),
    version: nullable(z.string()),
    safe: nullable(z.boolean()).describe("this release's new devices are safe from udev's re-MAC (docs/cnis.md)"),
    recommendUpgrade: nullable(z.boolean()),
  })
  .meta({ id: 'ClusterCni', description: 'A CNI the cluster runs, from its DaemonSet (lib/kube/cniDaemonSets.ts).' });

export const CrossNodeFinding = z
  .object({ code: z.enum(CROSS_NODE_CODES), severity: z.enum(['warning', 'error']), nodes: z.array(z.string()), message: z.string() })
  .meta({ id: 'CrossNodeFinding', description: 'A hazard only a comparison across nodes shows (lib/fleet/crossNode.ts).' });

const nodeSummaryShape = {
  name: z.string(),
  os: z.object({ prettyName: nullable(z.string()), kernel: nullable(z.string()), systemdVersion: nullable(z.number()) }),
  policy: nullable(z.object({ macAddressPolicy: nullable(macPolicySchema), linkFile: nullable(z.string()), udevRewritesMac: z.boolean() })),
  vethCount: z.number().int(),
  mismatchCount: z.number().int(),
  state: z.enum(NODE_STATES),
  stateReason: z.string(),
  lastKnownState: z.enum(NODE_STATES),
  lastReportAt: nullable(time),
  reportAgeSeconds: nullable(z.number()),
  intervalSeconds: z.number(),
  policyPackage: nullable(z.object({ name: z.string(), version: nullable(z.string()) })).optional(),
  mismatchStrip: z.array(z.number()).optional(),
  kube: nullable(KubeNodeFacts).optional(),
};

export const NodeSummary = z.object(nodeSummaryShape).meta({ id: 'NodeSummary' });

export const FleetView = z
  .object({
    generatedAt: time,
    counts: z.object(Object.fromEntries(NODE_STATES.map((s) => [s, z.number().int()])) as Record<(typeof NODE_STATES)[number], z.ZodNumber>),
    nodes: z.array(NodeSummary),
    stripEndsAt: time.optional(),
    awsNode: nullable(AwsNodeCni).optional(),
    cnis: z.array(ClusterCni).optional(),
    hazards: z.array(CrossNodeFinding).optional(),
  })
  .meta({ id: 'FleetView' });

/** GET /api/v1/nodes?q=: the search answer (lib/nodes/searchTypes.ts). */
export const FleetSearch = z
  .object({
    generatedAt: time,
    q: z.string().describe('the term as searched (trimmed)'),
    nodes: z.array(NodeSummary).describe('nodes whose name contains the term or that hold a hit'),
    hits: z
      .array(
        z.object({
          node: z.string(),
          ifname: z.string(),
          mac: z.string(),
          podIP: nullable(z.string()),
          pod: nullable(z.object({ namespace: z.string(), name: z.string() })),
          netns: nullable(z.string()),
          matched: z.array(z.enum(['pod', 'namespace', 'podIP', 'veth', 'mac'])),
        }),
      )
      .max(100),
    truncated: z.boolean().describe('more matched than were returned: narrow the term'),
  })
  .meta({ id: 'FleetSearch' });

export const NodeDetail = z
  .object({
    ...nodeSummaryShape,
    agentVersion: nullable(z.string()),
    collectedAt: nullable(time),
    cni: nullable(z.object({ vethPrefix: z.string(), configFile: nullable(z.string()) })),
    newVeth: nullable(linkVerdictSchema),
    linkFiles: z.array(linkFileSchema),
    packageEvents: z.array(packageEventSchema),
    veths: z.array(vethSchema),
    findings: z.array(findingSchema),
    awsNode: nullable(AwsNodeCni).optional(),
    clusterCni: nullable(ClusterCni).optional(),
    prevention: NodePrevention.optional(),
    hazards: z.array(CrossNodeFinding).optional(),
  })
  .meta({ id: 'NodeDetail' });

const paged = { range: z.object({ from: time, to: time }), limit: z.number().int(), nextCursor: nullable(z.string()) };
const order = z.enum(['asc', 'desc']);
const PodRef = z.object({ namespace: z.string(), name: z.string() });

export const HistoryEvent = z
  .object({
    id: z.number().int(),
    node: z.string(),
    type: z.enum(EVENT_TYPES),
    at: time,
    receivedAt: time,
    reportId: z.string(),
    subject: nullable(z.string()),
    data: object.meta({ description: 'depends on type: lib/events/types.ts EventDataMap' }),
    summary: z.string(),
  })
  .meta({ id: 'HistoryEvent', description: 'One stored change on a node; also each `data:` line of GET /api/v1/stream.' });

export const EventsResponse = z.object({ ...paged, order, items: z.array(HistoryEvent) }).meta({ id: 'EventsResponse' });

export const VethHistoryResponse = z
  .object({
    ...paged,
    node: z.string(),
    ifname: z.string(),
    order,
    items: z.array(
      z.object({
        id: z.number().int(),
        at: time,
        receivedAt: time,
        kind: z.enum(['appeared', 'vanished', 'mac_changed', 'arp_changed']),
        ifname: z.string(),
        ifindex: nullable(z.number().int()),
        macFrom: nullable(z.string()),
        macTo: nullable(z.string()),
        addrAssignType: nullable(z.number().int()),
        setByUserspace: z.boolean(),
        pod: nullable(PodRef),
        podIP: nullable(z.string()),
        arpFrom: nullable(z.string()),
        arpTo: nullable(z.string()),
        gatewayLladdr: nullable(z.string()),
        initial: z.boolean(),
        summary: z.string(),
      }),
    ),
  })
  .meta({ id: 'VethHistoryResponse' });

const HostDeviceHistoryEntry = z
  .object({
    id: z.number().int(),
    at: time,
    receivedAt: time,
    kind: z.enum(['appeared', 'vanished', 'mac_changed']),
    ifname: z.string(),
    deviceKind: z.string(),
    role: hostDeviceSchema.shape.role,
    macFrom: nullable(z.string()),
    macTo: nullable(z.string()),
    addrAssignType: nullable(z.number().int()),
    setByUserspace: z.boolean(),
    udevRewritesMac: z.boolean(),
    linkFile: nullable(z.string()),
    initial: z.boolean(),
    summary: z.string(),
  })
  .meta({ id: 'HostDeviceHistoryEntry', description: 'One change of a CNI host device (hostdevice.appeared, .vanished, .mac_changed).' });

export const HostDeviceHistoryResponse = z
  .object({ ...paged, node: z.string(), ifname: z.string(), order, items: z.array(HostDeviceHistoryEntry) })
  .meta({ id: 'HostDeviceHistoryResponse' });

export const HostDevicesResponse = z
  .object({
    node: z.string(),
    reported: z.boolean().meta({ description: "false when the node's last report had no hostDevices (an agent older than them)" }),
    devices: z.array(
      hostDeviceSchema.extend({
        lastMacChange: nullable(HostDeviceHistoryEntry),
        lastMacChangeAgeSeconds: nullable(z.number().int().min(0)).meta({ description: 'seconds since the server received the report that revealed lastMacChange' }),
      }),
    ),
  })
  .meta({ id: 'HostDevicesResponse', description: "The CNI host devices of the node's last report, each with its last MAC change." });

export const ArpTimelineResponse = z
  .object({
    ...paged,
    node: z.string(),
    now: time,
    lastReportAt: time,
    stale: z.boolean(),
    lanes: z.array(z.object({ lane: z.string(), pod: nullable(PodRef), ifname: z.string() })),
    intervals: z.array(
      z.object({
        lane: z.string(),
        pod: nullable(PodRef),
        ifname: z.string(),
        from: time,
        to: nullable(time),
        status: z.enum(['ongoing', 'closed']),
        unconfirmedSince: nullable(time),
        hostMac: z.string(),
        gatewayLladdr: nullable(z.string()),
        openedByEventId: z.number().int(),
        closedByEventId: nullable(z.number().int()),
        closeReason: nullable(z.enum(['arp-ok', 'arp-missing', 'arp-unknown', 'veth-vanished'])),
      }),
    ),
  })
  .meta({ id: 'ArpTimelineResponse' });

export const LinkFileHistoryResponse = z
  .object({
    ...paged,
    node: z.string(),
    files: z.array(z.object({ path: z.string(), versions: z.array(object) })),
    drift: z.array(
      z.object({
        kind: z.enum(['content-changed-mtime-unchanged', 'content-changed-mtime-older', 'policy-changed', 'differs-from-package']),
        eventId: z.number().int(),
        at: time,
        path: nullable(z.string()),
        message: z.string(),
        from: nullable(z.string()),
        to: nullable(z.string()),
        attributedTo: nullable(object),
      }),
    ),
  })
  .meta({ id: 'LinkFileHistoryResponse' });

const Role = z.enum(['operator', 'viewer']);
const IdentitySource = z.enum(['proxy', 'token', 'session', 'anonymous']);
const ExecutorKind = z.enum(['kubernetes', 'local', 'none']);

export const MeResponse = z
  .object({
    user: nullable(z.string()),
    groups: z.array(z.string()),
    role: Role,
    via: IdentitySource,
    canRemediate: z.boolean(),
    executor: ExecutorKind,
    executorDetail: z.string(),
    localNode: nullable(z.string()),
    sessionLogin: z.boolean(),
  })
  .passthrough()
  .meta({ id: 'MeResponse' });

export const SessionRequest = z.object({ token: z.string().min(1).max(4096) }).strict().meta({ id: 'SessionRequest' });

export const PlanPreview = z
  .object({
    remediationId: z.string(),
    node: z.string(),
    planId: z.string(),
    reportId: z.string(),
    reportReceivedAt: time,
    createdAt: time,
    expiresAt: time,
    executor: ExecutorKind,
    executorDetail: z.string(),
    plan: object.meta({ description: 'agent/remediate/schema.ts Plan: the drop-in, the reload, one repair per broken veth' }),
    nothingToDo: z.boolean(),
    job: nullable(z.object({ name: z.string(), namespace: z.string(), spec: object })),
    jobDryRun: nullable(z.object({ ok: z.boolean(), message: nullable(z.string()), reason: nullable(z.string()) })),
    command: nullable(z.array(z.string())),
    blockers: z.array(z.string()),
  })
  .meta({ id: 'PlanPreview' });

export const RemediationRecord = z
  .object({
    id: z.string(),
    node: z.string(),
    planId: z.string(),
    reportId: z.string(),
    status: z.enum(REMEDIATION_STATUSES),
    executor: z.enum(['kubernetes', 'local']),
    requestedBy: z.string(),
    via: IdentitySource,
    fleetRunId: nullable(z.string()),
    jobName: nullable(z.string()),
    jobNamespace: nullable(z.string()),
    createdAt: time,
    expiresAt: time,
    appliedAt: nullable(time),
    startedAt: nullable(time),
    finishedAt: nullable(time),
    verifiedAt: nullable(time),
    progress: nullable(z.object({ phase: z.string(), message: nullable(z.string()), updatedAt: time })),
    dryRunError: nullable(z.string()),
    error: nullable(z.string()),
    plan: object,
    evidence: nullable(
      z.object({
        podName: nullable(z.string()),
        exitCode: nullable(z.number().int()),
        terminationReason: nullable(z.string()),
        terminationMessage: nullable(z.string()),
        log: nullable(z.string()),
        logError: nullable(z.string()),
        result: nullable(object.meta({ description: 'agent/remediate/schema.ts RemediationResult' })),
        collectedAt: time,
      }),
    ),
    verification: z.object({
      agent: nullable(z.object({ verified: z.boolean(), summary: z.string() })),
      nextReport: nullable(z.object({ verified: z.boolean(), reportId: z.string(), at: time, reason: z.string() })),
    }),
  })
  .meta({ id: 'RemediationRecord' });

export const RemediationRequest = z
  .union([z.object({ dryRun: z.literal(true) }), z.object({ dryRun: z.literal(false).optional(), planId: z.string().regex(/^[0-9a-f]{16}$/) })])
  .meta({ id: 'RemediationRequest', description: '`{dryRun: true}` previews (200 PlanPreview); `{planId}` applies that preview (202 ApplyResponse).' });

export const ApplyResponse = z.object({ remediation: RemediationRecord }).meta({ id: 'ApplyResponse' });
export const RemediationList = z.object({ active: z.array(RemediationRecord), remediations: z.array(RemediationRecord) }).meta({ id: 'RemediationList' });

export const FleetRequest = z
  .union([
    z.object({ dryRun: z.literal(true) }),
    z.object({ dryRun: z.literal(false).optional(), plans: z.array(z.object({ node: z.string().min(1).max(253), planId: z.string().regex(/^[0-9a-f]{16}$/) })) }),
    z.object({ resume: z.string().min(1).max(100).meta({ description: 'the id of an interrupted fleet run' }) }),
  ])
  .meta({ id: 'FleetRequest', description: '`{dryRun: true}` previews; `{plans}` starts a run; `{resume: id}` resumes an interrupted run (202 FleetRun).' });

export const FleetPreview = z
  .object({
    cap: z.number().int(),
    waves: z.array(z.array(z.string())),
    nodes: z.array(z.object({ node: z.string(), preview: nullable(PlanPreview), skipped: nullable(z.string()) })),
    blockers: z.array(z.string()),
  })
  .meta({ id: 'FleetPreview' });

export const FleetRun = z
  .object({
    id: z.string(),
    status: z.string().meta({ description: 'running, succeeded, failed, stopped, interrupted' }),
    requestedBy: z.string(),
    cap: z.number().int(),
    createdAt: time,
    finishedAt: nullable(time),
    stoppedReason: nullable(z.string()),
    currentWave: z.number().int(),
    nodes: z.array(
      z.object({
        node: z.string(),
        planId: z.string(),
        wave: z.number().int(),
        remediationId: nullable(z.string()),
        status: nullable(z.string()),
        error: nullable(z.string()),
      }),
    ),
  })
  .passthrough()
  .meta({ id: 'FleetRun' });

export const RemediationSettings = z
  .object({
    paused: z.boolean(),
    pauseReason: nullable(z.string()),
    pausedBy: nullable(z.string()),
    pausedAt: nullable(time),
    maxConcurrent: z.number().int(),
    active: z.number().int(),
    updatedAt: time,
  })
  .meta({ id: 'RemediationSettings' });

export const RemediationSettingsUpdate = z
  .object({ paused: z.boolean().optional(), reason: z.string().optional(), maxConcurrent: z.number().int().min(1).optional() })
  .meta({ id: 'RemediationSettingsUpdate' });

export const AuditPage = z
  .object({
    entries: z.array(
      z.object({
        id: z.string(),
        at: time,
        actor: z.string(),
        via: z.enum(['proxy', 'token', 'session', 'anonymous', 'system']),
        action: z.enum(AUDIT_ACTIONS),
        node: nullable(z.string()),
        planId: nullable(z.string()),
        remediationId: nullable(z.string()),
        jobName: nullable(z.string()),
        result: nullable(z.string()),
        verification: nullable(z.string()),
        detail: nullable(z.string()),
      }),
    ),
    nextCursor: nullable(z.string()),
  })
  .meta({ id: 'AuditPage' });

export const Healthz = z.object({ status: z.literal('ok') }).meta({ id: 'Healthz' });

export const Readyz = z
  .object({
    status: z.enum(['ready', 'not-ready']),
    store: z.object({ ok: z.boolean(), engine: nullable(z.string()), migrations: z.enum(['done', 'unknown']), error: z.string().optional() }),
    cluster: z.object({ configured: z.boolean(), nodesSynced: z.boolean().optional(), awsNode: nullable(z.string()).optional() }),
  })
  .meta({ id: 'Readyz' });

export const AgentClaim = agentClaimSchema.meta({ id: 'AgentClaim', description: 'The local agent asks whether its node has a remediation to run.' });
export const AgentAssignment = agentAssignmentSchema.meta({ id: 'AgentAssignment', description: 'The claimed remediation, now running and this agent\'s to do.' });
export const AgentRunReport = agentRunReportSchema.meta({ id: 'AgentRunReport', description: 'What `remediate` printed (a result, or the plan mismatch), its exit status and the log tail.' });
export const AgentRunAccepted = z.object({ remediationId: z.uuid(), status: z.enum(REMEDIATION_STATUSES) }).meta({ id: 'AgentRunAccepted' });

/** Every schema that becomes a component, by its meta id. */
export const COMPONENTS = {
  ErrorBody,
  Report,
  ReportAccepted,
  Verification,
  VerificationAccepted,
  AgentClaim,
  AgentAssignment,
  AgentRunReport,
  AgentRunAccepted,
  AwsNodeCni,
  ClusterCni,
  CrossNodeFinding,
  NodeSummary,
  FleetView,
  FleetSearch,
  NodeDetail,
  HistoryEvent,
  EventsResponse,
  VethHistoryResponse,
  HostDeviceHistoryEntry,
  HostDeviceHistoryResponse,
  HostDevicesResponse,
  ArpTimelineResponse,
  LinkFileHistoryResponse,
  MeResponse,
  SessionRequest,
  PlanPreview,
  RemediationRecord,
  RemediationRequest,
  ApplyResponse,
  RemediationList,
  FleetRequest,
  FleetPreview,
  FleetRun,
  RemediationSettings,
  RemediationSettingsUpdate,
  AuditPage,
  Healthz,
  Readyz,
} as const;
