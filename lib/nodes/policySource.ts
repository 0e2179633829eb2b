// Which file sets MACAddressPolicy= for new veths: with a drop-in in place it is the drop-in, not the .link file it
// extends, and an operator at 3 a.m. must be sent to the file that decides. The agent's resolver reports it
// (`newVeth.policySource`); reports from older agents are read the way udev reads the files: the .link file, then
// its drop-ins in order, the last assignment winning. Client-safe and pure.
import type { LinkFileInfo, LinkVerdict } from '../report/schema';

type Verdict = Pick<LinkVerdict, 'linkFile' | 'dropIns' | 'macAddressPolicy'> & { policySource?: string | null };

/** The file whose MACAddressPolicy= applies, or null when none sets it (udev's default, none). */
export function policySourceOf(verdict: Verdict, files: readonly Pick<LinkFileInfo, 'path' | 'macAddressPolicy'>[] = []): string | null {
  if (verdict.policySource !== undefined) return verdict.policySource;
  if (!verdict.linkFile) return null;
  const byPath = new Map(files.map((f) => [f.path, f.macAddressPolicy]));
  for (const p of [...verdict.dropIns].reverse()) if (byPath.get(p)) return p;
  if (byPath.get(verdict.linkFile)) return verdict.linkFile;
  // Nothing known about the files: the .link file is all the verdict names.
  return files.length === 0 ? verdict.linkFile : null;
}

function base(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export interface PolicySourceView {
  macAddressPolicy: string | null;
  linkFile: string | null;
  /** The file that sets the value; null when no file does. */
  source: string | null;
}

/** "MACAddressPolicy=none from /etc/.../50-x.conf (drop-in for /usr/lib/.../99-default.link)", for sentences. */
export function describePolicySource(v: PolicySourceView): string {
  if (!v.linkFile) return 'no .link file matches veths';
  const policy = v.macAddressPolicy ?? 'unset';
  if (v.source === null) return `MACAddressPolicy unset in ${v.linkFile} and its drop-ins (udev's default: ${policy})`;
  if (v.source !== v.linkFile) return `MACAddressPolicy=${policy} from ${v.source} (drop-in for ${v.linkFile})`;
  return `MACAddressPolicy=${policy} from ${v.linkFile}`;
}

/** "50-x.conf, drop-in for 99-default.link", or "99-default.link": for table cells and labels. */
export function shortPolicySource(v: Pick<PolicySourceView, 'linkFile' | 'source'>): string | null {
  if (!v.linkFile) return null;
  if (v.source === null) return `${base(v.linkFile)}, default`;
  if (v.source !== v.linkFile) return `${base(v.source)}, drop-in for ${base(v.linkFile)}`;
  return base(v.linkFile);
}
