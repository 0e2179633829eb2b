// Response types of the history and timeline API (issue 4). Client-safe: no server imports, so the UI codes
// against exactly what the route handlers return. Every timestamp is an ISO-8601 UTC string.
//
// Endpoints (all GET, JSON unless `?format=csv`):
//   /api/v1/nodes/{name}/veths/{ifname}/history   -> VethHistoryResponse
//   /api/v1/nodes/{name}/host-devices              -> HostDevicesResponse (no query parameters, JSON only)
//   /api/v1/nodes/{name}/host-devices/{ifname}/history -> HostDeviceHistoryResponse
//   /api/v1/nodes/{name}/arp-timeline             -> ArpTimelineResponse
//   /api/v1/nodes/{name}/link-files/history       -> LinkFileHistoryResponse
//   /api/v1/events                                -> EventsResponse
//   /api/v1/stream                                -> text/event-stream of StreamEvent (see below)
//
// Common query parameters (HistoryQuery): from, to (ISO; default: the last 24 h ending now), limit (default 200,
// at most 1000), cursor (opaque: pass back `nextCursor` unchanged), format=json|csv. Bad parameters answer 422
// with {error, issues}; an unknown node answers 404 on the per-node endpoints.
// CSV: RFC 4180, a header row, `text/csv; charset=utf-8`, sent as an attachment. A CSV response holds the same
// page as the JSON one would (same cursor and limit); the next cursor is in the `X-Next-Cursor` header.
import type { EventType, LinkFileVersion, NodeEvent, PodRef } from '../events/types';
import type { ArpStatus, HostDevice, PackageEvent } from '../report/schema';

export type { EventType, LinkFileVersion, NodeEvent, PodRef };

export const DEFAULT_RANGE_HOURS = 24;
export const DEFAULT_PAGE_LIMIT = 200;
export const MAX_PAGE_LIMIT = 1000;

export type SortOrder = 'asc' | 'desc';

/** Query parameters every history/timeline endpoint accepts (all optional). */
export interface HistoryQuery {
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
  format?: 'json' | 'csv';
}

/** The time range a response covers, after defaults were applied: from inclusive, to exclusive. */
export interface TimeRange {
  from: string;
  to: string;
}

/** Fields every paged response has. `nextCursor` is null on the last page. */
export interface Paged {
  range: TimeRange;
  limit: number;
  nextCursor: string | null;
}

// ---------------------------------------------------------------------------------------------------------------
// GET /api/v1/events?from&to&node&type&order&limit&cursor&format
//   node: a node name (optional); type: one EventType or several comma-separated (optional);
//   order: 'desc' (newest first, default) or 'asc'. Fleet-wide when node is absent.

/** A stored event plus one human sentence describing it (the same text the CSV's `summary` column holds). */
export type HistoryEvent = NodeEvent & { summary: string };

export interface EventsResponse extends Paged {
  order: SortOrder;
  items: HistoryEvent[];
}

// ---------------------------------------------------------------------------------------------------------------
// GET /api/v1/nodes/{name}/veths/{ifname}/history?from&to&order&limit&cursor&format
//   order: 'asc' (oldest first, default) or 'desc'.

export type VethChangeKind = 'appeared' | 'vanished' | 'mac_changed' | 'arp_changed';

/** One change of a host veth, flattened from veth.appeared / veth.vanished / veth.mac_changed / arp.changed. */
export interface VethHistoryEntry {
  /** The event id. */
  id: number;
  /** Node clock: collectedAt of the report that revealed the change. */
  at: string;
  receivedAt: string;
  kind: VethChangeKind;
  ifname: string;
  /** Null only for arp_changed (the event does not carry it). */
  ifindex: number | null;
  /** appeared: null -> mac; vanished: mac -> null; mac_changed: old -> new; arp_changed: the host MAC both sides. */
  macFrom: string | null;
  macTo: string | null;
  /** sysfs addr_assign_type after the change (3 = set by userspace, i.e. udev rewrote it); null when unknown. */
  addrAssignType: number | null;
  /** mac_changed only: the new MAC was set by userspace (addr_assign_type 3). False for the other kinds. */
  setByUserspace: boolean;
  pod: PodRef | null;
  podIP: string | null;
  /** Gateway ARP status before/after: appeared null -> status; vanished status -> null; arp_changed from -> to. */
  arpFrom: ArpStatus | null;
  arpTo: ArpStatus | null;
  /** The pod's gateway neighbour MAC after the change, when the event carries it. */
  gatewayLladdr: string | null;
  /** appeared only: the veth was already there in the node's first report (its real start is unknown). */
  initial: boolean;
  /**
   * appeared only, when the agent's link watch saw the creation: the MAC the veth was created with and how many
   * ms later its MAC first changed (udev's rewrite). Absent otherwise.
   */
  creation?: { mac: string; at: string; rewrittenAfterMs: number | null };
  summary: string;
}

export interface VethHistoryResponse extends Paged {
  node: string;
  ifname: string;
  order: SortOrder;
  items: VethHistoryEntry[];
}

// ---------------------------------------------------------------------------------------------------------------
// GET /api/v1/nodes/{name}/host-devices/{ifname}/history?from&to&order&limit&cursor&format
//   The CNI's own host devices (cni0, flannel.1, cilium_host, antrea-gw0, ...; report field hostDevices[]), as the
//   veth history: order 'asc' (oldest first, default) or 'desc'.

export type HostDeviceChangeKind = 'appeared' | 'vanished' | 'mac_changed';

/** One change of a host device, flattened from hostdevice.appeared / hostdevice.vanished / hostdevice.mac_changed. */
export interface HostDeviceHistoryEntry {
  /** The event id. */
  id: number;
  /** Node clock: collectedAt of the report that revealed the change. */
  at: string;
  receivedAt: string;
  kind: HostDeviceChangeKind;
  ifname: string;
  /** The link kind as `ip -d link` names it (bridge, vxlan, geneve, veth, ...). */
  deviceKind: string;
  role: HostDevice['role'];
  /** appeared: null -> mac; vanished: mac -> null; mac_changed: old -> new (either may be null: no address). */
  macFrom: string | null;
  macTo: string | null;
  /** sysfs addr_assign_type after the change (vanished: the last one seen); null when unknown. */
  addrAssignType: number | null;
  /** mac_changed only: the new MAC was set by userspace (addr_assign_type 3). False for the other kinds. */
  setByUserspace: boolean;
  /**
   * Whether udev would rewrite the device's MAC: appeared/vanished as the report saw it; mac_changed, before the
   * change (true there means the change was udev's re-MAC when setByUserspace).
   */
  udevRewritesMac: boolean;
  /** The `.link` file udev applies to the device, when known. */
  linkFile: string | null;
  /** appeared only: there in the first report that listed host devices (its real start is unknown). */
  initial: boolean;
  summary: string;
}

export interface HostDeviceHistoryResponse extends Paged {
  node: string;
  ifname: string;
  order: SortOrder;
  items: HostDeviceHistoryEntry[];
}

// GET /api/v1/nodes/{name}/host-devices
//   The node's host devices as its last report listed them, each with its last MAC change (any time), for the
//   node page. `reported` is false when the last report had no hostDevices (an agent older than them).

export interface HostDeviceState extends HostDevice {
  /** The newest hostdevice.mac_changed of this device on this node, null when its MAC never changed. */
  lastMacChange: HostDeviceHistoryEntry | null;
  /** Seconds since the server received the report that revealed lastMacChange (server clock); null without one. */
  lastMacChangeAgeSeconds: number | null;
}

export interface HostDevicesResponse {
  node: string;
  reported: boolean;
  devices: HostDeviceState[];
}

// ---------------------------------------------------------------------------------------------------------------
// GET /api/v1/nodes/{name}/arp-timeline?from&to&limit&cursor&format
// Mismatch intervals, derived from arp.changed + veth.appeared/vanished (never stored twice): an interval opens
// at the first report that shows the pod's gateway ARP entry as `mismatch` and closes at the first that does not
// (or when the veth vanishes). Intervals overlapping [from, to) are returned, ordered by `from` then lane; an
// interval that opened before `from` is returned with its real `from`.

export type ArpIntervalStatus = 'ongoing' | 'closed';

/** Why an interval closed. */
export type ArpIntervalCloseReason = 'arp-ok' | 'arp-missing' | 'arp-unknown' | 'veth-vanished';

export interface ArpInterval {
  /** Lane key: "namespace/name" of the pod, else the veth's ifname. */
  lane: string;
  pod: PodRef | null;
  ifname: string;
  /** When the first report showing the mismatch was collected. */
  from: string;
  /** When the first report not showing it was collected (or the veth vanished); null while ongoing. */
  to: string | null;
  status: ArpIntervalStatus;
  /**
   * Ongoing intervals of a stale node (no report for 3 intervals, as lib/nodes/state.ts judges it): the node's
   * last report time, i.e. nobody has confirmed the mismatch since. Null otherwise.
   */
  unconfirmedSince: string | null;
  /** The host veth's MAC while the mismatch lasted. */
  hostMac: string;
  /** The MAC the pod's gateway neighbour entry points at (the stale one). */
  gatewayLladdr: string | null;
  /** Event ids that opened/closed the interval (closedByEventId null while ongoing). */
  openedByEventId: number;
  closedByEventId: number | null;
  closeReason: ArpIntervalCloseReason | null;
}

export interface ArpLane {
  lane: string;
  pod: PodRef | null;
  /** The most recent ifname seen in this lane. */
  ifname: string;
}

export interface ArpTimelineResponse extends Paged {
  node: string;
  /** Server clock when the response was built: the "now" marker. */
  now: string;
  /** Server clock of the node's last accepted report. */
  lastReportAt: string;
  /** The node is stale (ongoing intervals are then unconfirmed since lastReportAt). */
  stale: boolean;
  /** The lanes the intervals of this page use, sorted by lane key. */
  lanes: ArpLane[];
  intervals: ArpInterval[];
}

// ---------------------------------------------------------------------------------------------------------------
// GET /api/v1/nodes/{name}/link-files/history?from&to&path&limit&cursor&format
//   path: only this link file (optional). Versions are oldest first. CSV holds the versions (no content column
//   for drift; one row per version with its diff).

export type LinkFileChange = 'appeared' | 'changed' | 'removed';

/** One version of one link file, as the report that revealed it saw it. */
export interface LinkFileVersionEntry {
  /** The event id (linkfile.*). */
  id: number;
  at: string;
  receivedAt: string;
  path: string;
  change: LinkFileChange;
  /** appeared only: present in the node's first report. */
  initial: boolean;
  /** The version after the change; for `removed`, the last version seen before the file went away. */
  version: LinkFileVersion;
  /** changed only: the version before. */
  previous: LinkFileVersion | null;
  /**
   * changed only: unified diff (`--- a/path`, `+++ b/path`, `@@` hunks, 3 lines of context) from previous to
   * version. Null when either side's content is unknown or the text is identical (metadata-only change).
   */
  diff: string | null;
}

export interface LinkFileTrack {
  path: string;
  /** This page's versions of the file, oldest first. */
  versions: LinkFileVersionEntry[];
}

export type DriftKind =
  /** Content (sha256) changed but the mtime stayed the same. */
  | 'content-changed-mtime-unchanged'
  /** Content changed and the mtime went backwards (e.g. touched back, or restored by a package). */
  | 'content-changed-mtime-older'
  /** The verdict for new veths changed (policy.changed, not the node's first report). */
  | 'policy-changed'
  /** The file's "differs from the package's copy" flag flipped. */
  | 'differs-from-package'
  /** A vethwatch remediation changed it (wrote its drop-in): expected, not drift. */
  | 'remediation';

/**
 * The package event a drift is attributed to: the nearest one before it (within 24 h) of a package that owns a file
 * that changed in the same report.
 */
export interface DriftAttribution {
  package: string;
  version: string | null;
  action: PackageEvent['action'];
  /** dpkg's time of the package action (node clock). */
  at: string;
  eventId: number;
}

/** A link file that appeared, changed or was removed in the same report as the finding, with its diff. */
export interface DriftFileChange {
  path: string;
  change: LinkFileChange;
  /** The linkfile.* event. */
  eventId: number;
  /** Drop-in (`*.link.d/*.conf`) or .link file. */
  kind: 'link' | 'dropin';
  /** The package owning the file, when known. */
  package: string | null;
  /**
   * Unified diff of the change: removed files against nothing, new files from nothing. Null when the agent did not
   * send the content (or only metadata changed).
   */
  diff: string | null;
}

/** The vethwatch remediation a change is attributed to (it wrote the drop-in that changed). */
export interface DriftRemediation {
  id: string;
  requestedBy: string;
  /** When it finished (server clock), else when it started. */
  at: string;
  status: string;
}

export interface DriftFinding {
  kind: DriftKind;
  /** The event that revealed the drift. */
  eventId: number;
  at: string;
  /** The link file concerned; for policy-changed, the winning .link file after the change (may be null). */
  path: string | null;
  /**
   * A sentence naming the drift, e.g. "content of `99-default.link` changed while its mtime stayed at
   * 2026-11-20T10:00:00.000Z" or "policy for new veths went from none to persistent after `udev`
   * 249.11-0ubuntu3.12 was installed at 2026-11-20T10:00:00.000Z".
   */
  message: string;
  /**
   * policy-changed: MACAddressPolicy before/after ('unset' when no file sets it); content drift: sha256 before/after;
   * differs-from-package: 'true'/'false'.
   */
  from: string | null;
  to: string | null;
  attributedTo: DriftAttribution | null;
  /**
   * The link files that changed in the report that revealed this finding and explain it (a drop-in appeared,
   * changed or was removed; the winning file changed), each with its diff. Empty when none did.
   */
  files: DriftFileChange[];
  /** Set when a vethwatch remediation made the change (kind 'remediation'); null otherwise. */
  remediation: DriftRemediation | null;
}

export interface LinkFileHistoryResponse extends Paged {
  node: string;
  /** Files that have versions in this page, sorted by path. */
  files: LinkFileTrack[];
  /** Drift found among this page's events, oldest first. */
  drift: DriftFinding[];
}

// ---------------------------------------------------------------------------------------------------------------
// GET /api/v1/stream?node=&lastEventId=
// Server-Sent Events. Each stored event is one SSE message with the default event name (use `onmessage`), `id:`
// the event id, and `data:` a JSON StreamEvent. Reconnecting with `Last-Event-ID` (EventSource does this itself)
// or `?lastEventId=` replays every event after that id first, with no gap and no duplicate. A comment line
// (`: heartbeat`) arrives about every 15 s. `node` filters to one node.
export type StreamEvent = HistoryEvent;
