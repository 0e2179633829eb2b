// @vitest-environment happy-dom
// A drift card as a person reads it: code as code (no literal backticks), times in the page's format, the changed
// drop-in named with its diff, and a remediation's own change shown as that remediation's, not as drift.
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { deriveDrift } from '@/lib/history/drift';
import { storedEvent } from '@/lib/history/testing/events';
import type { LinkFileVersion } from '@/lib/events/types';
import type { LinkVerdict } from '@/lib/report/schema';
import { DriftItem } from './LinkDrift';

afterEach(() => cleanup());

const LINK = '/usr/lib/systemd/network/99-default.link';
const DROP_IN = '/etc/systemd/network/99-default.link.d/50-vethwatch-mac-none.conf';
const TEXT = '[Link]\nMACAddressPolicy=none\n';
const AT = '2026-12-03T03:00:00.000Z';
const verdict = (policy: 'none' | 'persistent', dropIns: string[]): LinkVerdict => ({
  linkFile: LINK,
  dropIns,
  macAddressPolicy: policy,
  macAddress: null,
  udevRewritesMac: policy === 'persistent',
});
const version: LinkFileVersion = { sha256: 'a'.repeat(64), size: TEXT.length, mtime: AT, content: TEXT, macAddressPolicy: 'none', masked: false, package: null, differsFromPackage: null };

function findings(change: 'removed' | 'appeared', remediations = []) {
  const policy =
    change === 'removed'
      ? storedEvent(1, 'policy.changed', AT, { from: verdict('none', [DROP_IN]), to: verdict('persistent', []) })
      : storedEvent(1, 'policy.changed', AT, { from: verdict('persistent', []), to: verdict('none', [DROP_IN]) });
  const file =
    change === 'removed'
      ? storedEvent(2, 'linkfile.removed', AT, { path: DROP_IN, ...version }, DROP_IN)
      : storedEvent(2, 'linkfile.appeared', AT, { path: DROP_IN, kind: 'dropin', initial: false, ...version }, DROP_IN);
  return deriveDrift([policy, { ...file, reportId: policy.reportId }], { packageEvents: [], remediations });
}

describe('DriftItem', () => {
  it('names the removed drop-in with its diff, renders code and times, no backticks', () => {
    const [d] = findings('removed');
    const { container } = render(
      <ul>
        <DriftItem d={d} />
      </ul>,
    );
    const item = container.querySelector('li')!;
    expect(item.textContent).not.toContain('`');
    expect(item.textContent).not.toContain('2026-12-03T03:00:00.000Z');
    expect(item.textContent).toContain('2026-12-03 03:00:00 UTC');
    expect([...item.querySelectorAll('code')].map((c) => c.textContent)).toContain(DROP_IN);
    expect(within(item).getByLabelText(`Diff of ${DROP_IN}`).textContent).toContain('-MACAddressPolicy=none');
    expect(item.textContent).toContain('No package owns the changed file and no vethwatch remediation wrote it');
    expect(within(item).getByText('Drift')).toBeTruthy();
  });

  it("shows vethwatch's own change as the remediation's: id, who, when", () => {
    const [d] = findings('appeared', [
      { id: 'rem-7', requestedBy: 'alice', status: 'verified', startedAt: '2026-12-03T02:59:00.000Z', finishedAt: '2026-12-03T02:59:02.000Z', dropIn: { path: DROP_IN, content: TEXT, action: 'write' } },
    ] as never);
    render(
      <ul>
        <DriftItem d={d} />
      </ul>,
    );
    expect(screen.getByText('Remediation')).toBeTruthy();
    expect(screen.queryByText('Drift')).toBeNull();
    expect(screen.getByText('alice')).toBeTruthy();
    expect(screen.getByText('rem-7', { selector: 'code' })).toBeTruthy();
    expect(document.body.textContent).not.toMatch(/by hand/);
  });
});
