// Reads what `ip monitor link` prints. iproute2 6.1 prints text even with -j, so this parses text: one record per
// link event, either on one line (`-o`, continuation lines joined by a backslash) or as a first line followed by
// indented continuation lines (the default, and what the fixtures captured with -ts hold).

export interface LinkEvent {
  /** RTM_DELLINK: the interface is gone (deleted, or moved to another namespace). */
  deleted: boolean;
  ifindex: number;
  /** Without the `@peer` suffix. */
  ifname: string;
  /** link/ether address, or null for links without one. */
  mac: string | null;
  /** Link kind from `-d` output (e.g. "veth"), null when ip did not print details. */
  kind: string | null;
}

const HEADER = /^(Deleted\s+)?(\d+):\s+([^\s@:]+)(?:@[^\s:]+)?:\s+<[^>]*>/;
const MAC = /\blink\/ether\s+([0-9a-f]{2}(?::[0-9a-f]{2}){5})\b/i;
/** First words of -d detail segments that are not a link kind. */
const NOT_A_KIND = new Set(['altname', 'alias', 'vf', 'prop', 'link/ether', 'link/none', 'link/loopback']);

/** One record (one `-o` line, or a first line plus its continuation lines) -> event, or null if it is not one. */
export function parseMonitorRecord(record: string): LinkEvent | null {
  const segments = record
    .split(/\\|\n/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (segments.length === 0) return null;
  // -ts prefixes "[2026-11-26T13:41:16.775247] ", `monitor all` prefixes "[LINK]".
  const first = segments[0].replace(/^(\[[^\]]*\]\s*)+/, '');
  const m = HEADER.exec(first);
  if (!m) return null;
  const mac = MAC.exec(record)?.[1]?.toLowerCase() ?? null;
  let kind: string | null = null;
  for (const seg of segments.slice(1)) {
    const word = seg.split(/\s+/, 1)[0];
    if (word.startsWith('link/') || NOT_A_KIND.has(word)) continue;
    if (/^[a-z][a-z0-9_]*$/.test(word)) {
      kind = word;
      break;
    }
  }
  return { deleted: Boolean(m[1]), ifindex: Number(m[2]), ifname: m[3], mac, kind };
}

/** Multi-line monitor output -> records: a line that starts with whitespace continues the record before it. */
export function groupMonitorLines(text: string): string[] {
  const records: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (/^\s/.test(line) && records.length > 0) records[records.length - 1] += '\n' + line;
    else records.push(line);
  }
  return records;
}
