// `verify --watch` on the real kernel and a real systemd-udevd, reporting to the real server over HTTP: 3 probes
// 1 s apart. Under Debian's stock policy every probe veth is re-MACed by udevd (the watch says "rewritten"); after
// the plain shell prevention snippet runs on this host (writing the drop-in into the real /etc and reloading udevd)
// every probe keeps its MAC ("kept"). The node read model shows the last verification each time, and no probe
// namespace or veth is left behind.
//
// Needs root and systemd-udevd 252. Starts its own udevd unless one answers, and stops only that one; restores
// /etc/systemd/network. Run: flock /run/lock/vethwatch-host.lock npx vitest run --config vitest.host.config.ts agent/verify
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ETC, DEBIAN_STOCK_99_DEFAULT, STOCK } from '../linkconfig/testSupport/differentialCases';
import { FileGuard } from '../linkconfig/testSupport/fileGuard';
import { run } from '../collect/exec';
import { buildSnippet, PREVENTION_DIR } from '../../lib/prevention/snippets';
import { verificationSchema, type Verification } from '../../lib/prevention/verification';
import { buildReport } from '../../lib/report/fixtures';
import { sqliteTempFile } from '../../lib/store/testing';
import { startServerProcess, type ServerProcess } from '../../test/support/serverProcess';
import { PROBE_PREFIX } from './probe';
import { runVerify } from './cli';

const exec = promisify(execFile);
const TOKEN = 'verify-watch-host-test-token';
const NODE = 'verify-watch-node';

const ping = async () => (await run('udevadm', ['control', '--ping', '--timeout=1'], { allowFailure: true })).exitCode === 0;

async function leftovers(): Promise<string[]> {
  const ns = (await run('ip', ['netns', 'list'])).stdout.split('\n').filter((l) => l.startsWith(PROBE_PREFIX));
  const links = (await run('ip', ['-o', 'link', 'show'])).stdout.split('\n').filter((l) => new RegExp(`^\\d+: ${PROBE_PREFIX}`).test(l));
  return [...ns, ...links];
}

describe('verify --watch on the real kernel and udevd', () => {
  let udevd: ChildProcess | null = null;
  let runUdevExisted = true;
  let guard: FileGuard | null = null;
  let server: ServerProcess | null = null;
  let db: ReturnType<typeof sqliteTempFile> | null = null;
  const restoreOnExit = () => guard?.restore();

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('needs root (creates namespaces and veths, writes /etc/systemd/network)');
    guard = new FileGuard([ETC, STOCK], ['/etc/systemd']);
    process.once('exit', restoreOnExit);
    rmSync(PREVENTION_DIR, { recursive: true, force: true });
    if (readFileSync(STOCK, 'utf8') !== DEBIAN_STOCK_99_DEFAULT) writeFileSync(STOCK, DEBIAN_STOCK_99_DEFAULT);
    if (!(await ping())) {
      runUdevExisted = (() => {
        try {
          return statSync('/run/udev').isDirectory();
        } catch {
          return false;
        }
      })();
      udevd = spawn('/lib/systemd/systemd-udevd', [], { stdio: 'ignore' });
      const deadline = Date.now() + 10_000;
      while (!(await ping())) {
        if (Date.now() > deadline || udevd.exitCode !== null) throw new Error('systemd-udevd did not start answering pings');
        await new Promise((r) => setTimeout(r, 100));
      }
    } else {
      await run('udevadm', ['control', '--reload']);
    }
    db = sqliteTempFile();
    server = await startServerProcess({ VETHWATCH_DB: db.file, VETHWATCH_AGENT_TOKEN: TOKEN });
    const res = await fetch(`${server.url}/api/v1/reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(buildReport({ node: NODE })),
    });
    expect(res.status).toBe(202);
  });

  afterAll(async () => {
    await server?.stop();
    db?.remove();
    guard?.restore();
    process.removeListener('exit', restoreOnExit);
    if (udevd && udevd.exitCode === null) {
      const exited = new Promise((r) => udevd!.once('exit', r));
      udevd.kill('SIGTERM');
      await exited;
    } else if (!udevd && (await ping())) {
      await run('udevadm', ['control', '--reload']); // the host's own udevd: back to the restored files
    }
    if (udevd && !runUdevExisted) rmSync('/run/udev', { recursive: true, force: true });
    expect(guard?.verify() ?? ['no guard']).toEqual([]);
  });

  async function watch(): Promise<{ code: number; doc: Verification; stderr: string }> {
    let out = '';
    let err = '';
    const code = await runVerify(['--watch', '3s', '--every', '1s', '--node', NODE, '--server', server!.url], {
      env: { VETHWATCH_AGENT_TOKEN: TOKEN },
      out: (t) => (out += t),
      err: (t) => (err += t),
      signal: new AbortController().signal,
    });
    return { code, doc: verificationSchema.parse(JSON.parse(out)), stderr: err };
  }

  async function lastVerification(): Promise<unknown> {
    const res = await fetch(`${server!.url}/api/v1/nodes/${NODE}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { prevention?: { lastVerification: unknown } }).prevention?.lastVerification;
  }

  it('under the stock policy, udevd rewrites every probe veth and the server records "rewritten"', async () => {
    const { code, doc, stderr } = await watch();
    expect(doc.udevd).toBe(true);
    expect(doc.probes).toHaveLength(3);
    for (const p of doc.probes) {
      expect(p.error, stderr).toBeNull();
      expect(p.macAfter).not.toBe(p.macBefore);
      expect(p.addrAssignType).toBe(3);
    }
    expect(new Set(doc.probes.map((p) => p.ifname)).size).toBe(3);
    expect(doc.result).toBe('rewritten');
    expect(code).toBe(1);
    expect(await lastVerification()).toMatchObject({ verificationId: doc.verificationId, result: 'rewritten', probes: 3, rewritten: 3 });
    expect(await leftovers()).toEqual([]);
  });

  it('after the shell prevention snippet runs on this host, every probe keeps its MAC and the server records "kept"', async () => {
    // The plain snippet as an SRE would run it: writes the drop-in into the real /etc and reloads udevd.
    await exec('sh', ['-c', buildSnippet('shell').text], { env: { ...process.env, VETHWATCH_ROOT: '' } });
    const { code, doc, stderr } = await watch();
    expect(doc.probes).toHaveLength(3);
    for (const p of doc.probes) {
      expect(p.error, stderr).toBeNull();
      expect(p.macAfter).toBe(p.macBefore);
      expect(p.addrAssignType).toBe(1);
    }
    expect(doc.result).toBe('kept');
    expect(code).toBe(0);
    expect(await lastVerification()).toMatchObject({ verificationId: doc.verificationId, result: 'kept', probes: 3, kept: 3, udevd: true });
    expect(await leftovers()).toEqual([]);
  });

  it('the server refuses a document that claims "kept" over a rewritten probe, and one for another name it never saw', async () => {
    const { doc } = await watch();
    const post = (body: unknown) =>
      fetch(`${server!.url}/api/v1/agent/verifications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const forged = { ...doc, verificationId: crypto.randomUUID(), probes: [{ ...doc.probes[0], macAfter: '02:11:22:33:44:55', kept: false }] };
    expect((await post(forged)).status).toBe(422);
    expect((await post({ ...doc, verificationId: crypto.randomUUID(), node: 'never-reported' })).status).toBe(404);
    const noToken = await fetch(`${server!.url}/api/v1/agent/verifications`, { method: 'POST', body: JSON.stringify(doc) });
    expect(noToken.status).toBe(401);
    expect(await lastVerification()).toMatchObject({ verificationId: doc.verificationId });
  });
});
