import { describe, expect, it } from 'vitest';
import { fixtureText } from './fixtures.testutil';
import { parseUdevDb } from './udevDb';

describe('parseUdevDb', () => {
  it('keeps the E: properties of a real udev database entry', () => {
    expect(parseUdevDb(fixtureText('run-udev-data-n10.txt'))).toEqual({
      ID_NET_DRIVER: 'veth',
      ID_NET_LINK_FILE: '/usr/lib/systemd/network/99-default.link',
      ID_NET_NAME: 'eni76bbb1eb541',
      SYSTEMD_ALIAS: '/sys/subsystem/net/devices/eni76bbb1eb541',
    });
  });
});
