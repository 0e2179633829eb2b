// @vitest-environment happy-dom
// The fleet's policy cell names the file that sets the value: the drop-in (and the file it extends), not the .link.
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { PolicyCell } from './PolicyCell';

afterEach(() => cleanup());
const LINK = '/usr/lib/systemd/network/99-default.link';
const DROP_IN = '/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf';

describe('PolicyCell', () => {
  it('names the drop-in that sets the policy', () => {
    const { container } = render(<PolicyCell policy={{ macAddressPolicy: 'none', linkFile: LINK, udevRewritesMac: false, source: DROP_IN }} />);
    expect(container.textContent).toContain('none (50-vethwatch-mac-none.conf, drop-in for 99-default.link)');
    expect(container.querySelector('[title]')!.getAttribute('title')).toContain(`set by: ${DROP_IN}`);
  });
  it('names the .link file when it sets the policy itself', () => {
    const { container } = render(<PolicyCell policy={{ macAddressPolicy: 'persistent', linkFile: LINK, udevRewritesMac: true, source: LINK }} />);
    expect(container.textContent).toContain('persistent (99-default.link)');
  });
});
