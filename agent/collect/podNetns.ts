// Reading the host's and the pods' network state with as few processes as possible.
//
// Every target is one `ip -batch` run: the host (`ip -j -d -batch`), a named pod namespace (`ip -n`, which also
// remounts /sys for the namespace) or a namespace only a process holds (nsenter --net: that keeps the host's
// /sys, harmless here because only netlink is read, never sysfs).
//
// Why one shell for all of them: forking the agent's Node process costs more than the `ip` it runs (its page
// tables are copied on every fork), so the agent forks once. The small sh then forks its workers, each walking
// its share of the targets and writing to its own pipe (worker 0 to stdout, worker w to fd w+2), every answer
// framed by markers. Target names never reach the script text: they are positional arguments.
import { spawn } from 'node:child_process';
import { HOST_BATCH } from './hostNet';
import { type IpLink, type IpNeigh, type IpRoute, IpOutputError, parseJsonStream, parseLinks, parseNeighbours, parseRoutes } from './ipJson';

export type NetnsTarget = { kind: 'named'; name: string } | { kind: 'process'; pid: number; id: string };
export type ReadTarget = { kind: 'host' } | NetnsTarget;

export interface NetnsView {
  links: IpLink[];
  neighbours: IpNeigh[];
  routes: IpRoute[];
}

export type RawRead = { ok: true; text: string } | { ok: false; error: string };
export type NetnsRead = { ok: true; view: NetnsView } | { ok: false; error: string };

export const POD_BATCH = ['addr show', 'neigh show', 'route show table all'];

/** Pure: the three documents `ip -j -batch` printed for POD_BATCH. */
export function parsePodBatch(stdout: string): NetnsView {
  const docs = parseJsonStream(stdout);
  if (docs.length !== POD_BATCH.length) {
    throw new IpOutputError('pod batch', `expected ${POD_BATCH.length} JSON documents, got ${docs.length}`);
  }
  return { links: parseLinks(docs[0]), neighbours: parseNeighbours(docs[1]), routes: parseRoutes(docs[2]) };
}

export function toNetnsRead(raw: RawRead): NetnsRead {
  if (!raw.ok) return raw;
  try {
    return { ok: true, view: parsePodBatch(raw.text) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

export function netnsLabel(target: NetnsTarget): string {
  return target.kind === 'named' ? target.name : target.id;
}

const heredoc = (lines: string[]) => `<<'VETHWATCH_BATCH'\n${lines.join('\n')}\nVETHWATCH_BATCH`;

// Arguments: the worker count, then one "<worker>:<index>:<target>" per target, target being "h" (host),
// "n<name>" or "p<pid>". ip's stderr is folded into the block so an error lands next to its target.
const READER_SCRIPT = `
work() {
  w=$1; shift
  for t in "$@"; do
    case $t in "$w:"*) ;; *) continue ;; esac
    t=\${t#*:}; i=\${t%%:*}; t=\${t#*:}
    printf '\\n@@vethwatch-begin %s\\n' "$i"
    case $t in
      h) ip -j -d -batch - 2>&1 ${heredoc(HOST_BATCH)}
      ;;
      n*) ip -n "\${t#n}" -j -batch - 2>&1 ${heredoc(POD_BATCH)}
      ;;
      p*) nsenter "--net=/proc/\${t#p}/ns/net" -- ip -j -batch - 2>&1 ${heredoc(POD_BATCH)}
      ;;
    esac
    printf '\\n@@vethwatch-end %s %s\\n' "$i" "$?"
  done
}
k=$1; shift
w=1
while [ "$w" -lt "$k" ]; do work "$w" "$@" >&$((w + 2)) & w=$((w + 1)); done
work 0 "$@"
wait
`;

/** Pure: the framed answers in a reader's output, by target index. */
export function parseReaderOutput(stdout: string, count: number): RawRead[] {
  const results: RawRead[] = Array.from({ length: count }, () => ({ ok: false, error: 'no answer from the reader' }));
  const re = /\n@@vethwatch-begin (\d+)\n([\s\S]*?)\n@@vethwatch-end \1 (\d+)\n/g;
  for (let m = re.exec(stdout); m; m = re.exec(stdout)) {
    const i = Number(m[1]);
    if (i >= count) continue;
    results[i] =
      m[3] === '0'
        ? { ok: true, text: m[2] }
        : { ok: false, error: m[2].trim().split('\n').slice(0, 3).join('; ') || `exit ${m[3]}` };
  }
  return results;
}

export class ReaderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReaderError';
  }
}

/** Reads every target with `workers` shells side by side, in one spawn. A target that fails gives an error entry. */
export function readTargets(targets: readonly ReadTarget[], workers: number, timeoutMs = 60_000): Promise<RawRead[]> {
  if (targets.length === 0) return Promise.resolve([]);
  const k = Math.max(1, Math.min(workers, targets.length, 8));
  const args = targets.map((t, i) => `${i % k}:${i}:${t.kind === 'host' ? 'h' : t.kind === 'named' ? `n${t.name}` : `p${t.pid}`}`);
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', READER_SCRIPT, 'vethwatch-reader', String(k), ...args], {
      stdio: ['ignore', 'pipe', 'pipe', ...Array.from({ length: k - 1 }, () => 'pipe' as const)],
      env: { ...process.env, LC_ALL: 'C' },
      timeout: timeoutMs,
    });
    const chunks: Buffer[][] = Array.from({ length: k }, () => []);
    const errChunks: Buffer[] = [];
    child.stdio[1]!.on('data', (b: Buffer) => chunks[0].push(b));
    child.stdio[2]!.on('data', (b: Buffer) => errChunks.push(b));
    for (let w = 1; w < k; w++) child.stdio[w + 2]!.on('data', (b: Buffer) => chunks[w].push(b));
    child.on('error', (e) => reject(new ReaderError(`cannot run sh to read network state: ${e.message}`, { cause: e })));
    child.on('close', (code, signal) => {
      if (signal) return reject(new ReaderError(`network state reader killed by ${signal}`));
      const out = chunks.map((c) => Buffer.concat(c).toString('utf8')).join('\n');
      const results = parseReaderOutput(out, targets.length);
      if (code !== 0 && results.every((r) => !r.ok)) {
        return reject(new ReaderError(`network state reader failed (exit ${code}): ${Buffer.concat(errChunks).toString('utf8').trim().slice(0, 500)}`));
      }
      resolve(results);
    });
  });
}

/** Reads pod namespaces only (no host target). */
export async function readNetnsMany(targets: readonly NetnsTarget[], workers: number): Promise<NetnsRead[]> {
  return (await readTargets(targets, workers)).map(toNetnsRead);
}
