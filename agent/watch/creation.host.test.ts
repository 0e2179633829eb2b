// The rewrite at creation, on the real kernel and real udev: a lab pod's veth is created (the CNI points the pod's
// PERMANENT gateway entry at its MAC) and `udevadm test-builtin net_setup_link` re-MACs it under the stock
// persistent policy within milliseconds. The watching agent keeps the MAC the veth was created with, so the
// server's history says "created with X, rewritten to Y by udev N ms later" — not merely "appeared with Y". Then
// the node page's check-by-hand commands (lib/nodes/checkByHand.ts) are RUN as generated, read-only ones only,
// and show the mismatch with our own eyes.
// Needs root and udevadm; run under flock /run/lock/vethwatch-host.lock (vitest.host.config.ts).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VethHistoryResponse } from '../../lib/history/types';
import { vethHistoryResponse } from '../../lib/history/http';
import { checkByHand } from '../../lib/nodes/checkByHand';
import { createStore } from '../../lib/store';
import type { NodeDetail } from '../../lib/nodes/types';
import { startRealServer, type RealServer } from '../deliver/testing/realServer';
import { labDown, labUp, readLabState, type LabPod } from '../lab/lab';
import { createMemoryLogger } from '../log';
import { startWatchingAgent } from './testing/watchingAgent';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TOKEN = `tok-${randomBytes(8).toString('hex')}`;


describe('the rewrite at creation (real veth, real udev, real server)', () => {
  const NODE = `vwt-create-${randomBytes(4).toString('hex')}`;
  let work: string;
  let server: RealServer;
  let pod: LabPod;
  const controller = new AbortController();
  const log = createMemoryLogger();
  let agentDone: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    if (await readLabState()) throw new Error('a lab is already up on this host; this test brings up its own (run host tests under the lock)');
    work = await mkdtemp(path.join(tmpdir(), 'vw-create-'));
    server = await startRealServer({ dbPath: path.join(work, 'db.sqlite'), token: TOKEN });
    const agent = await startWatchingAgent({ server: server.url, token: TOKEN, node: NODE, spoolDir: path.join(work, 'spool'), log, signal: controller.signal });
    agentDone = agent.done;
    // One pod, created and then re-MACed by udev's own net_setup_link, as on an affected node.
    const state = await labUp({ pods: 1, broken: 1 });
    pod = state.pods[0];
  });

  afterAll(async () => {
    controller.abort();
    await agentDone;
    await server?.stop();
    await labDown().catch(() => undefined);
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function get<T>(p: string): Promise<T> {
    const res = await fetch(new URL(p, server.url));
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  }

  it('the history says the veth was created with one MAC and rewritten by udev milliseconds later', async () => {
    const created = pod.gatewayLladdr;
    const rewritten = pod.hostMac;
    expect(rewritten).not.toBe(created);
    const want = new RegExp(`created with MAC ${created}, rewritten to ${rewritten} by udev (\\d+) ms later`);
    const until = Date.now() + 15_000;
    while (!(await get<NodeDetail>(`/api/v1/nodes/${NODE}`)).veths.some((v) => v.ifname === pod.hostIfname && v.mac === rewritten)) {
      if (Date.now() > until) throw new Error(`${pod.hostIfname} never reached the server:\n${JSON.stringify(log.records.slice(-20), null, 1)}`);
      await sleep(100);
    }
    // The API-only server has no history route: read it through the same read model, from the server's own file.
    const store = await createStore({ engine: 'sqlite', file: server.dbPath });
    let h: VethHistoryResponse;
    try {
      const from = new Date(Date.now() - 3600_000).toISOString();
      const res = await vethHistoryResponse(store, NODE, pod.hostIfname, new URL(`http://x/?from=${from}`), new Date());
      expect(res.status).toBe(200);
      h = (await res.json()) as VethHistoryResponse;
    } finally {
      await store.close();
    }
    const summaries = h.items.map((i) => i.summary);
    const line = summaries.find((s) => want.test(s));
    expect(line, `history of ${pod.hostIfname}: ${JSON.stringify(summaries)}`).toBeDefined();
    expect(Number(want.exec(line!)![1])).toBeLessThan(10_000);
    // The consequence: the pod's PERMANENT gateway entry still holds the creation MAC.
    const node = await get<NodeDetail>(`/api/v1/nodes/${NODE}`);
    expect(node.veths.find((v) => v.ifname === pod.hostIfname)).toMatchObject({ mac: rewritten, gatewayLladdr: created, arpStatus: 'mismatch' });
  });

  it("the node page's read-only check-by-hand commands, run as generated, show the mismatch", async () => {
    const node = await get<NodeDetail>(`/api/v1/nodes/${NODE}`);
    const block = checkByHand(node);
    const veth = block.veths.find((v) => v.ifname === pod.hostIfname)!;
    expect(veth.arpStatus).toBe('mismatch');
    const out = new Map<string, string>();
    for (const c of [...block.policy, ...veth.checks]) {
      // Under the persistent policy every generated command is read-only; a test-builtin here would re-MAC veths.
      expect(c.readOnly, c.command).toBe(true);
      const r = await run('sh', ['-c', c.command]);
      out.set(c.title, r.stdout);
    }
    expect(out.get("The pod's gateway ARP entry")).toMatch(new RegExp(`169\\.254\\.1\\.1 dev eth0 lladdr ${pod.gatewayLladdr} PERMANENT`));
    expect(out.get("The pod's gateway ARP entry")).not.toContain(pod.hostMac);
    expect(out.get('The host veth and its MAC')).toContain(`link/ether ${pod.hostMac}`);
    expect(out.get('Who set the MAC')!.trim()).toBe('3');
    expect(out.get("udev's view of this veth (read-only)")).toContain(`/net/${pod.hostIfname}`);
    expect(out.get('The link file for new veths and its drop-ins, as udev reads them')).toMatch(/MACAddressPolicy=persistent/);
  });
});
