// Remediation with a real systemd-udevd running, as on a node: the daemon (not test-builtin) handles the `add`
// event of each new veth. The test starts its own udevd unless one already answers, and stops only that one.
import { spawn, type ChildProcess } from 'node:child_process';
import { rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../collect/exec';
import { dropInPath } from '../../lib/remediation/dropIn';
import { freshVethUnderUdevd, remediateJson } from './hostTestSupport';
import { planSchema, resultSchema } from '../../lib/report/remediation';

const DROP_IN = dropInPath('/');
const DROP_IN_DIR = path.dirname(DROP_IN);
let dropInDirExisted = false;
let udevd: ChildProcess | null = null;
let runUdevExisted = true;

const ping = async () => (await run('udevadm', ['control', '--ping', '--timeout=1'], { allowFailure: true })).exitCode === 0;

beforeAll(async () => {
  await rm(DROP_IN, { force: true });
  dropInDirExisted = await stat(DROP_IN_DIR).then(() => true, () => false);
  if (await ping()) return; // the host's own udevd: use it, never stop it
  runUdevExisted = await stat('/run/udev').then(() => true, () => false);
  udevd = spawn('/lib/systemd/systemd-udevd', [], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(await ping())) {
    if (Date.now() > deadline || udevd.exitCode !== null) throw new Error('systemd-udevd did not start answering pings');
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(async () => {
  await rm(DROP_IN, { force: true });
  if (!dropInDirExisted) await rmdir(DROP_IN_DIR).catch(() => undefined);
  if (udevd && udevd.exitCode === null) {
    const exited = new Promise((r) => udevd!.once('exit', r));
    udevd.kill('SIGTERM');
    await exited;
  }
  // Its database would describe interfaces to later tests that no udevd is looking after.
  if (udevd && !runUdevExisted) await rm('/run/udev', { recursive: true, force: true });
});

describe('remediate with udevd running', () => {
  it('under the stock policy the daemon rewrites a new old-CNI veth', async () => {
    const fresh = await freshVethUnderUdevd();
    expect(fresh.after).not.toBe(fresh.before);
    expect(fresh.addrAssignType).toBe('3');
  });

  it('plans a reload because udevd answers', async () => {
    const { code, doc } = await remediateJson(['--dry-run', '--termination-log', '']);
    expect(code).toBe(0);
    const plan = planSchema.parse(doc);
    expect(plan.dropIn.action).toBe('write');
    expect(plan.reload).toEqual({ run: true, reason: expect.stringContaining('udevd answered a ping') });
  });

  it('writes the drop-in and reloads udevd, never triggering', async () => {
    const { code, doc } = await remediateJson(['--termination-log', '']);
    const result = resultSchema.parse(doc);
    expect(result.errors).toEqual([]);
    expect(code).toBe(0);
    expect(result.changed).toEqual([`wrote ${DROP_IN}`, 'ran udevadm control --reload']);
    expect(result.verified).toBe(true);
  });

  it('after remediation the daemon leaves a new old-CNI veth alone', async () => {
    const fresh = await freshVethUnderUdevd();
    expect(fresh.after).toBe(fresh.before);
    expect(fresh.addrAssignType).toBe('1');
  });
});
