// Parsers for iproute2's `-j` output (checked against iproute2 6.1 captures in the shared fixtures). Only the
// fields the agent uses are kept; anything else ip prints is ignored so newer iproute2 versions still parse.
import { z } from 'zod';

export class IpOutputError extends Error {
  constructor(what: string, detail: string) {
    super(`unexpected output from ip (${what}): ${detail}`);
    this.name = 'IpOutputError';
  }
}

export interface IpAddr {
  family: string;
  local: string;
  prefixlen: number;
  scope: string | null;
}

export interface IpLink {
  ifindex: number;
  ifname: string;
  address: string | null;
  linkType: string | null;
  /** Peer ifindex when the peer lives in another namespace (ip prints `link_index` then). */
  linkIndex: number | null;
  /** The peer's namespace as an nsid of the namespace ip ran in. */
  linkNetnsid: number | null;
  /** Peer name when the peer is in the same namespace (ip prints `link` instead of `link_index`). */
  linkPeer: string | null;
  kind: string | null;
  addrs: IpAddr[];
}

export interface IpNeigh {
  dst: string;
  /** ip omits `dev` when the query was filtered by device. */
  dev: string | null;
  lladdr: string | null;
  state: string[];
}

export interface IpRoute {
  dst: string;
  gateway: string | null;
  dev: string | null;
  scope: string | null;
  table: string | null;
}

export interface IpNetnsId {
  nsid: number;
  name: string | null;
}

const addrInfo = z.object({
  family: z.string(),
  local: z.string(),
  prefixlen: z.number().int(),
  scope: z.string().optional(),
});

const link = z.object({
  ifindex: z.number().int(),
  ifname: z.string(),
  address: z.string().optional(),
  link_type: z.string().optional(),
  link_index: z.number().int().optional(),
  link_netnsid: z.number().int().optional(),
  link: z.string().nullable().optional(),
  linkinfo: z.object({ info_kind: z.string().optional() }).optional(),
  addr_info: z.array(z.union([addrInfo, z.object({}).loose()])).optional(),
});

const neigh = z.object({
  dst: z.string(),
  dev: z.string().optional(),
  lladdr: z.string().optional(),
  state: z.array(z.string()).optional(),
});

const route = z.object({
  dst: z.string(),
  gateway: z.string().optional(),
  dev: z.string().optional(),
  scope: z.string().optional(),
  table: z.union([z.string(), z.number()]).optional(),
});

const netnsId = z.object({ nsid: z.number().int(), name: z.string().optional() });
const netnsName = z.object({ name: z.string(), id: z.number().int().optional() });

function parseArray<S extends z.ZodType>(what: string, schema: S, value: unknown): z.infer<S>[] {
  // `ip -j` prints nothing at all (not "[]") for some empty dumps, e.g. `netns list-id` with no ids.
  if (value === undefined || value === null) return [];
  const parsed = z.array(schema).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new IpOutputError(what, `${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

// Fast paths: a scan parses a few hundred ip documents, and zod costs more than everything else done with them.
// Each fast path accepts only what its schema accepts and builds the same result; anything it is unsure of (a
// wrong type anywhere) goes to the schema, which then also writes the error message.
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optStr = (v: unknown): v is string | undefined => v === undefined || typeof v === 'string';
const optInt = (v: unknown): v is number | undefined => v === undefined || Number.isSafeInteger(v);

function fastAddr(a: unknown): IpAddr | null {
  if (!isObj(a) || typeof a.family !== 'string' || typeof a.local !== 'string' || !Number.isSafeInteger(a.prefixlen) || !optStr(a.scope)) return null;
  return { family: a.family, local: a.local, prefixlen: a.prefixlen as number, scope: a.scope ?? null };
}

function fastLinks(value: unknown[]): IpLink[] | null {
  const out: IpLink[] = [];
  for (const l of value) {
    if (!isObj(l) || !Number.isSafeInteger(l.ifindex) || typeof l.ifname !== 'string') return null;
    if (!optStr(l.address) || !optStr(l.link_type) || !optInt(l.link_index) || !optInt(l.link_netnsid)) return null;
    if (!(l.link === undefined || l.link === null || typeof l.link === 'string')) return null;
    const info = l.linkinfo;
    if (!(info === undefined || (isObj(info) && optStr(info.info_kind)))) return null;
    const raw = l.addr_info;
    if (!(raw === undefined || Array.isArray(raw))) return null;
    const addrs: IpAddr[] = [];
    for (const a of raw ?? []) {
      if (!isObj(a)) return null;
      const ok = fastAddr(a);
      if (ok) addrs.push(ok);
    }
    out.push({
      ifindex: l.ifindex as number,
      ifname: l.ifname,
      address: l.address ?? null,
      linkType: l.link_type ?? null,
      linkIndex: l.link_index ?? null,
      linkNetnsid: l.link_netnsid ?? null,
      linkPeer: (l.link as string | null | undefined) ?? null,
      kind: (info as { info_kind?: string } | undefined)?.info_kind ?? null,
      addrs,
    });
  }
  return out;
}

function fastNeighbours(value: unknown[]): IpNeigh[] | null {
  const out: IpNeigh[] = [];
  for (const n of value) {
    if (!isObj(n) || typeof n.dst !== 'string' || !optStr(n.dev) || !optStr(n.lladdr)) return null;
    const state = n.state;
    if (!(state === undefined || (Array.isArray(state) && state.every((x) => typeof x === 'string')))) return null;
    out.push({ dst: n.dst, dev: n.dev ?? null, lladdr: n.lladdr ? n.lladdr.toLowerCase() : null, state: (state as string[] | undefined) ?? [] });
  }
  return out;
}

function fastRoutes(value: unknown[]): IpRoute[] | null {
  const out: IpRoute[] = [];
  for (const r of value) {
    if (!isObj(r) || typeof r.dst !== 'string' || !optStr(r.gateway) || !optStr(r.dev) || !optStr(r.scope)) return null;
    const t = r.table;
    if (!(t === undefined || typeof t === 'string' || (typeof t === 'number' && Number.isFinite(t)))) return null;
    out.push({ dst: r.dst, gateway: r.gateway ?? null, dev: r.dev ?? null, scope: r.scope ?? null, table: t === undefined ? null : String(t) });
  }
  return out;
}

export function parseLinks(value: unknown): IpLink[] {
  return (Array.isArray(value) ? fastLinks(value) : null) ?? schemaLinks(value);
}

/** The schema path alone (what the fast path must agree with). */
export function schemaLinks(value: unknown): IpLink[] {
  return parseArray('link', link, value).map((l) => ({
    ifindex: l.ifindex,
    ifname: l.ifname,
    address: l.address ?? null,
    linkType: l.link_type ?? null,
    linkIndex: l.link_index ?? null,
    linkNetnsid: l.link_netnsid ?? null,
    linkPeer: l.link ?? null,
    kind: l.linkinfo?.info_kind ?? null,
    addrs: (l.addr_info ?? []).flatMap((a) => {
      const ok = addrInfo.safeParse(a);
      return ok.success ? [{ family: ok.data.family, local: ok.data.local, prefixlen: ok.data.prefixlen, scope: ok.data.scope ?? null }] : [];
    }),
  }));
}

export function parseNeighbours(value: unknown): IpNeigh[] {
  return (Array.isArray(value) ? fastNeighbours(value) : null) ?? schemaNeighbours(value);
}

/** The schema path alone (what the fast path must agree with). */
export function schemaNeighbours(value: unknown): IpNeigh[] {
  return parseArray('neigh', neigh, value).map((n) => ({
    dst: n.dst,
    dev: n.dev ?? null,
    lladdr: n.lladdr ? n.lladdr.toLowerCase() : null,
    state: n.state ?? [],
  }));
}

export function parseRoutes(value: unknown): IpRoute[] {
  return (Array.isArray(value) ? fastRoutes(value) : null) ?? schemaRoutes(value);
}

/** The schema path alone (what the fast path must agree with). */
export function schemaRoutes(value: unknown): IpRoute[] {
  return parseArray('route', route, value).map((r) => ({
    dst: r.dst,
    gateway: r.gateway ?? null,
    dev: r.dev ?? null,
    scope: r.scope ?? null,
    table: r.table === undefined ? null : String(r.table),
  }));
}

export function parseNetnsIds(value: unknown): IpNetnsId[] {
  return parseArray('netns list-id', netnsId, value).map((n) => ({ nsid: n.nsid, name: n.name ?? null }));
}

export function parseNetnsNames(value: unknown): string[] {
  return parseArray('netns list', netnsName, value).map((n) => n.name);
}

/**
 * `ip -j -batch` prints one JSON document per command, back to back, and prints nothing for a command whose
 * dump is empty in some versions. Splits the stream into parsed values, in order.
 */
export function parseJsonStream(text: string): unknown[] {
  // iproute2 prints each document on one line; parse line by line and fall back to scanning for anything else.
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  try {
    return lines.map((l) => JSON.parse(l) as unknown);
  } catch {
    return scanJsonStream(text);
  }
}

function scanJsonStream(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (depth === 0) start = i;
      depth++;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
      if (depth < 0) throw new IpOutputError('batch', `unbalanced bracket at offset ${i}`);
      if (depth === 0) {
        try {
          values.push(JSON.parse(text.slice(start, i + 1)));
        } catch (e) {
          throw new IpOutputError('batch', `invalid JSON at offset ${start}: ${(e as Error).message}`);
        }
      }
    } else if (depth === 0 && c > 0x20) {
      throw new IpOutputError('batch', `text outside a JSON document at offset ${i}`);
    }
  }
  if (depth !== 0 || inString) throw new IpOutputError('batch', 'truncated JSON');
  return values;
}
