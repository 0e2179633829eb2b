// Installs, upgrades and removals of chosen packages from dpkg's log (/var/log/dpkg.log, rotated .N and .N.gz)
// and apt's history (/var/log/apt/history.log, rotated likewise), under --root. Both log local wall-clock time
// without a zone, so times are converted with the host's zone (/etc/timezone or the /etc/localtime link).
import { readdir, readFile, readlink } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { Finding, PackageEvent } from '../../lib/report/schema';
import { hostPath } from '../linkconfig/confFiles';
import { detached, ParsedFileCache } from './fileCache';

export const MAX_PACKAGE_EVENTS = 2000;

function finding(code: string, severity: Finding['severity'], message: string, p: string | null): Finding {
  return { code, severity, message: message.length > 1024 ? message.slice(0, 1021) + '...' : message, path: p };
}

/** The host's IANA zone: /etc/timezone, else the /etc/localtime symlink target; null means UTC. */
export async function hostTimeZone(root: string): Promise<string | null> {
  const valid = (z: string) => {
    if (UTC_ZONES.has(z)) return true;
    try {
      formatterFor(z);
      return true;
    } catch {
      return false;
    }
  };
  try {
    const z = (await readFile(hostPath(root, '/etc/timezone'), 'utf8')).trim();
    if (z && valid(z)) return z;
  } catch {
    /* fall through to /etc/localtime */
  }
  try {
    const target = await readlink(hostPath(root, '/etc/localtime'));
    const m = /zoneinfo\/(.+)$/.exec(target);
    if (m && valid(m[1])) return m[1];
  } catch {
    /* not a symlink or missing */
  }
  return null;
}

// The names ICU knows for a zone that is UTC all year. Most nodes run in UTC, and the first DateTimeFormat with a
// time zone maps ~9 MB of ICU data into the process: for these the offset is known to be 0 without asking ICU.
export const UTC_ZONES = new Set(['UTC', 'Etc/UTC', 'Etc/UCT', 'UCT', 'Etc/Universal', 'Universal', 'Etc/Zulu', 'Zulu', 'Etc/GMT', 'GMT', 'Etc/GMT+0', 'Etc/GMT-0', 'Etc/GMT0', 'GMT+0', 'GMT-0', 'GMT0', 'Etc/Greenwich', 'Greenwich']);

// Building a DateTimeFormat costs far more than using one; a log has thousands of lines in one zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    if (formatters.size >= 16) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

function offsetMinutes(utcMs: number, timeZone: string): number {
  if (UTC_ZONES.has(timeZone)) return 0;
  const parts = formatterFor(timeZone).formatToParts(new Date(utcMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - utcMs) / 60000);
}

/** "2026-11-26" + "14:13:44" in `timeZone` -> ISO 8601 with the zone's offset; null for an impossible date. */
export function localToIso(date: string, time: string, timeZone: string | null): string | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) return null;
  const wall = Date.UTC(+d[1], +d[2] - 1, +d[3], +t[1], +t[2], +t[3]);
  const check = new Date(wall);
  if (check.getUTCFullYear() !== +d[1] || check.getUTCMonth() !== +d[2] - 1 || check.getUTCDate() !== +d[3] || +t[1] > 23 || +t[2] > 59 || +t[3] > 60)
    return null;
  let off = 0;
  if (timeZone) {
    off = offsetMinutes(wall, timeZone);
    off = offsetMinutes(wall - off * 60000, timeZone);
  }
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${date}T${time}${zone}`;
}

function splitPkg(spec: string): { name: string; arch: string | null } {
  const i = spec.indexOf(':');
  return i < 0 ? { name: spec, arch: null } : { name: spec.slice(0, i), arch: spec.slice(i + 1) };
}

/** Pure: dpkg.log lines "DATE TIME install|upgrade|remove|purge PKG:ARCH FROM TO". Other actions are not events. */
export function parseDpkgLog(text: string, timeZone: string | null, keep: (pkg: string) => boolean): { events: PackageEvent[]; malformed: number } {
  const events: PackageEvent[] = [];
  let malformed = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) (\S+)(?: (.*))?$/.exec(line);
    if (!m) {
      malformed++;
      continue;
    }
    const action = m[3];
    if (action !== 'install' && action !== 'upgrade' && action !== 'remove' && action !== 'purge') continue;
    const f = (m[4] ?? '').split(' ');
    if (f.length !== 3) {
      malformed++;
      continue;
    }
    const { name, arch } = splitPkg(f[0]);
    if (!keep(name)) continue;
    const at = localToIso(m[1], m[2], timeZone);
    if (!at) {
      malformed++;
      continue;
    }
    const ver = (v: string) => (v === '<none>' ? null : v);
    events.push({ at, action, package: name, arch, fromVersion: ver(f[1]), toVersion: ver(f[2]), source: 'dpkg.log' });
  }
  return { events, malformed };
}

const APT_ACTIONS: Record<string, PackageEvent['action']> = {
  Install: 'install',
  Reinstall: 'install',
  Upgrade: 'upgrade',
  Downgrade: 'upgrade',
  Remove: 'remove',
  Purge: 'purge',
};

/**
 * Pure: apt history.log blocks (Start-Date, Commandline, Install:/Upgrade:/..., End-Date). Entries look like
 * "pkg:arch (1.0, automatic)" for installs, "pkg:arch (old, new)" for up/downgrades, "pkg:arch (1.0)" for
 * removals. A downgrade is reported as an "upgrade" (a version change) with its from/to versions.
 */
export function parseAptHistory(text: string, timeZone: string | null, keep: (pkg: string) => boolean): ParsedAptHistory {
  const events: PackageEvent[] = [];
  const endsAt: (string | null)[] = [];
  let malformed = 0;
  let at: string | null = null;
  let blockStart = 0;
  const date = (value: string) => {
    const d = /^(\d{4}-\d{2}-\d{2})\s+(\d{2}:\d{2}:\d{2})$/.exec(value.trim());
    return d ? localToIso(d[1], d[2], timeZone) : null;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      at = null;
      continue;
    }
    const kv = /^([A-Za-z-]+): ?(.*)$/.exec(line);
    if (!kv) {
      malformed++;
      continue;
    }
    if (kv[1] === 'Start-Date') {
      at = date(kv[2]);
      blockStart = events.length;
      if (!at) malformed++;
      continue;
    }
    if (kv[1] === 'End-Date') {
      const end = date(kv[2]);
      if (at && end) endsAt.fill(end, blockStart, events.length);
      continue;
    }
    const action = APT_ACTIONS[kv[1]];
    if (!action) continue;
    if (!at) {
      malformed++;
      continue;
    }
    for (const e of kv[2].matchAll(/([^\s,()]+) \(([^)]*)\)/g)) {
      const { name, arch } = splitPkg(e[1]);
      if (!keep(name)) continue;
      const vs = e[2].split(',').map((s) => s.trim()).filter((s) => s !== 'automatic' && s !== '');
      let fromVersion: string | null = null;
      let toVersion: string | null = null;
      if (kv[1] === 'Upgrade' || kv[1] === 'Downgrade') [fromVersion, toVersion] = [vs[0] ?? null, vs[1] ?? null];
      else if (action === 'install') toVersion = vs[0] ?? null;
      else fromVersion = vs[0] ?? null;
      events.push({ at, action, package: name, arch, fromVersion, toVersion, source: 'apt-history' });
      endsAt.push(null);
    }
  }
  return { events, malformed, endsAt };
}

/** apt's history: each event with the End-Date of its block (endsAt[i] for events[i]; null when apt never wrote one). */
export interface ParsedAptHistory {
  events: PackageEvent[];
  malformed: number;
  endsAt: (string | null)[];
}

/** How long after its Start-Date an apt run without an End-Date (interrupted) may have had dpkg act. */
const APT_RUN_WITHOUT_END_MS = 3600 * 1000;

const changesTo = (e: PackageEvent) => e.action === 'install' || e.action === 'upgrade';

/** Do an apt history entry and a dpkg.log line describe the same package action? */
function sameAction(apt: PackageEvent, dpkg: PackageEvent): boolean {
  if (apt.package !== dpkg.package) return false;
  if (apt.arch !== null && dpkg.arch !== null && apt.arch !== dpkg.arch) return false;
  // apt's Install/Reinstall/Upgrade/Downgrade is a dpkg install or upgrade (a reinstall is "upgrade v v" there).
  if (changesTo(apt)) return changesTo(dpkg) && apt.toVersion === dpkg.toVersion;
  return apt.action === dpkg.action && apt.fromVersion === dpkg.fromVersion;
}

/**
 * apt writes one history entry for what it asked dpkg to do, and dpkg logs doing it: one package action read from
 * both logs is one event. The dpkg.log line is kept (its time is when the action happened, not when apt started);
 * an apt entry stays only when no dpkg.log line matches it (dpkg.log rotated away, say). A match is the same
 * package, arch and version, with the dpkg time inside the apt run (Start-Date to End-Date); each line matches at
 * most one entry, so repeating an action later is still two events. Pure; `apt` and `aptEndsAt` are parallel.
 */
export function mergeAptIntoDpkg(dpkg: readonly PackageEvent[], apt: readonly PackageEvent[], aptEndsAt: readonly (string | null)[]): PackageEvent[] {
  const used = new Set<number>();
  const byTime = dpkg.map((e, i) => ({ e, i, ms: Date.parse(e.at) })).sort((a, b) => a.ms - b.ms);
  const unmatched = apt.filter((a, k) => {
    const from = Date.parse(a.at);
    const end = aptEndsAt[k];
    const until = end ? Date.parse(end) : from + APT_RUN_WITHOUT_END_MS;
    const match = byTime.find((d) => !used.has(d.i) && d.ms >= from && d.ms <= until && sameAction(a, d.e));
    if (!match) return true;
    used.add(match.i);
    return false;
  });
  return [...dpkg, ...unmatched];
}

/** dpkg.log, dpkg.log.1, dpkg.log.2.gz, ... oldest last; the number orders them. */
function rotated(names: string[], base: string): string[] {
  const re = new RegExp(`^${base.replace(/\./g, '\\.')}(?:\\.(\\d+))?(\\.gz)?$`);
  return names
    .map((n) => ({ n, m: re.exec(n) }))
    .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null && !(x.m[1] === undefined && x.m[2] !== undefined))
    .sort((a, b) => Number(a.m[1] ?? 0) - Number(b.m[1] ?? 0))
    .map((x) => x.n);
}

type ParsedLog = { events: PackageEvent[]; malformed: number; endsAt?: (string | null)[] } | { error: string };
type LogParser = (text: string, timeZone: string | null, keep: (pkg: string) => boolean) => Exclude<ParsedLog, { error: string }>;

// Logs are parsed again only when they change (see fileCache.ts): dpkg.log grows only when packages change.
const logCache = new ParsedFileCache<ParsedLog>(256);

function readLog(root: string, file: string, parse: LogParser, timeZone: string | null, packages: readonly string[]): ParsedLog {
  const keep = new Set(packages);
  const r = logCache.read(
    hostPath(root, file),
    (raw): ParsedLog => {
      let text: string;
      try {
        text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
      } catch (e) {
        return { error: (e as Error).message };
      }
      return detached(parse(text, timeZone, (p) => keep.has(p)));
    },
    `${timeZone ?? ''}\0${[...keep].sort().join('\0')}`,
  );
  return r.ok ? r.value : { error: r.error.message };
}

export interface PackageEventsResult {
  events: PackageEvent[];
  findings: Finding[];
}

/** Events of `packages`, oldest first, de-duplicated (an action in both dpkg.log and apt's history once), the newest MAX_PACKAGE_EVENTS kept. */
export async function readPackageEvents(root: string, packages: readonly string[]): Promise<PackageEventsResult> {
  const tz = await hostTimeZone(root);
  const findings: Finding[] = [];
  const dpkg: PackageEvent[] = [];
  const apt: PackageEvent[] = [];
  const aptEndsAt: (string | null)[] = [];

  const sources: Array<{ dir: string; base: string; parse: LogParser; into: PackageEvent[] }> = [
    { dir: '/var/log', base: 'dpkg.log', parse: parseDpkgLog, into: dpkg },
    { dir: '/var/log/apt', base: 'history.log', parse: parseAptHistory, into: apt },
  ];
  for (const src of sources) {
    let names: string[];
    try {
      names = await readdir(hostPath(root, src.dir));
    } catch {
      continue;
    }
    for (const name of rotated(names, src.base)) {
      const file = `${src.dir}/${name}`;
      const r = readLog(root, file, src.parse, tz, packages);
      if ('error' in r) {
        findings.push(finding('package-log-unreadable', 'warning', `${file}: ${r.error}`, file));
        continue;
      }
      const { events: ev, malformed } = r;
      src.into.push(...ev);
      if (src.into === apt) aptEndsAt.push(...(r.endsAt ?? ev.map(() => null)));
      if (malformed > 0) findings.push(finding('package-log-malformed', 'warning', `${file}: ${malformed} malformed line(s) skipped`, file));
    }
  }

  // The same line in two rotated files (a log copied before rotation) is one event; then apt's entries that dpkg.log
  // also recorded are dropped (mergeAptIntoDpkg).
  const seen = new Set<string>();
  const firstSeen = (e: PackageEvent) => {
    const k = JSON.stringify([e.at, e.action, e.package, e.arch, e.fromVersion, e.toVersion, e.source]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  };
  const dpkgUnique = dpkg.filter(firstSeen);
  const aptKept = apt.map((e, i) => ({ e, end: aptEndsAt[i] ?? null })).filter(({ e }) => firstSeen(e));
  const unique = mergeAptIntoDpkg(
    dpkgUnique,
    aptKept.map((x) => x.e),
    aptKept.map((x) => x.end),
  );
  unique.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  return { events: unique.slice(-MAX_PACKAGE_EVENTS), findings };
}
