// Live watch against the real kernel and the real server: a CNI-style veth (host end named with the CNI prefix,
// peer in a fresh netns) appears, changes MAC and vanishes; each change must be visible in the server's API
// within 2 s, with the periodic scan far away (60 s) so only `ip monitor link` can explain the speed. Once on a
// bare host and once beside a 110-pod lab (a full large node), where every scan reads 110 pod namespaces.
// Needs root; run under flock /run/lock/vethwatch-host.lock (vitest.host.config.ts).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeDetail } from '../../lib/nodes/types';
import { startRealServer, type RealServer } from '../deliver/testing/realServer';
import { labBreak, labDown, labUp, readLabState } from '../lab/lab';
import { createMemoryLogger } from '../log';
import { startWatchingAgent } from './testing/watchingAgent';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const TOKEN = `tok-${randomBytes(8).toString('hex')}`;
const LIMIT_MS = 2000;


describe.each([{ pods: 0 }, { pods: 110 }])('live watch (real veths, real server, $pods lab pods)', ({ pods }) => {
  const hex = randomBytes(4).toString('hex');
  const NETNS = `vwtw${hex}`;
  /** eni + vwt + 8 hex = 14 characters: inside the kernel's 15 and matched by the CNI's default prefix. */
  const VETH = `enivwt${hex}`;
  const NODE = `vwt-watch-${hex}`;
  let work: string;
  let server: RealServer;
  const controller = new AbortController();
  const log = createMemoryLogger();
  let agentDone: Promise<void> = Promise.resolve();
  const latencies: Record<string, number> = {};

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'vw-watch-'));
    if (pods > 0) {
      if (await readLabState()) throw new Error('a lab is already up on this host; this test brings up its own (run host tests under the lock)');
      await labUp({ pods, broken: 0 });
    }
    server = await startRealServer({ dbPath: path.join(work, 'db.sqlite'), token: TOKEN });
    await run('ip', ['netns', 'add', NETNS]);
    const agent = await startWatchingAgent({ server: server.url, token: TOKEN, node: NODE, spoolDir: path.join(work, 'spool'), log, signal: controller.signal });
    agentDone = agent.done;
  });

  afterAll(async () => {
    await run('ip', ['link', 'del', VETH]).catch(() => undefined);
    await run('ip', ['netns', 'del', NETNS]).catch(() => undefined);
    controller.abort();
    await agentDone;
    await server?.stop();
    if (pods > 0) await labDown();
    await rm(work, { recursive: true, force: true });
    console.log(`watch latency with ${pods} lab pods (change -> visible in GET /api/v1/nodes/${NODE}):`, latencies);
  });

  async function nodeDetail(): Promise<NodeDetail> {
    const res = await fetch(new URL(`/api/v1/nodes/${NODE}`, server.url));
    expect(res.status).toBe(200);
    return (await res.json()) as NodeDetail;
  }

  /** Milliseconds until the server's view of the node satisfies cond; fails past the limit (with slack to see by how much). */
  async function msUntil(what: string, cond: (n: NodeDetail) => boolean, started = Date.now()): Promise<number> {
    while (!cond(await nodeDetail())) {
      if (Date.now() - started > LIMIT_MS + 3000) throw new Error(`${what}: not visible after ${Date.now() - started} ms`);
      await sleep(20);
    }
    latencies[what] = Date.now() - started;
    return latencies[what];
  }

  it('a new veth reaches the server within 2 s', async () => {
    expect((await nodeDetail()).veths.some((v) => v.ifname === VETH)).toBe(false);
    await run('ip', ['link', 'add', VETH, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NETNS]);
    const ms = await msUntil('appeared', (n) => n.veths.some((v) => v.ifname === VETH));
    expect(ms).toBeLessThan(LIMIT_MS);
    expect(log.records.some((r) => r.msg === 'veth changed' && r.ifname === VETH && r.change === 'appeared')).toBe(true);
  });

  it('a MAC change reaches the server within 2 s', async () => {
    const mac = `02:${hex.match(/../g)!.join(':')}:5a`;
    await run('ip', ['link', 'set', 'dev', VETH, 'address', mac]);
    const ms = await msUntil('mac-changed', (n) => n.veths.some((v) => v.ifname === VETH && v.mac === mac));
    expect(ms).toBeLessThan(LIMIT_MS);
    expect(log.records.some((r) => r.msg === 'veth changed' && r.ifname === VETH && r.change === 'mac-changed')).toBe(true);
  });

  it('a deleted veth vanishes from the server within 2 s', async () => {
    await run('ip', ['link', 'del', VETH]);
    const ms = await msUntil('vanished', (n) => !n.veths.some((v) => v.ifname === VETH));
    expect(ms).toBeLessThan(LIMIT_MS);
    expect(log.records.some((r) => r.msg === 'veth changed' && r.ifname === VETH && r.change === 'vanished')).toBe(true);
  });

  if (pods > 0) {
    it('a real udev MAC rewrite of a pod veth (the fault itself) reaches the server within 2 s', async () => {
      const lab = await readLabState();
      const pod = lab!.pods[0];
      const before = (await nodeDetail()).veths.find((v) => v.ifname === pod.hostIfname);
      expect(before).toMatchObject({ arpStatus: 'ok' });
      // Timed from before udevadm runs: the rewrite happens somewhere inside labBreak.
      const started = Date.now();
      const { after } = await labBreak(pod.hostIfname);
      const ms = await msUntil(
        'udev-rewrite',
        (n) => n.veths.some((v) => v.ifname === pod.hostIfname && v.mac === after && v.arpStatus === 'mismatch'),
        started,
      );
      expect(ms).toBeLessThan(LIMIT_MS);
      expect(log.records.some((r) => r.msg === 'veth changed' && r.ifname === pod.hostIfname && r.change === 'mac-changed')).toBe(true);
    });
  }
});
