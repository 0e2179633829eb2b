// The keys a .link file may set (src/udev/net/link-config-gperf.gperf) and what an assignment does to the
// accumulated settings. Only the keys that decide matching and the MAC are modelled in depth; every other key
// udev 252 knows is accepted silently, so that only truly unknown keys produce "Unknown key" findings.
//
// Which keys exist depends on the systemd version: a key a version does not know is an unknown key there (it is
// logged and ignored), which matters when it is the only key in [Match] (the file then has an empty [Match]).
import { macPolicySchema, type MacPolicy } from '../../lib/report/schema';
import { parseHwAddr } from './hwaddr';
import type { ConditionType, LinkSettings } from './types';
import { extractAllWords, extractFirstWord } from './words';

/** The first systemd version whose .link parser knows the [Match] key. */
export const MATCH_KEY_SINCE: Record<string, number> = {
  MACAddress: 211,
  Path: 211,
  Driver: 211,
  Type: 211,
  Host: 211,
  Virtualization: 211,
  KernelCommandLine: 211,
  Architecture: 211,
  OriginalName: 218,
  KernelVersion: 237,
  Property: 243,
  PermanentMACAddress: 245,
  Kind: 251,
  Firmware: 251,
  Credential: 252,
};

// [Link] keys udev 252 knows (besides MACAddressPolicy= and MACAddress=, which are modelled).
const OTHER_LINK_KEYS = new Set(
  (
    'Description NamePolicy Name AlternativeName AlternativeNamesPolicy Alias TransmitQueues ReceiveQueues ' +
    'TransmitQueueLength MTUBytes BitsPerSecond Duplex AutoNegotiation WakeOnLan WakeOnLanPassword Port ' +
    'ReceiveChecksumOffload TransmitChecksumOffload GenericSegmentationOffload TCPSegmentationOffload ' +
    'TCP6SegmentationOffload UDPSegmentationOffload GenericReceiveOffload GenericReceiveOffloadHardware ' +
    'LargeReceiveOffload ReceiveVLANCTAGHardwareAcceleration TransmitVLANCTAGHardwareAcceleration ' +
    'ReceiveVLANCTAGFilter TransmitVLANSTAGHardwareAcceleration NTupleFilter RxChannels TxChannels ' +
    'OtherChannels CombinedChannels Advertise RxBufferSize RxMiniBufferSize RxJumboBufferSize TxBufferSize ' +
    'RxFlowControl TxFlowControl AutoNegotiationFlowControl GenericSegmentOffloadMaxBytes ' +
    'GenericSegmentOffloadMaxSegments RxCoalesceSec RxMaxCoalescedFrames RxCoalesceIrqSec ' +
    'RxMaxCoalescedIrqFrames TxCoalesceSec TxMaxCoalescedFrames TxCoalesceIrqSec TxMaxCoalescedIrqFrames ' +
    'StatisticsBlockCoalesceSec UseAdaptiveRxCoalesce UseAdaptiveTxCoalesce CoalescePacketRateLow ' +
    'RxCoalesceLowSec RxMaxCoalescedLowFrames TxCoalesceLowSec TxMaxCoalescedLowFrames CoalescePacketRateHigh ' +
    'RxCoalesceHighSec RxMaxCoalescedHighFrames TxCoalesceHighSec TxMaxCoalescedHighFrames ' +
    'CoalescePacketRateSampleIntervalSec MDI SR-IOVVirtualFunctions'
  ).split(' '),
);
const SRIOV_KEYS = new Set(
  'VirtualFunction VLANId QualityOfService VLANProtocol MACSpoofCheck QueryReceiveSideScaling Trust LinkState MACAddress'.split(
    ' ',
  ),
);

/** Sections a .link file may have; [SR-IOV] arrived in 251. */
export function knownSections(systemdVersion: number): string[] {
  return systemdVersion >= 251 ? ['Match', 'Link', 'SR-IOV'] : ['Match', 'Link'];
}

export function emptySettings(): LinkSettings {
  return {
    match: { hwAddr: null, permanentHwAddr: null, path: [], driver: [], iftype: [], kind: [], ifname: [], property: [] },
    conditions: [],
    macAddressPolicy: null,
    macAddress: null,
  };
}

/** A message udev would log at warning level while applying an assignment. */
export type AssignmentWarning = string;

function parseIfindex(p: string): number | null {
  let v: number | null = null;
  let m: RegExpExecArray | null;
  if ((m = /^0[bB]([+-]?)([01]+)$/.exec(p))) v = (m[1] === '-' ? -1 : 1) * parseInt(m[2], 2);
  else if ((m = /^0[oO]([+-]?)([0-7]+)$/.exec(p))) v = (m[1] === '-' ? -1 : 1) * parseInt(m[2], 8);
  else if ((m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(p))) {
    const d = m[2];
    const abs = /^0[xX]/.test(d) ? parseInt(d.slice(2), 16) : d.length > 1 && d[0] === '0' ? parseInt(d, 8) : parseInt(d, 10);
    v = (m[1] === '-' ? -1 : 1) * abs;
  }
  if (v === null || v <= 0 || v > 0x7fffffff) return null;
  return v;
}

/** ifname_valid_full(name, 0) of systemd 252. */
export function ifnameValid(p: string): boolean {
  if (p === '') return false;
  // parse_ifindex() (safe_atoi(): strtol base 0 after "0b"/"0o" prefixes): anything that reads as a positive
  // int is an ifindex, not a name.
  const ifindex = parseIfindex(p);
  if (ifindex !== null) return false;
  if (Buffer.byteLength(p) >= 16) return false;
  if (p === '.' || p === '..' || p === 'all' || p === 'default') return false;
  for (const ch of p) {
    const c = ch.codePointAt(0)!;
    if (c >= 127 || c <= 32 || ch === ':' || ch === '/' || ch === '%') return false;
  }
  return !/^\d+$/.test(p);
}

/** env_assignment_is_valid(): NAME=VALUE with NAME of [A-Za-z0-9_] not starting with a digit. */
function envAssignmentValid(word: string): boolean {
  const eq = word.indexOf('=');
  if (eq <= 0) return false;
  const name = word.slice(0, eq);
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

function applyMatchStrv(list: string[], value: string, flags: Parameters<typeof extractAllWords>[1]): { list: string[]; warning: string | null } {
  if (value === '') return { list: [], warning: null };
  const invert = value.startsWith('!');
  const { words, error } = extractAllWords(invert ? value.slice(1) : value, flags);
  return { list: [...list, ...words.map((w) => (invert ? '!' + w : w))], warning: error ? `Invalid syntax, ignoring: ${value}` : null };
}

const CONDITION_KEYS: Record<string, ConditionType> = {
  Host: 'Host',
  Virtualization: 'Virtualization',
  KernelCommandLine: 'KernelCommandLine',
  KernelVersion: 'KernelVersion',
  Credential: 'Credential',
  Architecture: 'Architecture',
  Firmware: 'Firmware',
};

export type AssignmentOutcome = { known: true; warnings: AssignmentWarning[] } | { known: false };

/** next_assignment() -> the key's parser. Mutates `s`. */
export function applyAssignment(s: LinkSettings, section: string, key: string, value: string, systemdVersion: number): AssignmentOutcome {
  const warnings: string[] = [];
  if (section === 'Match') {
    const since = MATCH_KEY_SINCE[key];
    if (since === undefined || systemdVersion < since) return { known: false };
    const m = s.match;
    switch (key) {
      case 'MACAddress':
      case 'PermanentMACAddress': {
        const field = key === 'MACAddress' ? 'hwAddr' : 'permanentHwAddr';
        if (value === '') {
          m[field] = null;
          break;
        }
        const { words, error } = extractAllWords(value, {});
        for (const w of words) {
          const a = parseHwAddr(w);
          if (!a) {
            warnings.push(`Not a valid hardware address, ignoring: ${w}`);
            continue;
          }
          const set = m[field] ?? [];
          if (!set.some((x) => x.hex === a.hex && x.length === a.length)) set.push(a);
          m[field] = set;
        }
        if (error) warnings.push(`Invalid syntax, ignoring: ${value}`);
        break;
      }
      case 'OriginalName': {
        if (value === '') {
          m.ifname = [];
          break;
        }
        const invert = value.startsWith('!');
        const { words, error } = extractAllWords(invert ? value.slice(1) : value, {});
        for (const w of words) {
          if (!ifnameValid(w)) {
            warnings.push(`Interface name is not valid or too long, ignoring assignment: ${w}`);
            continue;
          }
          m.ifname.push(invert ? '!' + w : w);
        }
        if (error) warnings.push(`Failed to parse interface name list, ignoring: ${value}`);
        break;
      }
      case 'Path':
      case 'Driver':
      case 'Type':
      case 'Kind': {
        const field = key === 'Path' ? 'path' : key === 'Driver' ? 'driver' : key === 'Type' ? 'iftype' : 'kind';
        const r = applyMatchStrv(m[field], value, { unquote: true, retainEscape: true });
        m[field] = r.list;
        if (r.warning) warnings.push(r.warning);
        break;
      }
      case 'Property': {
        if (value === '') {
          m.property = [];
          break;
        }
        const invert = value.startsWith('!');
        let rest: string | null = invert ? value.slice(1) : value;
        for (;;) {
          const r = extractFirstWord(rest, { cunescape: true, unquote: true });
          if ('error' in r) {
            warnings.push(`Invalid syntax, ignoring: ${value}`);
            break;
          }
          if (r.word === null) break;
          rest = r.rest;
          if (!envAssignmentValid(r.word)) {
            warnings.push(`Invalid property or value, ignoring assignment: ${r.word}`);
            continue;
          }
          m.property.push(invert ? '!' + r.word : r.word);
        }
        break;
      }
      default: {
        const type = CONDITION_KEYS[key];
        // config_parse_net_condition(): one condition per type; a new assignment replaces the previous one, an
        // empty one removes it.
        s.conditions = s.conditions.filter((c) => c.type !== type);
        if (value !== '') {
          const negate = value.startsWith('!');
          s.conditions.push({ type, parameter: negate ? value.slice(1) : value, negate });
        }
      }
    }
    return { known: true, warnings };
  }

  if (section === 'Link') {
    if (key === 'MACAddressPolicy') {
      if (value === '') s.macAddressPolicy = 'none';
      else {
        const p = macPolicySchema.safeParse(value);
        if (p.success) s.macAddressPolicy = p.data as MacPolicy;
        else warnings.push(`Failed to parse MAC address policy, ignoring: ${value}`);
      }
      return { known: true, warnings };
    }
    if (key === 'MACAddress') {
      if (value === '') s.macAddress = null;
      else {
        const a = parseHwAddr(value);
        if (a) s.macAddress = a;
        else warnings.push(`Not a valid hardware address, ignoring assignment: ${value}`);
      }
      return { known: true, warnings };
    }
    if (OTHER_LINK_KEYS.has(key)) return { known: true, warnings };
    return { known: false };
  }

  if (section === 'SR-IOV' && SRIOV_KEYS.has(key)) return { known: true, warnings };
  return { known: false };
}
