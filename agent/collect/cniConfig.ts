// The VPC CNI's veth prefix: "vethPrefix" of the aws-cni plugin in /etc/cni/net.d/*aws*.conflist
// (AWS_VPC_K8S_CNI_VETHPREFIX ends up there), "eni" when no such file exists.
import { readdir } from 'node:fs/promises';
import { z } from 'zod';
import type { Finding } from '../../lib/report/schema';
import { cniFromConfigText, type ConfigIdentity, firstConfigName } from './cniKind';
import { readHostText, underRoot } from './hostFiles';

export const DEFAULT_VETH_PREFIX = 'eni';
const DEFAULT_CNI_CONF_DIR = '/etc/cni/net.d';

export interface CniConfig {
  vethPrefix: string;
  /** Host path (without --root) of the conflist the prefix came from; null when the default was assumed. */
  configFile: string | null;
  /** The file the runtime loads (first by name) and the CNI its first plugin names; null without one. */
  first: ({ file: string } & ConfigIdentity) | null;
  findings: Finding[];
}

const conflist = z.object({
  plugins: z.array(z.object({ type: z.string().optional(), vethPrefix: z.string().optional() }).loose()),
});

/** Pure: the prefix a conflist's text declares, or an error message saying why it can't be used. */
export function vethPrefixFromConflist(text: string): { prefix: string | null } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { error: `not valid JSON: ${(e as Error).message}` };
  }
  const parsed = conflist.safeParse(json);
  if (!parsed.success) return { error: 'no "plugins" array of objects' };
  const plugin = parsed.data.plugins.find((p) => p.type === 'aws-cni');
  if (!plugin) return { error: 'no plugin of type "aws-cni"' };
  const prefix = plugin.vethPrefix;
  if (prefix === undefined || prefix === '') return { prefix: null };
  // The CNI itself rejects prefixes longer than 4 characters (15-byte ifname = prefix + 11 hex).
  if (!/^[A-Za-z0-9_-]{1,4}$/.test(prefix)) return { error: `vethPrefix ${JSON.stringify(prefix)} is not 1-4 name characters` };
  return { prefix };
}

/** `confDir`: read the config from this directory as it is (not under root); reported paths are then its own. */
export async function collectCniConfig(root: string, confDir?: string): Promise<CniConfig> {
  const CNI_CONF_DIR = confDir ?? DEFAULT_CNI_CONF_DIR;
  const dir = confDir ?? underRoot(root, CNI_CONF_DIR);
  const hostFile = (p: string) => (confDir ? p : underRoot(root, p));
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const findings: Finding[] =
      code === 'ENOENT'
        ? []
        : [{ code: 'cni-config-unreadable', severity: 'warning', message: `cannot list ${CNI_CONF_DIR}: ${(e as Error).message}`, path: CNI_CONF_DIR }];
    return { vethPrefix: DEFAULT_VETH_PREFIX, configFile: null, first: null, findings };
  }
  const first = await identifyFirst(CNI_CONF_DIR, hostFile, names);
  // The container runtime loads the lexically first config file; do the same among the AWS ones.
  const candidates = names.filter((n) => n.includes('aws') && n.endsWith('.conflist')).sort();
  const findings: Finding[] = [];
  for (const name of candidates) {
    const hostPath = `${CNI_CONF_DIR}/${name}`;
    const read = await readHostText(hostFile(hostPath), 1024 * 1024);
    if (!read.ok) {
      findings.push({ code: 'cni-config-unreadable', severity: 'warning', message: `cannot read ${hostPath}: ${read.error}`, path: hostPath });
      continue;
    }
    const result = vethPrefixFromConflist(read.text);
    if ('error' in result) {
      findings.push({ code: 'cni-config-malformed', severity: 'warning', message: `${hostPath}: ${result.error}; assuming veth prefix "${DEFAULT_VETH_PREFIX}"`, path: hostPath });
      continue;
    }
    return { vethPrefix: result.prefix ?? DEFAULT_VETH_PREFIX, configFile: hostPath, first, findings };
  }
  return { vethPrefix: DEFAULT_VETH_PREFIX, configFile: null, first, findings };
}

/** The CNI named by the file the runtime loads; an unreadable or odd file names none (the interfaces decide). */
async function identifyFirst(dir: string, hostFile: (p: string) => string, names: readonly string[]): Promise<CniConfig['first']> {
  const name = firstConfigName(names);
  if (name === null) return null;
  const file = `${dir}/${name}`;
  const read = await readHostText(hostFile(file), 1024 * 1024);
  const id = read.ok ? cniFromConfigText(read.text) : null;
  return id ? { file, ...id } : null;
}
