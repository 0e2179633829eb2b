// The host's OS name (os-release under --root), kernel (the live kernel the agent runs on) and systemd version.
import { readdir } from 'node:fs/promises';
import { release } from 'node:os';
import type { Finding } from '../../lib/report/schema';
import { run } from './exec';
import { readHostText, underRoot } from './hostFiles';

export interface OsInfo {
  prettyName: string | null;
  kernel: string | null;
  systemdVersion: number | null;
  findings: Finding[];
}

/** Pure: os-release(5) KEY=value lines, with shell-style quoting. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z0-9_]+)=(.*?)\s*$/.exec(line);
    if (!m) continue;
    let v = m[2];
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) {
      v = v.slice(1, -1);
      if (m[2][0] === '"') v = v.replace(/\\([\\"$`])/g, '$1');
    }
    out[m[1]] = v;
  }
  return out;
}

/** Pure: the major systemd version from a libsystemd-shared file name (Debian "-252.so", Fedora "-254.10-1.fc39.so"). */
export function systemdVersionFromLibName(name: string): number | null {
  const m = /^libsystemd-shared-(\d+)[.\w~+-]*\.so$/.exec(name);
  return m ? Number(m[1]) : null;
}

/** Pure: the first integer in `systemctl --version` / `udevadm --version` output. */
export function systemdVersionFromToolOutput(text: string): number | null {
  const m = /^(?:systemd\s+)?(\d+)\b/m.exec(text.trim());
  return m ? Number(m[1]) : null;
}

// Where distributions put libsystemd-shared (present since v231): Debian/Ubuntu (both layouts), Fedora/AL2023.
const LIB_DIRS = ['/usr/lib/systemd', '/lib/systemd', '/usr/lib64/systemd', '/lib64/systemd'];
const MULTIARCH_PARENTS = ['/usr/lib', '/lib'];

async function systemdVersionFromFiles(root: string): Promise<number | null> {
  const dirs = [...LIB_DIRS];
  for (const parent of MULTIARCH_PARENTS) {
    try {
      for (const d of await readdir(underRoot(root, parent))) {
        if (/^[a-z0-9_]+-linux-[a-z0-9_]+$/.test(d)) dirs.push(`${parent}/${d}/systemd`);
      }
    } catch {
      /* no such parent: nothing to add */
    }
  }
  for (const dir of dirs) {
    try {
      for (const name of await readdir(underRoot(root, dir))) {
        const v = systemdVersionFromLibName(name);
        if (v !== null) return v;
      }
    } catch {
      /* directory absent on this distribution */
    }
  }
  return null;
}

async function systemdVersionFromTools(): Promise<number | null> {
  for (const [cmd, args] of [['udevadm', ['--version']], ['systemctl', ['--version']]] as const) {
    try {
      const r = await run(cmd, args, { timeoutMs: 3000 });
      const v = systemdVersionFromToolOutput(r.stdout);
      if (v !== null) return v;
    } catch {
      /* tool not installed */
    }
  }
  return null;
}

export async function collectOs(root: string): Promise<OsInfo> {
  const findings: Finding[] = [];
  let prettyName: string | null = null;
  for (const file of ['/etc/os-release', '/usr/lib/os-release']) {
    const r = await readHostText(underRoot(root, file), 64 * 1024);
    if (r.ok) {
      const kv = parseOsRelease(r.text);
      prettyName = (kv.PRETTY_NAME ?? kv.NAME ?? null)?.slice(0, 256) ?? null;
      break;
    }
  }
  if (prettyName === null) findings.push({ code: 'os-release-missing', severity: 'info', message: 'no os-release under /etc or /usr/lib', path: null });

  // The binaries inside a container are not the host's, so only ask the tools when looking at the live root.
  let systemdVersion = await systemdVersionFromFiles(root);
  if (systemdVersion === null && (root === '/' || root === '')) systemdVersion = await systemdVersionFromTools();
  if (systemdVersion === null) {
    findings.push({ code: 'systemd-version-unknown', severity: 'warning', message: 'could not determine the systemd version; link files are resolved without version checks', path: null });
  }
  return { prettyName, kernel: release().slice(0, 256) || null, systemdVersion, findings };
}
