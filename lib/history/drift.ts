// Drift, named for what it is: a link file whose content changed while its mtime stayed put (or went back), a
// policy for new veths that changed, a file that started or stopped matching its package's copy. Each is explained
// by what the same report saw first: the link files that appeared, changed or were removed (with their diffs);
// then by who changed those files — a vethwatch remediation that wrote the drop-in (expected, so not drift), or a
// package action of a package that owns one of those files. A package that merely acted nearby explains nothing.
// Pure: events in, findings out.
import type { EventDataMap, LinkFileVersion, NodeEvent } from '../events/types';
import type { LinkVerdict } from '../report/schema';
import { baseName, policyName } from './describe';
import { unifiedDiff } from './diff';
import type { DriftAttribution, DriftFileChange, DriftFinding, DriftRemediation, LinkFileChange } from './types';

export const DRIFT_EVENT_TYPES = ['linkfile.appeared', 'linkfile.changed', 'linkfile.removed', 'policy.changed'] as const;

/** How far back a package action (or a remediation) may be and still be blamed for a change. */
export const ATTRIBUTION_WINDOW_MS = 24 * 3600 * 1000;

type PackageEventRecord = Extract<NodeEvent, { type: 'package.event' }>;
type FileEvent = Extract<NodeEvent, { type: 'linkfile.appeared' | 'linkfile.changed' | 'linkfile.removed' }>;

/** What drift needs to know of a remediation: who ran it, when, and the drop-in it planned to write. */
export interface DriftRemediationRecord {
  id: string;
  requestedBy: string;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  dropIn: { path: string; content: string; action: 'write' | 'keep' };
}

/** The fields drift reads from a stored remediation. */
export function driftRemediation(r: {
  id: string;
  requestedBy: string;
  status: string;
  startedAt: string | null;
  appliedAt?: string | null;
  finishedAt: string | null;
  plan: { dropIn: DriftRemediationRecord['dropIn'] };
}): DriftRemediationRecord {
  return { id: r.id, requestedBy: r.requestedBy, status: r.status, startedAt: r.startedAt ?? r.appliedAt ?? null, finishedAt: r.finishedAt, dropIn: r.plan.dropIn };
}

export interface DriftOptions {
  /** package.event events of the node, any order, covering at least ATTRIBUTION_WINDOW_MS before the drifts. */
  packageEvents: readonly NodeEvent[];
  /**
   * Who owns each link file path, as far as anyone knows: a package name, or null when known to be unowned.
   * Paths absent here are of unknown ownership (and blamed on no package). Ownership carried by the events wins.
   */
  owners?: ReadonlyMap<string, string | null>;
  /** The node's remediations (any status; those that never started are ignored). */
  remediations?: readonly DriftRemediationRecord[];
  windowMs?: number;
}

const PAST: Record<PackageEventRecord['data']['action'], string> = {
  install: 'installed',
  upgrade: 'upgraded',
  remove: 'removed',
  purge: 'purged',
};

const CHANGE_PAST: Record<LinkFileChange, string> = { appeared: 'appeared', changed: 'changed', removed: 'was removed' };

function attribute(at: string, candidates: ReadonlySet<string>, packages: readonly PackageEventRecord[], windowMs: number): DriftAttribution | null {
  if (candidates.size === 0) return null;
  const until = Date.parse(at);
  let best: PackageEventRecord | null = null;
  for (const p of packages) {
    if (!candidates.has(p.data.package)) continue;
    const when = Date.parse(p.data.at);
    if (when > until || when < until - windowMs) continue;
    if (!best || when > Date.parse(best.data.at) || (when === Date.parse(best.data.at) && p.id > best.id)) best = p;
  }
  if (!best) return null;
  return {
    package: best.data.package,
    version: best.data.toVersion ?? best.data.fromVersion,
    action: best.data.action,
    at: best.data.at,
    eventId: best.id,
  };
}

function blame(a: DriftAttribution | null): string {
  if (!a) return '';
  return ` after \`${a.package}\`${a.version ? ` ${a.version}` : ''} was ${PAST[a.action]} at ${a.at}`;
}

function ownerOf(path: string, versions: readonly (LinkFileVersion | null)[], owners: ReadonlyMap<string, string | null>): string | null {
  for (const v of versions) {
    if (v && v.package !== undefined) return v.package?.name ?? null;
  }
  return owners.get(path) ?? null;
}

function isFileEvent(e: NodeEvent): e is FileEvent {
  return e.type === 'linkfile.appeared' || e.type === 'linkfile.changed' || e.type === 'linkfile.removed';
}

function versionsOf(e: FileEvent): { before: LinkFileVersion | null; after: LinkFileVersion | null } {
  if (e.type === 'linkfile.changed') return { before: e.data.from, after: e.data.to };
  if (e.type === 'linkfile.appeared') return { before: null, after: e.data };
  return { before: e.data, after: null };
}

function isDropIn(path: string): boolean {
  return /\.link\.d\/[^/]+\.conf$/.test(path);
}

/** One file event as a DriftFileChange, with its diff (appeared: from nothing; removed: to nothing). */
export function fileChange(e: FileEvent, owners: ReadonlyMap<string, string | null>): DriftFileChange {
  const path = e.data.path;
  const { before, after } = versionsOf(e);
  const change: LinkFileChange = e.type === 'linkfile.appeared' ? 'appeared' : e.type === 'linkfile.changed' ? 'changed' : 'removed';
  let diff: string | null = null;
  if (change === 'appeared' && after?.content != null) diff = unifiedDiff('', after.content, { fromLabel: '/dev/null', toLabel: `b${path}` }) || null;
  if (change === 'removed' && before?.content != null) diff = unifiedDiff(before.content, '', { fromLabel: `a${path}`, toLabel: '/dev/null' }) || null;
  if (change === 'changed' && before?.content != null && after?.content != null) {
    diff = unifiedDiff(before.content, after.content, { fromLabel: `a${path}`, toLabel: `b${path}` }) || null;
  }
  const kind = e.type === 'linkfile.appeared' ? e.data.kind : isDropIn(path) ? 'dropin' : 'link';
  return { path, change, eventId: e.id, kind, package: ownerOf(path, [after, before], owners), diff };
}

/**
 * The remediation that wrote this file: one that planned to write this very drop-in, started before the report
 * that revealed the file was received, and — when both texts are known — wrote exactly this content.
 */
function remediationFor(e: FileEvent, remediations: readonly DriftRemediationRecord[], windowMs: number): DriftRemediation | null {
  if (e.type === 'linkfile.removed') return null;
  const content = e.type === 'linkfile.changed' ? e.data.to.content : e.data.content;
  const received = Date.parse(e.receivedAt);
  let best: DriftRemediationRecord | null = null;
  for (const r of remediations) {
    // The plan names the path under the agent's host root (e.g. /host/etc/...); reports name it as the host does.
    if (r.dropIn.action !== 'write' || !(r.dropIn.path === e.data.path || r.dropIn.path.endsWith(e.data.path))) continue;
    const started = r.startedAt ?? r.finishedAt;
    if (!started) continue;
    const t = Date.parse(started);
    if (t > received || t < received - windowMs) continue;
    if (content != null && content !== r.dropIn.content) continue;
    if (!best || t > Date.parse(best.startedAt ?? best.finishedAt ?? '')) best = r;
  }
  if (!best) return null;
  return { id: best.id, requestedBy: best.requestedBy, at: best.finishedAt ?? best.startedAt ?? '', status: best.status };
}

function verdictPaths(v: LinkVerdict | null): string[] {
  return v ? [...(v.linkFile ? [v.linkFile] : []), ...v.dropIns] : [];
}

/** The file events of a report that bear on a verdict change: its files, and any drop-in of its .link files. */
function relevantTo(from: LinkVerdict, to: LinkVerdict, files: readonly FileEvent[]): FileEvent[] {
  const paths = new Set([...verdictPaths(from), ...verdictPaths(to)]);
  const names = [from.linkFile, to.linkFile].filter((p): p is string => p !== null).map(baseName);
  const relevant = files.filter((f) => paths.has(f.data.path) || names.some((n) => f.data.path.includes(`/${n}.d/`)));
  return relevant.length > 0 ? relevant : [...files];
}

function policyMessage(from: LinkVerdict, to: LinkVerdict): string {
  if (from.macAddressPolicy !== to.macAddressPolicy) return `policy for new veths went from ${policyName(from)} to ${policyName(to)}`;
  if (from.udevRewritesMac !== to.udevRewritesMac) {
    return `udev ${to.udevRewritesMac ? 'started' : 'stopped'} rewriting the MAC of new veths (policy ${policyName(to)})`;
  }
  const describe = (v: LinkVerdict) => (v.linkFile ? `\`${baseName(v.linkFile)}\`${v.dropIns.length ? ` + ${v.dropIns.map((d) => `\`${baseName(d)}\``).join(', ')}` : ''}` : 'no file');
  return `the files deciding the policy for new veths went from ${describe(from)} to ${describe(to)} (policy ${policyName(to)})`;
}

function filesSentence(files: readonly DriftFileChange[]): string {
  return files.map((f) => `\`${f.path}\` ${CHANGE_PAST[f.change]}`).join(', ');
}

function remediationSentence(r: DriftRemediation): string {
  return `vethwatch remediation ${r.id} (requested by ${r.requestedBy}) wrote it at ${r.at}`;
}

function contentDrift(e: Extract<NodeEvent, { type: 'linkfile.changed' }>, a: DriftAttribution | null, file: DriftFileChange): DriftFinding | null {
  const { path, from, to } = e.data;
  if (from.sha256 === to.sha256) return null;
  const before = Date.parse(from.mtime);
  const after = Date.parse(to.mtime);
  if (after > before) return null;
  const name = `\`${baseName(path)}\``;
  const common = { eventId: e.id, at: e.at, path, from: from.sha256, to: to.sha256, attributedTo: a, files: [file], remediation: null };
  if (after === before) {
    return { kind: 'content-changed-mtime-unchanged', ...common, message: `content of ${name} changed while its mtime stayed at ${to.mtime}${blame(a)}` };
  }
  return {
    kind: 'content-changed-mtime-older',
    ...common,
    message: `content of ${name} changed while its mtime went back from ${from.mtime} to ${to.mtime}${blame(a)}`,
  };
}

function packageDrift(e: Extract<NodeEvent, { type: 'linkfile.changed' }>, a: DriftAttribution | null, file: DriftFileChange): DriftFinding | null {
  const { path, from, to } = e.data;
  if (typeof from.differsFromPackage !== 'boolean' || typeof to.differsFromPackage !== 'boolean') return null;
  if (from.differsFromPackage === to.differsFromPackage) return null;
  const pkg = to.package ?? from.package ?? null;
  const pkgText = pkg ? `package \`${pkg.name}\`${pkg.version ? ` ${pkg.version}` : ''}` : 'its package';
  return {
    kind: 'differs-from-package',
    eventId: e.id,
    at: e.at,
    path,
    message: to.differsFromPackage
      ? `\`${baseName(path)}\` now differs from the copy in ${pkgText}${blame(a)}`
      : `\`${baseName(path)}\` matches the copy in ${pkgText} again${blame(a)}`,
    from: String(from.differsFromPackage),
    to: String(to.differsFromPackage),
    attributedTo: a,
    files: [file],
    remediation: null,
  };
}

/** Drift findings among some events (others are ignored), oldest first. */
export function deriveDrift(events: readonly NodeEvent[], options: DriftOptions): DriftFinding[] {
  const windowMs = options.windowMs ?? ATTRIBUTION_WINDOW_MS;
  const owners = options.owners ?? new Map<string, string | null>();
  const remediations = options.remediations ?? [];
  const packages = options.packageEvents.filter((e): e is PackageEventRecord => e.type === 'package.event');
  const sorted = [...events].sort((a, b) => a.id - b.id);
  const filesByReport = new Map<string, FileEvent[]>();
  for (const e of sorted) {
    if (!isFileEvent(e)) continue;
    const list = filesByReport.get(e.reportId) ?? [];
    list.push(e);
    filesByReport.set(e.reportId, list);
  }
  // Package actions that explain a change: those of packages owning one of the files that changed.
  const blameOwners = (at: string, files: readonly DriftFileChange[]) =>
    attribute(at, new Set(files.map((f) => f.package).filter((p): p is string => p !== null)), packages, windowMs);

  const findings: DriftFinding[] = [];
  for (const e of sorted) {
    if (e.type === 'linkfile.changed') {
      const file = fileChange(e, owners);
      // A drop-in a remediation wrote: the policy change it made (same report) says so; nothing drifted.
      if (remediationFor(e, remediations, windowMs)) continue;
      const a = blameOwners(e.at, [file]);
      const content = contentDrift(e, a, file);
      if (content) findings.push(content);
      const pkg = packageDrift(e, a, file);
      if (pkg) findings.push(pkg);
    } else if (e.type === 'policy.changed') {
      const { from, to } = e.data as EventDataMap['policy.changed'];
      if (from === null) continue; // the node's first report: nothing drifted
      const relevant = relevantTo(from, to, filesByReport.get(e.reportId) ?? []);
      const files = relevant.map((f) => fileChange(f, owners));
      const byRemediation = relevant.map((f) => remediationFor(f, remediations, windowMs));
      const remediation = byRemediation.length > 0 && byRemediation.every((r) => r !== null) ? byRemediation[0] : null;
      const base = { eventId: e.id, at: e.at, path: files[0]?.path ?? to.linkFile, from: policyName(from), to: policyName(to), files };
      if (remediation) {
        findings.push({
          kind: 'remediation',
          ...base,
          message: `${policyMessage(from, to)}: ${filesSentence(files)}; ${remediationSentence(remediation)}`,
          attributedTo: null,
          remediation,
        });
        continue;
      }
      const a = blameOwners(e.at, files);
      const cause = files.length > 0 ? `: ${filesSentence(files)}` : '; no link file changed in that report';
      findings.push({ kind: 'policy-changed', ...base, message: `${policyMessage(from, to)}${cause}${blame(a)}`, attributedTo: a, remediation: null });
    }
  }
  return findings;
}
