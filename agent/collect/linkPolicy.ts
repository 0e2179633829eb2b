// linkPolicy of the report: what udev will do to the next pod veth (newVeth), the link-file inventory (files),
// and the package history of the file that decides it (packageEvents). Reads host files under root only.
import type { Finding, LinkFileInfo, LinkVerdict, PackageEvent } from '../../lib/report/schema';
import { loadLinkConfig, newVethFacts, resolveLink, type HostFacts, type LinkConfig } from '../linkconfig';
import { findOwners, readDpkgStatus } from './dpkg';
import { collectLinkFiles } from './linkFiles';
import { readPackageEvents } from './packageEvents';

/** The report holds 1000 findings in all; link policy keeps room for the rest of the agent. */
export const MAX_LINK_POLICY_FINDINGS = 200;

/** Packages that ship udev's stock 99-default.link: Debian/Ubuntu, and Fedora/Amazon Linux. */
export const FALLBACK_UDEV_PACKAGES = ['udev', 'systemd-udev'];

export interface LinkPolicyResult {
  config: LinkConfig;
  newVeth: LinkVerdict;
  files: LinkFileInfo[];
  packageEvents: PackageEvent[];
  findings: Finding[];
}

export async function collectLinkPolicy(
  root: string,
  opts: { systemdVersion: number | null; vethPrefix: string; host?: Partial<HostFacts> },
): Promise<LinkPolicyResult> {
  const vethFacts = newVethFacts(opts.vethPrefix);
  const config = await loadLinkConfig(root, { systemdVersion: opts.systemdVersion, host: opts.host });
  const newVeth = resolveLink(config, vethFacts);

  const dpkg = await readDpkgStatus(root);
  const { files, findings: fileFindings } = await collectLinkFiles(root, opts.systemdVersion, dpkg);

  let packages = FALLBACK_UDEV_PACKAGES;
  const ownerFindings: Finding[] = [];
  if (newVeth.linkFile) {
    const known = files.find((f) => f.path === newVeth.linkFile)?.package;
    if (known) packages = [known.name];
    else if (dpkg) {
      const r = await findOwners(root, [newVeth.linkFile], dpkg);
      const o = r.owners.get(newVeth.linkFile);
      if (o) packages = [o.package];
      ownerFindings.push(...r.findings);
    }
  }
  const events = await readPackageEvents(root, packages);

  // dpkg status findings are reported once, by the inventory.
  let findings = dedupe([...config.findings, ...fileFindings, ...ownerFindings, ...events.findings]);
  if (findings.length > MAX_LINK_POLICY_FINDINGS) {
    const dropped = findings.length - (MAX_LINK_POLICY_FINDINGS - 1);
    // Errors first, so what makes udev ignore a file is never the part that gets cut.
    const rank = { error: 0, warning: 1, info: 2 } as const;
    findings = [...findings].sort((a, b) => rank[a.severity] - rank[b.severity]).slice(0, MAX_LINK_POLICY_FINDINGS - 1);
    findings.push({ code: 'findings-truncated', severity: 'info', message: `${dropped} more link-policy findings were not reported`, path: null });
  }
  return { config, newVeth, files, packageEvents: events.events, findings };
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.code}\0${f.path}\0${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
