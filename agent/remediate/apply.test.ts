import { describe, expect, it } from 'vitest';
import { buildReport } from '../../lib/report/fixtures';
import { udevadmCommand } from './hostState';
import { buildPlan } from './plan';
import { assertAllowed, ForbiddenCommandError, runArgv } from './spawn';

describe('command guard', () => {
  it('refuses udevadm trigger in any form, shell-wrapped included', () => {
    for (const argv of [
      ['udevadm', 'trigger', '--action=add', '--subsystem-match=net'],
      ['/usr/bin/udevadm', 'trigger'],
      ['chroot', '/host', 'udevadm', 'trigger', '-c', 'add'],
      ['sh', '-c', 'udevadm trigger'],
      ['env', 'udevadm', 'trigger'],
      ['udevadm trigger'],
    ]) {
      expect(() => assertAllowed(argv), argv.join(' ')).toThrow(/udevadm trigger re-adds net devices/);
    }
  });

  it('never runs a shell, whatever the shell is asked to do', () => {
    for (const argv of [
      ['sh', '-c', 'ip link show'],
      ['/bin/bash', '-c', 'true'],
      ['dash', '-c', 'true'],
      ['busybox', 'sh'],
      ['chroot', '/host', 'sh', '-c', 'udevadm control --reload'],
      ['ip', 'netns', 'exec', 'cni-1', 'sh', '-c', 'true'],
      ['ip', '-n', 'cni-1', 'link', 'show', '-c'],
    ]) {
      expect(() => assertAllowed(argv), argv.join(' ')).toThrow(/never runs a shell/);
    }
  });

  it('refuses anything that is not ip link/neigh or udevadm control', () => {
    for (const argv of [
      [],
      ['env', 'ip', 'link', 'show'],
      ['/tmp/ip', 'link', 'show'],
      ['ip', 'netns', 'exec', 'cni-1', 'ip', 'link', 'show'],
      ['ip', '-batch', '/tmp/cmds'],
      ['ip', 'l', 'set', 'dev', 'x', 'up'],
      ['ip', 'route', 'replace', 'default', 'via', '10.0.0.1'],
      ['ip', 'link', 'delete', 'dev', 'x'],
      ['ip', '-n'],
      ['udevadm', 'settle'],
      ['udevadm', 'test-builtin', 'net_setup_link', '/sys/class/net/x'],
      ['chroot', '/host', 'ip', 'link', 'show'],
      ['chroot', '--userspec=0', '/host', 'udevadm', 'control', '--reload'],
      ['nsenter', '--net=/proc/1/ns/net', 'ip', 'link', 'show'],
    ]) {
      expect(() => assertAllowed(argv), argv.join(' ')).toThrow(ForbiddenCommandError);
    }
  });

  it('allows what remediation runs', () => {
    for (const argv of [
      ['udevadm', 'control', '--reload'],
      ['chroot', '/host', 'udevadm', 'control', '--reload'],
      ['ip', '-j', 'link', 'show', 'dev', 'eni0123456789a'],
      ['ip', '-n', 'cni-1', '-j', 'neigh', 'show', 'to', '169.254.1.1', 'dev', 'eth0'],
      ['ip', 'link', 'set', 'dev', 'eni0123456789a', 'address', '02:00:00:00:00:01'],
      ['ip', '-n', 'cni-1', 'neigh', 'replace', '169.254.1.1', 'lladdr', '02:00:00:00:00:01', 'dev', 'eth0', 'nud', 'permanent'],
    ]) {
      expect(() => assertAllowed(argv), argv.join(' ')).not.toThrow();
    }
  });

  it("allows every command a plan builds (both repair methods), and the reload in both root forms", () => {
    const report = buildReport({ veths: 4, mismatched: 2 });
    const broken = report.veths.filter((v) => v.arpStatus === 'mismatch');
    // One broken pod's old MAC is taken by another host interface, so it is repaired through its neighbour entry.
    const taken = { ifname: 'spare0', mac: broken[1].gatewayLladdr! };
    const plan = buildPlan({
      report,
      dropInPath: '/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf',
      existingDropIn: null,
      hostLinks: [...report.veths.map((v) => ({ ifname: v.ifname, mac: v.mac })), taken],
      udevd: { running: true, detail: 'answered' },
      now: '2026-11-26T12:00:00.000Z',
    });
    expect(new Set(plan.repairs.map((r) => r.method))).toEqual(new Set(['set-host-mac', 'neigh-replace']));
    for (const r of plan.repairs) expect(() => assertAllowed(r.command), r.command.join(' ')).not.toThrow();
    for (const root of ['/', '/host']) {
      const [cmd, args] = udevadmCommand(root, ['control', '--reload']);
      expect(() => assertAllowed([cmd, ...args])).not.toThrow();
    }
  });

  it('refuses before anything is started', async () => {
    await expect(runArgv(['sh', '-c', 'exit 0'])).rejects.toBeInstanceOf(ForbiddenCommandError);
  });

  it("runs the host's own udevadm, chrooted, when the host root is mounted elsewhere", () => {
    expect(udevadmCommand('/', ['control', '--reload'])).toEqual(['udevadm', ['control', '--reload']]);
    expect(udevadmCommand('/host/', ['control', '--reload'])).toEqual(['chroot', ['/host', 'udevadm', 'control', '--reload']]);
  });
});
