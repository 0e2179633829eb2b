// Renders a kustomization with the real tool, `kubectl kustomize` (kustomize v5 built into kubectl), exactly as
// `kubectl apply -k` would. A missing or too old kubectl is an error naming the fix, never a silent skip.
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

export type Manifest = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export class KubectlUnavailableError extends Error {
  constructor(detail: string) {
    super(`kubectl with kustomize v5 is needed to render deploy/ (kubectl 1.27 or later on PATH): ${detail}`);
    this.name = 'KubectlUnavailableError';
  }
}

function kubectl(args: string[]): string {
  try {
    return execFileSync('kubectl', args, { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new KubectlUnavailableError('kubectl is not on PATH');
    throw new Error(`kubectl ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

let checked = false;
function requireKustomizeV5(): void {
  if (checked) return;
  const v = JSON.parse(kubectl(['version', '--client', '-o', 'json'])) as { kustomizeVersion?: string };
  const major = /^v?(\d+)\./.exec(v.kustomizeVersion ?? '')?.[1];
  if (!major || Number(major) < 5) throw new KubectlUnavailableError(`this kubectl has kustomize ${v.kustomizeVersion ?? 'unknown'}`);
  checked = true;
}

/** `kubectl kustomize DIR`, parsed: every object it would apply, in its order. */
export function kustomize(dir: string): Manifest[] {
  requireKustomizeV5();
  const out: Manifest[] = [];
  for (const doc of parseAllDocuments(kubectl(['kustomize', dir]))) {
    if (doc.errors.length > 0) throw new Error(`kubectl kustomize ${dir}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as Manifest | null;
    if (value) out.push(value);
  }
  return out;
}

export function resourceId(m: Manifest): string {
  const group = String(m.apiVersion ?? '').includes('/') ? String(m.apiVersion).split('/')[0] : '';
  return `${group}/${m.kind}/${m.metadata?.namespace ?? ''}/${m.metadata?.name}`;
}
