// The [Match] keys that are really conditions (Host=, Virtualization=, KernelCommandLine=, KernelVersion=,
// Architecture=, Credential=, Firmware=). udev 252 tests them once, when it loads the file (link_load_one()
// calls condition_test_list()), and a file whose conditions fail is dropped as if it did not exist: a later file
// can then match. A condition that cannot be evaluated (C: r < 0) fails whether or not it is negated.
import { fnmatch } from './fnmatch';
import type { ConditionSpec, HostFacts } from './types';
import { parseCompareOperator, versionOrFnmatchCompare } from './versionCompare';
import { extractFirstWord } from './words';

/** true / false, or null when udev's test would return an error (the condition then fails). */
export type ConditionOutcome = { result: boolean | null; unknownFact: keyof HostFacts | null };

const CONTAINERS = new Set([
  'systemd-nspawn',
  'lxc-libvirt',
  'lxc',
  'openvz',
  'docker',
  'podman',
  'rkt',
  'wsl',
  'proot',
  'pouch',
  'container-other',
]);
const VMS = new Set([
  'kvm',
  'amazon',
  'qemu',
  'bochs',
  'xen',
  'uml',
  'vmware',
  'oracle',
  'microsoft',
  'zvm',
  'parallels',
  'bhyve',
  'qnx',
  'acrn',
  'powervm',
  'apple',
  'sre',
  'google',
  'vm-other',
]);

export function isContainerVirtualization(v: string | null): boolean {
  return v !== null && CONTAINERS.has(v);
}

/** parse_boolean(). */
export function parseBoolean(v: string): boolean | null {
  const s = v.toLowerCase();
  if (v === '1' || ['yes', 'y', 'true', 't', 'on'].includes(s)) return true;
  if (v === '0' || ['no', 'n', 'false', 'f', 'off'].includes(s)) return false;
  return null;
}

/** sd_id128_from_string(): 32 hex digits, or the 36-char UUID form. */
export function parseId128(s: string): string | null {
  if (/^[0-9a-fA-F]{32}$/.test(s)) return s.toLowerCase();
  if (/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s))
    return s.replace(/-/g, '').toLowerCase();
  return null;
}

function kernelCommandLine(param: string, cmdline: string): boolean | null {
  const hasEqual = param.includes('=');
  let rest: string | null = cmdline;
  for (;;) {
    const r = extractFirstWord(rest, { unquote: true, relax: true });
    if ('error' in r) return null;
    if (r.word === null) return false;
    if (hasEqual) {
      if (r.word === param) return true;
    } else if (r.word.startsWith(param)) {
      const next = r.word[param.length];
      if (next === undefined || next === '=') return true;
    }
    rest = r.rest;
  }
}

/**
 * KernelVersion=: from 252 on, '=' and '!=' compare strings and a word without an operator is a glob; older
 * versions compared '=' as versions. Several space-separated expressions must all hold.
 */
function kernelVersion(param: string, release: string, systemdVersion: number): boolean | null {
  let rest: string | null = param;
  let first = true;
  for (;;) {
    const r = extractFirstWord(rest, { unquote: true });
    if ('error' in r) return null;
    if (r.word === null) return true;
    rest = r.rest;
    const word = r.word.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, '');
    const parsed = parseCompareOperator(word, { allowFnmatch: true, equalByString: systemdVersion >= 252 });
    const op = parsed?.op ?? 'fnmatch-equal';
    let s = parsed ? parsed.rest : word;
    s = s.replace(/^[ \t\n\r]+/, '');
    if (s === '') {
      // "For backwards compatibility, allow whitespace between the operator and value, without quoting, but only
      // in the first expression."
      if (!first) return null;
      const next = extractFirstWord(rest, {});
      if ('error' in next || next.word === null) return null;
      s = next.word;
      rest = next.rest;
    }
    const ok = versionOrFnmatchCompare(op, release, s);
    if (ok === null) return null;
    if (!ok) return false;
    first = false;
  }
}

function firmware(param: string, fw: NonNullable<HostFacts['firmware']>): boolean | null {
  if (param === 'device-tree') return fw.deviceTree;
  if (param === 'uefi') return fw.uefi;
  const dtc = /^device-tree-compatible\((.*)\)$/.exec(param);
  if (dtc) return fw.deviceTreeCompatible.includes(dtc[1]);
  if (param.startsWith('device-tree-compatible(')) return false;
  const smb = /^smbios-field\((.*)\)$/.exec(param);
  if (smb) {
    // condition_test_firmware_smbios_field(): FIELD up to the first operator char, then OP, then exactly one
    // (optionally quoted) value word; a field sysfs does not have is false, not an error.
    const expr = smb[1];
    const opAt = expr.search(/[!<=>$]/);
    if (opAt <= 0) return null;
    const field = expr.slice(0, opAt).replace(/[ \t\n\r]+$/, '');
    const opParsed = parseCompareOperator(expr.slice(opAt), { allowFnmatch: true, equalByString: true });
    if (!opParsed) return null;
    const valueWord = extractFirstWord(opParsed.rest, { unquote: true });
    if ('error' in valueWord || valueWord.word === null || valueWord.rest !== null) return null;
    if (field === '' || field.includes('/') || field === '.' || field === '..') return null;
    const actual = fw.smbios[field];
    if (actual === undefined) return false;
    return versionOrFnmatchCompare(opParsed.op, actual.replace(/[ \t\n\r]+$/, ''), valueWord.word);
  }
  if (param.startsWith('smbios-field(')) return null;
  return false;
}

/** condition_test() for one condition, including its negation; unknown host facts fail and are named. */
export function testCondition(c: ConditionSpec, host: HostFacts, systemdVersion: number): ConditionOutcome {
  const unknown = (fact: keyof HostFacts): ConditionOutcome => ({ result: null, unknownFact: fact });
  let r: boolean | null;
  switch (c.type) {
    case 'Host': {
      const id = parseId128(c.parameter);
      if (id !== null) {
        if (host.machineId === null) return { result: null, unknownFact: null };
        r = id === host.machineId;
      } else {
        if (host.hostname === null) return unknown('hostname');
        r = fnmatch(c.parameter, host.hostname || 'localhost', { casefold: true });
      }
      break;
    }
    case 'Virtualization': {
      if (c.parameter === 'private-users') {
        if (host.privateUsers === undefined || host.privateUsers === null) return unknown('privateUsers');
        r = host.privateUsers;
        break;
      }
      const v = host.virtualization;
      if (v === null) return unknown('virtualization');
      const b = parseBoolean(c.parameter);
      if (b !== null) r = b === (v !== 'none');
      else if (c.parameter === 'vm') r = VMS.has(v);
      else if (c.parameter === 'container') r = CONTAINERS.has(v);
      else r = v !== 'none' && c.parameter === v;
      break;
    }
    case 'KernelCommandLine':
      if (host.kernelCommandLine === null) return unknown('kernelCommandLine');
      r = kernelCommandLine(c.parameter, host.kernelCommandLine);
      break;
    case 'KernelVersion':
      if (host.kernelVersion === null) return unknown('kernelVersion');
      r = kernelVersion(c.parameter, host.kernelVersion, systemdVersion);
      break;
    case 'Architecture':
      if (host.architecture === null) return unknown('architecture');
      // "native" is the architecture udev was built for; on every distribution we know that is the kernel's.
      r = c.parameter === 'native' ? true : c.parameter === host.architecture;
      break;
    case 'Credential':
      // systemd-udevd.service gets no credentials, so $CREDENTIALS_DIRECTORY is unset and none exists.
      r = false;
      break;
    case 'Firmware':
      if (!host.firmware) return unknown('firmware');
      r = firmware(c.parameter, host.firmware);
      break;
  }
  if (r === null) return { result: null, unknownFact: null };
  return { result: r !== c.negate, unknownFact: null };
}
