// The node page's history is in the server's first paint: the timeline (at the zoom the URL names) and the
// link-policy drift section work without JavaScript.
import { expect, test } from './support/fixtures';
import { atRiskReport, brokenReport } from './support/reports';

test.use({ javaScriptEnabled: false });

test('without JavaScript the timeline and drift section are rendered by the server, zoom links included', async ({
  page,
  api,
}) => {
  await api.accept(atRiskReport('node-nojs-tl', { veths: 2 }));
  await api.accept(brokenReport('node-nojs-tl', 1, { veths: 2 }));
  await page.goto('/nodes/node-nojs-tl');
  const timeline = page.getByRole('region', { name: 'ARP mismatch timeline' });
  await expect(timeline.getByRole('button', { name: /ARP mismatch ongoing since/ })).toHaveCount(1);
  // The incident is minutes old: the timeline opens on 1 h, where it is more than a sliver.
  await expect(timeline).toContainText('1 interval, 1 ongoing in the last 1 h');
  await expect(timeline).toContainText('mismatch ongoing');
  await expect(page.getByRole('region', { name: 'Link policy for new veths' })).toContainText('No drift');

  await timeline.getByRole('group', { name: 'Zoom' }).getByRole('link', { name: '7 d' }).click();
  await expect(page).toHaveURL(/\?range=7d#timeline$/);
  await expect(timeline).toContainText('in the last 7 d');
  await expect(timeline.getByRole('group', { name: 'Zoom' }).getByRole('link', { name: '7 d' })).toHaveAttribute('aria-current', 'true');
});
