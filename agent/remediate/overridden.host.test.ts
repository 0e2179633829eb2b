// An admin drop-in that sorts after ours and sets persistent again: our 50-... drop-in cannot win. Remediation
// must report that as an error (and real udev must agree that new veths are still rewritten), not claim success.
import { mkdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropInPath } from '../../lib/remediation/dropIn';
import { freshVethUnderUdev, remediateJson } from './hostTestSupport';
import { planSchema, resultSchema } from '../../lib/report/remediation';

const DROP_IN = dropInPath('/');
const DIR = path.dirname(DROP_IN);
const LATER = path.join(DIR, '99-vwt-test-persistent.conf');
let dirExisted = false;

beforeAll(async () => {
  await rm(DROP_IN, { force: true });
  dirExisted = await stat(DIR).then(() => true, () => false);
  await mkdir(DIR, { recursive: true });
  await writeFile(LATER, '[Link]\nMACAddressPolicy=persistent\n', { mode: 0o644 });
});

afterAll(async () => {
  await rm(DROP_IN, { force: true });
  await rm(LATER, { force: true });
  if (!dirExisted) await rmdir(DIR).catch(() => undefined);
});

describe('remediate when a later drop-in overrides ours', () => {
  it('warns in the plan that the drop-in will be overridden', async () => {
    const { code, doc } = await remediateJson(['--dry-run', '--termination-log', '']);
    expect(code).toBe(0);
    const plan = planSchema.parse(doc);
    expect(plan.dropIn.action).toBe('write');
    expect(plan.warnings).toContainEqual(expect.stringContaining(`${LATER} sorts after 50-vethwatch-mac-none.conf`));
  });

  it('writes it, re-checks, and fails with an error instead of claiming success', async () => {
    const { code, doc } = await remediateJson(['--termination-log', '']);
    const result = resultSchema.parse(doc);
    expect(code).toBe(1);
    expect(result.verified).toBe(false);
    expect(result.changed).toContain(`wrote ${DROP_IN}`);
    expect(result.newVeth?.udevRewritesMac).toBe(true);
    expect(result.errors).toContainEqual(expect.objectContaining({ step: 'verify', message: expect.stringContaining('new veths are still rewritten') }));
  });

  it('real udev agrees: a fresh old-CNI veth is still rewritten', async () => {
    const fresh = await freshVethUnderUdev();
    expect(fresh.addrAssignType).toBe('1');
    expect(fresh.after).not.toBe(fresh.before);
  });

  it('a second run changes nothing but still fails', async () => {
    const { code, doc } = await remediateJson(['--termination-log', '']);
    const result = resultSchema.parse(doc);
    expect(code).toBe(1);
    expect(result.unchanged).toBe(true);
    expect(result.verified).toBe(false);
  });
});
