import { describe, expect, it } from 'vitest';
import { assertAllowed, ForbiddenCommandError } from './apply';
import { udevadmCommand } from './hostState';

describe('command guard', () => {
  it('refuses udevadm trigger in any form', () => {
    for (const argv of [
      ['udevadm', 'trigger', '--action=add', '--subsystem-match=net'],
      ['/usr/bin/udevadm', 'trigger'],
      ['chroot', '/host', 'udevadm', 'trigger', '-c', 'add'],
    ]) {
      expect(() => assertAllowed(argv)).toThrow(ForbiddenCommandError);
    }
  });

  it('allows what remediation runs', () => {
    for (const argv of [
      ['udevadm', 'control', '--reload'],
      ['chroot', '/host', 'udevadm', 'control', '--reload'],
      ['ip', 'link', 'set', 'dev', 'eni0123456789a', 'address', '02:00:00:00:00:01'],
      ['ip', '-n', 'cni-1', 'neigh', 'replace', '169.254.1.1', 'lladdr', '02:00:00:00:00:01', 'dev', 'eth0', 'nud', 'permanent'],
    ]) {
      expect(() => assertAllowed(argv)).not.toThrow();
    }
  });

  it("runs the host's own udevadm, chrooted, when the host root is mounted elsewhere", () => {
    expect(udevadmCommand('/', ['control', '--reload'])).toEqual(['udevadm', ['control', '--reload']]);
    expect(udevadmCommand('/host/', ['control', '--reload'])).toEqual(['chroot', ['/host', 'udevadm', 'control', '--reload']]);
  });
});
