import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TERMINATION_LOG, parseRemediateArgs, RemediateUsageError } from './args';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vwt-args-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('parseRemediateArgs', () => {
  it('applies by default, on /, with the Kubernetes termination log', () => {
    expect(parseRemediateArgs([])).toEqual({ help: false, dryRun: false, planId: null, root: '/', node: undefined, terminationLog: DEFAULT_TERMINATION_LOG });
  });

  it('reads every flag, in both --flag value and --flag=value forms', () => {
    expect(
      parseRemediateArgs(['--dry-run', `--root=${tmp}`, '--node', 'ip-10-0-0-1.ec2.internal', '--termination-log', '/tmp/x', '--json']),
    ).toEqual({ help: false, dryRun: true, planId: null, root: tmp, node: 'ip-10-0-0-1.ec2.internal', terminationLog: '/tmp/x' });
    expect(parseRemediateArgs(['--plan-id', '0123456789abcdef', '--termination-log=']).planId).toBe('0123456789abcdef');
    expect(parseRemediateArgs(['--termination-log=']).terminationLog).toBeNull();
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['extra'], /positional/i],
    [['--plan-id', 'xyz'], /16 hex digits/],
    [['--plan-id', '0123456789ABCDEF'], /16 hex digits/],
    [['--dry-run', '--plan-id', '0123456789abcdef'], /makes no sense with --dry-run/],
    [['--root', '/nonexistent/vwt'], /is not a directory/],
    [['--node=-bad-'], /not a valid node name/],
    [['--node', 'a b'], /not a valid node name/],
    [['--root'], /argument missing/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseRemediateArgs(argv)).toThrow(RemediateUsageError);
    expect(() => parseRemediateArgs(argv)).toThrow(message);
  });
});
