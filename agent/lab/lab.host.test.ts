// The lab against the real kernel and real udev: it wires pods like the VPC CNI, breaks exactly the ones it says
// it broke, refuses what it must refuse, and leaves nothing behind.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../collect/exec';
import { IPAM_JSON } from '../collect/ipam';
import { HostScratch, linkExists, netnsNames, rand, sysfs } from '../testutil/hostNet';
import { LAB_STATE_FILE, LabError, type LabState, labBreak, labDown, labUp, readLabState } from './lab';

describe('lab CLI without root', () => {
  it('refuses and creates nothing', async () => {
    const before = await netnsNames();
    const r = await run('runuser', ['-u', 'nobody', '--', process.execPath, '--import', 'tsx', 'agent/lab/cli.ts', 'up', '--pods', '2', '--broken', '1'], {
      allowFailure: true,
      timeoutMs: 60_000,
      env: { PATH: process.env.PATH, HOME: '/tmp' },
    });
    expect(r.stderr).toMatch(/needs root/);
    expect(r.exitCode).toBe(1);
    expect(await netnsNames()).toEqual(before);
    expect(existsSync(LAB_STATE_FILE)).toBe(false);
  }, 60_000);
});

describe('lab up / break / down', () => {
  const scratch = new HostScratch();
  let state: LabState;
  let ipamExisted: boolean;
  let foreign: string;

  beforeAll(async () => {
    ipamExisted = existsSync(IPAM_JSON);
    state = await labUp({ pods: 4, broken: 1, modern: 1 });
    foreign = scratch.track(`vwt${rand()}a`);
    await scratch.ip('link', 'add', foreign, 'type', 'veth', 'peer', 'name', `${foreign.slice(0, 14)}b`);
  });

  afterAll(async () => {
    if (await readLabState().catch(() => null)) await labDown();
    await scratch.cleanup();
  });

  it('wires every pod the pre-v1.20.1 way, except the last one (v1.20.1: MAC set, aat=3)', async () => {
    expect(state.pods).toHaveLength(4);
    expect(state.pods.map((p) => p.cniStyle)).toEqual(['pre-1.20.1', 'pre-1.20.1', 'pre-1.20.1', 'v1.20.1']);
    const names = await netnsNames();
    for (const p of state.pods) {
      expect(p.hostIfname).toMatch(/^eni[0-9a-f]{11}$/);
      expect(names).toContain(p.netns);
      expect(await sysfs(p.hostIfname, 'address')).toBe(p.hostMac);
      const neigh = JSON.parse((await run('ip', ['-n', p.netns, '-j', 'neigh', 'show', 'dev', 'eth0'])).stdout);
      expect(neigh).toEqual([{ dst: '169.254.1.1', lladdr: p.gatewayLladdr, state: ['PERMANENT'] }]);
      const podRoutes = JSON.parse((await run('ip', ['-n', p.netns, '-j', 'route'])).stdout) as Array<{ dst: string; gateway?: string; scope?: string }>;
      expect(podRoutes).toEqual(expect.arrayContaining([expect.objectContaining({ dst: 'default', gateway: '169.254.1.1' }), expect.objectContaining({ dst: '169.254.1.1', scope: 'link' })]));
      const addr = JSON.parse((await run('ip', ['-n', p.netns, '-j', 'addr', 'show', 'dev', 'eth0'])).stdout)[0].addr_info;
      expect(addr).toEqual(expect.arrayContaining([expect.objectContaining({ family: 'inet', local: p.podIP, prefixlen: 32 })]));
      const hostRoute = JSON.parse((await run('ip', ['-j', 'route', 'show', `${p.podIP}/32`])).stdout);
      expect(hostRoute).toEqual([expect.objectContaining({ dev: p.hostIfname, scope: 'link' })]);
    }
  });

  it('broke exactly one pre-v1.20.1 pod with udev: new MAC, aat=3, pod still pins the old one', async () => {
    const broken = state.pods.filter((p) => p.broken);
    expect(broken).toHaveLength(1);
    expect(broken[0].cniStyle).toBe('pre-1.20.1');
    expect(broken[0].hostMac).not.toBe(broken[0].gatewayLladdr);
    expect(await sysfs(broken[0].hostIfname, 'addr_assign_type')).toBe('3');
    for (const p of state.pods.filter((x) => !x.broken)) {
      expect(p.hostMac).toBe(p.gatewayLladdr);
      expect(await sysfs(p.hostIfname, 'addr_assign_type')).toBe(p.cniStyle === 'v1.20.1' ? '3' : '1');
    }
  });

  it('wrote ipam.json only if the host had none', async () => {
    if (ipamExisted) {
      expect(state.ipamFile).toBeNull();
    } else {
      expect(state.ipamFile).toBe(IPAM_JSON);
      const ipam = JSON.parse(await readFile(IPAM_JSON, 'utf8'));
      expect(ipam.allocations.map((a: { ipv4: string }) => a.ipv4)).toEqual(state.pods.map((p) => p.podIP));
    }
  });

  it('refuses a second up while one lab is recorded', async () => {
    await expect(labUp({ pods: 1, broken: 0 })).rejects.toThrow(/already up/);
    expect((await readLabState())?.pods).toHaveLength(4);
  });

  it('breaks one more pod on request, with real udev', async () => {
    const target = state.pods.find((p) => !p.broken && p.cniStyle === 'pre-1.20.1')!;
    const r = await labBreak(target.hostIfname);
    expect(r.before).toBe(target.gatewayLladdr);
    expect(r.after).not.toBe(r.before);
    expect(await sysfs(target.hostIfname, 'address')).toBe(r.after);
    expect((await readLabState())?.pods.find((p) => p.hostIfname === target.hostIfname)).toMatchObject({ broken: true, hostMac: r.after });
  });

  it('fails loudly when udev would not rewrite (a v1.20.1 pod)', async () => {
    const modern = state.pods.find((p) => p.cniStyle === 'v1.20.1')!;
    await expect(labBreak(modern.hostIfname)).rejects.toThrow(/unchanged.*already set by userspace/);
    expect(await sysfs(modern.hostIfname, 'address')).toBe(modern.hostMac);
  });

  it('refuses to touch an interface it did not create', async () => {
    const mac = await sysfs(foreign, 'address');
    await expect(labBreak(foreign)).rejects.toThrow(LabError);
    await expect(labBreak(foreign)).rejects.toThrow(/not one of the lab's interfaces/);
    expect(await sysfs(foreign, 'address')).toBe(mac);
  });

  it('down removes every namespace, veth and file it made, and nothing else', async () => {
    const recorded = (await readLabState())!;
    // Replace one lab veth with a foreign interface of the same name: down must leave that one alone.
    const victim = recorded.pods[0];
    await scratch.ip('link', 'del', victim.hostIfname);
    scratch.track(victim.hostIfname);
    await scratch.ip('link', 'add', victim.hostIfname, 'type', 'veth', 'peer', 'name', `vwt${rand()}p`);

    const summary = await labDown();
    expect(summary.veths).toBe(3);
    expect(summary.notes.join('\n')).toMatch(new RegExp(`${victim.hostIfname} is gone or no longer paired`));
    const names = await netnsNames();
    for (const p of recorded.pods) {
      expect(names).not.toContain(p.netns);
      if (p !== victim) expect(await linkExists(p.hostIfname)).toBe(false);
    }
    expect(await linkExists(victim.hostIfname)).toBe(true);
    expect(await linkExists(foreign)).toBe(true);
    expect(existsSync(LAB_STATE_FILE)).toBe(false);
    if (!ipamExisted) expect(existsSync(IPAM_JSON)).toBe(false);
    expect(await readLabState()).toBeNull();
  });
});

describe('lab up under a policy that would not rewrite', () => {
  const dir = '/run/systemd/network/99-default.link.d';
  const dropIn = `${dir}/vwt-${rand()}.conf`;
  const made: string[] = [];

  beforeAll(async () => {
    for (const d of ['/run/systemd', '/run/systemd/network', dir]) {
      if (!existsSync(d)) {
        await mkdir(d);
        made.unshift(d);
      }
    }
    await writeFile(dropIn, '[Link]\nMACAddressPolicy=none\n');
  });

  afterAll(async () => {
    await rm(dropIn, { force: true });
    for (const d of made) await rmdir(d).catch(() => undefined);
    if (await readLabState().catch(() => null)) await labDown();
  });

  it('fails loudly and leaves nothing behind', async () => {
    const before = await netnsNames();
    await expect(labUp({ pods: 2, broken: 1 })).rejects.toThrow(/left the MAC of eni[0-9a-f]{11} unchanged.*Using static MAC address|left the MAC/);
    expect(await readLabState()).toBeNull();
    expect(await netnsNames()).toEqual(before);
    const veths = JSON.parse((await run('ip', ['-j', 'link', 'show', 'type', 'veth'])).stdout) as Array<{ ifname: string }>;
    expect(veths.filter((v) => v.ifname.startsWith('eni'))).toEqual([]);
  });
});


describe('lab up that fails half way', () => {
  const scratch = new HostScratch();
  afterAll(async () => {
    if (await readLabState().catch(() => null)) await labDown();
    await scratch.cleanup();
  });

  it('rolls back everything it made and leaves the conflicting foreign route alone', async () => {
    // Someone else already routes the lab's second pod IP: the lab's host route for it cannot be added.
    const foreign = scratch.track(`vwt${rand()}r`);
    const peer = `vwt${rand()}q`;
    await scratch.ip('link', 'add', foreign, 'type', 'veth', 'peer', 'name', peer);
    await scratch.ip('link', 'set', foreign, 'up');
    await scratch.ip('link', 'set', peer, 'up');
    await scratch.ip('route', 'add', '10.244.0.3/32', 'dev', foreign);
    const before = await netnsNames();

    await expect(labUp({ pods: 3, broken: 0 })).rejects.toThrow(LabError);

    expect(await readLabState()).toBeNull();
    expect(await netnsNames()).toEqual(before);
    const veths = JSON.parse((await run('ip', ['-j', 'link', 'show', 'type', 'veth'])).stdout) as Array<{ ifname: string }>;
    expect(veths.filter((v) => v.ifname.startsWith('eni'))).toEqual([]);
    expect(JSON.parse((await run('ip', ['-j', 'route', 'show', '10.244.0.3/32'])).stdout)).toEqual([expect.objectContaining({ dev: foreign })]);
  });
});

describe('lab up --pause: a process in every pod namespace, like containerd', () => {
  afterAll(async () => {
    if (await readLabState().catch(() => null)) await labDown();
  });

  it('starts one in each namespace, records it, and down kills exactly those', async () => {
    const state = await labUp({ pods: 3, broken: 0, pause: true });
    const inodeOf = (pid: number) => readlinkSync(`/proc/${pid}/ns/net`);
    for (const p of state.pods) {
      expect(p.pause).toBeTruthy();
      expect(inodeOf(p.pause!.pid)).toBe(`net:[${statSync(`/var/run/netns/${p.netns}`).ino}]`);
      expect(readFileSync(`/proc/${p.pause!.pid}/comm`, 'utf8').trim()).toBe('sleep');
    }
    // A process of someone else's in a lab namespace is not the lab's to kill.
    const stranger = spawn('nsenter', [`--net=/var/run/netns/${state.pods[0].netns}`, '--', 'sleep', '300'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const pids = state.pods.map((p) => p.pause!.pid);
      await labDown();
      for (const pid of pids) expect(existsSync(`/proc/${pid}`) ? readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0] : 'gone').toMatch(/^(gone|Z)$/);
      expect(stranger.exitCode).toBeNull();
      expect(existsSync(`/proc/${stranger.pid}`)).toBe(true);
    } finally {
      stranger.kill('SIGKILL');
    }
  }, 60_000);
});
