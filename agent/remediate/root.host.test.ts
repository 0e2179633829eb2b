// --root moves every file remediation reads or writes under DIR (the agent in a pod with the host's / mounted
// there): the drop-in lands under DIR, the node's own /etc is untouched, and the re-scan of DIR verifies it.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DROP_IN_CONTENT, DROP_IN_RELPATH } from '../../lib/remediation/dropIn';
import { remediateJson, snapshotTree } from './hostTestSupport';
import { planSchema, resultSchema } from '../../lib/report/remediation';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'vwt-root-'));
  // The host's stock file, so new veths under this root are rewritten until the drop-in is there.
  await mkdir(path.join(root, 'usr/lib/systemd/network'), { recursive: true });
  await copyFile('/usr/lib/systemd/network/99-default.link', path.join(root, 'usr/lib/systemd/network/99-default.link'));
  // Without a machine-id udev cannot derive persistent MACs, and the resolver knows it.
  await mkdir(path.join(root, 'etc'), { recursive: true });
  await writeFile(path.join(root, 'etc/machine-id'), randomBytes(16).toString('hex') + '\n');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('remediate --root', () => {
  it('plans, writes and verifies the drop-in under the root only', async () => {
    const etc = await snapshotTree('/etc/systemd/network');
    const dry = planSchema.parse((await remediateJson(['--root', root, '--dry-run', '--termination-log', ''])).doc);
    expect(dry.dropIn).toMatchObject({ path: path.join(root, DROP_IN_RELPATH), action: 'write' });
    expect(dry.newVeth).toMatchObject({ linkFile: '/usr/lib/systemd/network/99-default.link', udevRewritesMac: true });
    expect(dry.reload.run).toBe(false);

    const { code, doc } = await remediateJson(['--root', root, '--termination-log', '']);
    const result = resultSchema.parse(doc);
    expect(result.errors).toEqual([]);
    expect(code).toBe(0);
    expect(result.changed).toEqual([`wrote ${path.join(root, DROP_IN_RELPATH)}`]);
    expect(result.newVeth).toMatchObject({ udevRewritesMac: false, macAddressPolicy: 'none' });
    expect(await readFile(path.join(root, DROP_IN_RELPATH), 'utf8')).toBe(DROP_IN_CONTENT);
    expect(await snapshotTree('/etc/systemd/network')).toEqual(etc);
  });
});
