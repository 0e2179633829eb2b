// Detection benchmark: from a real MAC change in the lab to the event reaching a browser. The netns lab with a few
// pods, the real agent in run mode (following `ip monitor link`) against the real server (API only, SQLite), and
// headless Chromium holding an EventSource on /api/v1/stream. Each round breaks one pod with real udev
// (`udevadm test-builtin net_setup_link`, as `npm run lab -- break` does) and times until the browser has the
// `veth.mac_changed` / `arp.changed` event for that veth.
//
// Changes host network state: root, and the host lock (bench/run.ts takes /run/lock/vethwatch-host.lock).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS } from './page';
import { load, percentile, REPO, round, startServer, target, type BenchResult } from './lib';

const PODS = 4;
const TOKEN = 'bench-detection-token';

export async function benchDetection(): Promise<BenchResult> {
  const started = performance.now();
  const loadStart = load();
  if (process.getuid?.() !== 0) throw new Error('the detection bench needs root (netns, veths, udevadm)');
  const { labBreak, labDown, labUp, readLabState } = await import('../agent/lab/lab');
  if (await readLabState()) throw new Error('a lab is already up; run "npm run lab -- down" first');
  const dir = mkdtempSync(join(tmpdir(), 'vethwatch-bench-detect-'));
  const node = `vwt-bench-${process.pid}`;
  const server = await startServer({ VETHWATCH_NEXT: '0', VETHWATCH_AGENT_TOKEN: TOKEN, VETHWATCH_DB: join(dir, 'db.sqlite'), VETHWATCH_EXECUTOR: 'none' });
  let agent: ReturnType<typeof spawn> | null = null;
  const browser = await chromium.launch({ executablePath: process.env.VETHWATCH_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const state = await labUp({ pods: PODS, broken: 0 });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'agent/cli.ts', '--server', server.url, '--token', TOKEN, '--node', node, '--spool-dir', join(dir, 'spool'), '--interval', '60'],
      { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', NODE_ENV: 'production' } },
    );
    agent = child;
    let agentErr = '';
    child.stderr!.on('data', (c) => (agentErr = (agentErr + c).slice(-5000)));
    // The agent's first report holds the lab's pods.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await fetch(`${server.url}/api/v1/nodes/${node}`);
      if (res.ok) {
        const d = (await res.json()) as { veths: Array<{ ifname: string }> };
        if (state.pods.every((p) => d.veths.some((v) => v.ifname === p.hostIfname))) break;
      } else await res.arrayBuffer();
      if (Date.now() > deadline) throw new Error(`the agent's first report did not arrive within 60 s:\n${agentErr}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    const page = await browser.newPage();
    await page.goto(`${server.url}/healthz`);
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const w = window as unknown as { hits: Array<{ t: number; type: string; node: string; subject: string | null }> };
          w.hits = [];
          const es = new EventSource('/api/v1/stream');
          es.onmessage = (m) => {
            const e = JSON.parse(m.data) as { type: string; node: string; subject: string | null };
            w.hits.push({ t: Date.now(), type: e.type, node: e.node, subject: e.subject });
          };
          es.onopen = () => resolve();
        }),
    );
    await page.waitForTimeout(500);

    const fromChange: number[] = [];
    const fromCommand: number[] = [];
    for (const pod of state.pods) {
      const t0 = Date.now();
      await labBreak(pod.hostIfname);
      const t1 = Date.now();
      const hit = await page.waitForFunction(
        ([n, ifname, since]) => {
          const w = window as unknown as { hits: Array<{ t: number; type: string; node: string; subject: string | null }> };
          return w.hits.find((h) => h.t >= since && h.node === n && (h.type === 'veth.mac_changed' || h.type === 'arp.changed') && (h.subject === null || h.subject.includes(ifname))) ?? null;
        },
        [node, pod.hostIfname, t0] as const,
        { timeout: 20_000, polling: 20 },
      );
      const { t } = (await hit.jsonValue()) as { t: number };
      fromChange.push(t - t0);
      fromCommand.push(t - t1);
      await page.waitForTimeout(300);
    }
    const sorted = [...fromChange].sort((a, b) => a - b);
    const worst = sorted[sorted.length - 1];
    return {
      name: 'detection',
      title: 'Detection: real udev MAC rewrite to the browser',
      figures: [
        { metric: 'rounds', value: `${fromChange.length} (one pod broken per round, lab of ${PODS} pods)` },
        { metric: 'MAC change to SSE event in the browser, median', value: percentile(sorted, 50), unit: 'ms' },
        { metric: 'MAC change to SSE event in the browser, worst', value: worst, unit: 'ms', ...target(worst, 2000, '< 2,000 ms') },
        { metric: 'udev command returned to event in the browser, per round', value: fromCommand.join(', '), unit: 'ms' },
      ],
      notes: [
        'The clock starts before `udevadm test-builtin net_setup_link` rewrites the MAC (it includes udevadm itself), and stops when the page\'s EventSource handler runs.',
        "Path: kernel netlink -> the agent's `ip monitor link` -> debounce -> scan -> POST /api/v1/reports -> ingest -> event bus -> SSE -> Chromium.",
      ],
      loadStart,
      loadEnd: load(),
      seconds: round((performance.now() - started) / 1000, 0),
    };
  } finally {
    await browser.close().catch(() => undefined);
    if (agent && agent.exitCode === null) {
      const exited = new Promise((r) => agent!.once('exit', r));
      agent.kill('SIGTERM');
      const killer = setTimeout(() => agent!.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    await labDown().catch((err: unknown) => console.error('bench: lab down failed', err));
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
