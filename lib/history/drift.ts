// Drift, named for what it is: a link file whose content changed while its mtime stayed put (or went back), a
// policy for new veths that changed, a file that started or stopped matching its package's copy — each blamed,
// when it can be, on the nearest package action before it. Pure: events in, findings out.
import type { EventDataMap, LinkFileVersion, NodeEvent } from '../events/types';
import type { LinkVerdict } from '../report/schema';
import { baseName, policyName } from './describe';
import type { DriftAttribution, DriftFinding } from './types';

export const DRIFT_EVENT_TYPES = ['linkfile.appeared', 'linkfile.changed', 'linkfile.removed', 'policy.changed'] as const;

/** How far back a package action may be and still be blamed for a drift. */
export const ATTRIBUTION_WINDOW_MS = 24 * 3600 * 1000;

/** Packages that ship .link files: blamed when nobody knows who owns the file concerned. */
export const LINK_FILE_PACKAGES = ['udev', 'systemd'] as const;

type PackageEventRecord = Extract<NodeEvent, { type: 'package.event' }>;

export interface DriftOptions {
  /** package.event events of the node, any order, covering at least ATTRIBUTION_WINDOW_MS before the drifts. */
  packageEvents: readonly NodeEvent[];
  /**
   * Who owns each link file path, as far as anyone knows: a package name, or null when known to be unowned.
   * Paths absent here are of unknown ownership. Ownership carried by the events themselves wins.
   */
  owners?: ReadonlyMap<string, string | null>;
  windowMs?: number;
}

const PAST: Record<PackageEventRecord['data']['action'], string> = {
  install: 'installed',
  upgrade: 'upgraded',
  remove: 'removed',
  purge: 'purged',
};

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

function ownerOf(path: string | null, versions: readonly (LinkFileVersion | null)[], owners: ReadonlyMap<string, string | null>): string | null | undefined {
  for (const v of versions) {
    if (v && v.package !== undefined) return v.package?.name ?? null;
  }
  if (path === null) return undefined;
  return owners.get(path);
}

/** The packages that may have changed these paths: their owners, or the usual suspects when an owner is unknown. */
function candidatesFor(owners: readonly (string | null | undefined)[]): Set<string> {
  const set = new Set<string>();
  for (const o of owners) {
    if (o === undefined) for (const p of LINK_FILE_PACKAGES) set.add(p);
    else if (o !== null) set.add(o);
  }
  return set;
}

function verdictPaths(v: LinkVerdict | null): string[] {
  return v ? [...(v.linkFile ? [v.linkFile] : []), ...v.dropIns] : [];
}

function policyMessage(from: LinkVerdict, to: LinkVerdict): string {
  if (from.macAddressPolicy !== to.macAddressPolicy) return `policy for new veths went from ${policyName(from)} to ${policyName(to)}`;
  if (from.udevRewritesMac !== to.udevRewritesMac) {
    return `udev ${to.udevRewritesMac ? 'started' : 'stopped'} rewriting the MAC of new veths (policy ${policyName(to)})`;
  }
  const describe = (v: LinkVerdict) => (v.linkFile ? `\`${baseName(v.linkFile)}\`${v.dropIns.length ? ` + ${v.dropIns.map((d) => `\`${baseName(d)}\``).join(', ')}` : ''}` : 'no file');
  return `the files deciding the policy for new veths went from ${describe(from)} to ${describe(to)} (policy ${policyName(to)})`;
}

function contentDrift(e: Extract<NodeEvent, { type: 'linkfile.changed' }>, attribution: (owner: string | null | undefined) => DriftAttribution | null, owner: string | null | undefined): DriftFinding | null {
  const { path, from, to } = e.data;
  if (from.sha256 === to.sha256) return null;
  const before = Date.parse(from.mtime);
  const after = Date.parse(to.mtime);
  if (after > before) return null;
  const a = attribution(owner);
  const name = `\`${baseName(path)}\``;
  if (after === before) {
    return {
      kind: 'content-changed-mtime-unchanged',
      eventId: e.id,
      at: e.at,
      path,
      message: `content of ${name} changed while its mtime stayed at ${to.mtime}${blame(a)}`,
      from: from.sha256,
      to: to.sha256,
      attributedTo: a,
    };
  }
  return {
    kind: 'content-changed-mtime-older',
    eventId: e.id,
    at: e.at,
    path,
    message: `content of ${name} changed while its mtime went back from ${from.mtime} to ${to.mtime}${blame(a)}`,
    from: from.sha256,
    to: to.sha256,
    attributedTo: a,
  };
}

function packageDrift(e: Extract<NodeEvent, { type: 'linkfile.changed' }>, attribution: (owner: string | null | undefined) => DriftAttribution | null, owner: string | null | undefined): DriftFinding | null {
  const { path, from, to } = e.data;
  if (typeof from.differsFromPackage !== 'boolean' || typeof to.differsFromPackage !== 'boolean') return null;
  if (from.differsFromPackage === to.differsFromPackage) return null;
  const pkg = to.package ?? from.package ?? null;
  const pkgText = pkg ? `package \`${pkg.name}\`${pkg.version ? ` ${pkg.version}` : ''}` : 'its package';
  const a = attribution(owner);
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
  };
}

/** Drift findings among some events (others are ignored), oldest first. */
export function deriveDrift(events: readonly NodeEvent[], options: DriftOptions): DriftFinding[] {
  const windowMs = options.windowMs ?? ATTRIBUTION_WINDOW_MS;
  const owners = options.owners ?? new Map<string, string | null>();
  const packages = options.packageEvents.filter((e): e is PackageEventRecord => e.type === 'package.event');
  const findings: DriftFinding[] = [];
  for (const e of [...events].sort((a, b) => a.id - b.id)) {
    if (e.type === 'linkfile.changed') {
      const owner = ownerOf(e.data.path, [e.data.to, e.data.from], owners);
      const attribution = (o: string | null | undefined) => attribute(e.at, candidatesFor([o]), packages, windowMs);
      const content = contentDrift(e, attribution, owner);
      if (content) findings.push(content);
      const pkg = packageDrift(e, attribution, owner);
      if (pkg) findings.push(pkg);
    } else if (e.type === 'policy.changed') {
      const { from, to } = e.data as EventDataMap['policy.changed'];
      if (from === null) continue; // the node's first report: nothing drifted
      // Files that joined or left the verdict changed it; if the same files decide, one of them changed.
      const before = verdictPaths(from);
      const after = verdictPaths(to);
      const moved = [...before.filter((p) => !after.includes(p)), ...after.filter((p) => !before.includes(p))];
      const paths = moved.length > 0 ? moved : [...new Set([...before, ...after])];
      const a = attribute(e.at, candidatesFor(paths.length ? paths.map((p) => owners.get(p)) : [undefined]), packages, windowMs);
      findings.push({
        kind: 'policy-changed',
        eventId: e.id,
        at: e.at,
        path: to.linkFile,
        message: `${policyMessage(from, to)}${blame(a)}`,
        from: policyName(from),
        to: policyName(to),
        attributedTo: a,
      });
    }
  }
  return findings;
}
