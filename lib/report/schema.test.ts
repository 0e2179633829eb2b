// Rules of the one report schema that the agent (before sending) and the server (on receipt) both apply, so a
// report the agent's own check passes is never one the server refuses for a rule only it knows.
import { describe, expect, it } from 'vitest';
import { buildReport } from './fixtures';
import { nodeNameSchema, reportSchema } from './schema';

describe('node names', () => {
  it.each([
    'ip-10-0-1-5.ec2.internal',
    'worker-1',
    'a',
    '0',
    'gke-cluster-default-pool-1a2b3c4d-xyz9',
    'a'.repeat(253),
    `${'a'.repeat(63)}.${'b'.repeat(63)}`,
  ])('accepts the Kubernetes node name %s', (name) => {
    expect(nodeNameSchema.safeParse(name).success).toBe(true);
    expect(reportSchema.safeParse(buildReport({ node: name, veths: 1 })).success).toBe(true);
  });

  it.each([
    ['upper case', 'Worker-1'],
    ['an underscore', 'worker_1'],
    ['a leading dash', '-worker'],
    ['a trailing dash', 'worker-'],
    ['a trailing dot', 'worker.'],
    ['an empty label', 'worker..internal'],
    ['a label ending in a dash', 'worker-.internal'],
    ['a space', 'worker 1'],
    ['nothing', ''],
    ['254 characters', 'a'.repeat(254)],
  ])('refuses a name with %s', (_what, name) => {
    expect(nodeNameSchema.safeParse(name).success).toBe(false);
    const parsed = reportSchema.safeParse({ ...buildReport({ veths: 1 }), node: name });
    expect(parsed.success).toBe(false);
    expect(new Set(parsed.error?.issues.map((i) => i.path.join('.')))).toEqual(new Set(['node']));
  });

  it('says what a node name is', () => {
    const parsed = nodeNameSchema.safeParse('Worker_1');
    expect(parsed.error?.issues[0].message).toMatch(/Kubernetes node name \(lowercase letters, digits/);
  });
});

describe('uniqueness within a report', () => {
  it('refuses two veths with the same name, naming the second', () => {
    const r = buildReport({ veths: 3 });
    const parsed = reportSchema.safeParse({ ...r, veths: [...r.veths, { ...r.veths[1], ifindex: 99 }] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual([
      expect.objectContaining({ code: 'custom', path: ['veths', 3, 'ifname'], message: `duplicate veth ifname "${r.veths[1].ifname}"` }),
    ]);
  });

  it('refuses two link files with the same path', () => {
    const r = buildReport({ veths: 1 });
    const files = [...r.linkPolicy.files, r.linkPolicy.files[0]];
    const parsed = reportSchema.safeParse({ ...r, linkPolicy: { ...r.linkPolicy, files } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual([
      expect.objectContaining({ path: ['linkPolicy', 'files', files.length - 1, 'path'], message: `duplicate link file path "${files[0].path}"` }),
    ]);
  });

  it('accepts distinct names and paths', () => {
    expect(reportSchema.safeParse(buildReport({ veths: 5 })).success).toBe(true);
  });
});
