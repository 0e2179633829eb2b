// Who may remediate and when, without touching the host: the node here exists only as reports posted to the
// test's server, and no test confirms a plan, so nothing runs.
import type { PlanPreview } from '../lib/remediation/types';
import { csrfHeaders, expect, signInAsOperator, test } from './fixtures/remediationLab';
import { brokenReport } from './support/reports';

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

test('a viewer sees no Remediate button and the API refuses them; a cookie without the CSRF header is refused', async ({
  page,
  api,
  vethwatch,
  operator,
}) => {
  await api.accept(brokenReport(operator.node));
  await page.goto(`/nodes/${operator.node}`);
  const panel = page.getByRole('region', { name: 'Remediation' });
  await expect(panel).toContainText('Only operators can remediate');
  await expect(panel.getByRole('button', { name: 'Remediate' })).toHaveCount(0);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Fleet');
  await expect(page.getByRole('button', { name: 'Fix all at-risk nodes' })).toHaveCount(0);

  const url = `${vethwatch.url}/api/v1/nodes/${operator.node}/remediations`;
  const anonymous = await post(url, { dryRun: true }, csrfHeaders);
  expect(anonymous.status).toBe(403);
  const wrongToken = await post(url, { dryRun: true }, { authorization: 'Bearer not-the-token' });
  expect(wrongToken.status).toBe(401);

  // A browser session: the cookie alone must not be enough, the page's CSRF header has to come with it.
  const login = await post(`${vethwatch.url}/api/v1/session`, { token: operator.token }, csrfHeaders);
  expect(login.status).toBe(200);
  const cookie = login.headers.get('set-cookie')!.split(';')[0];
  const noCsrf = await post(url, { dryRun: true }, { cookie });
  expect(noCsrf.status).toBe(403);
  expect(((await noCsrf.json()) as { error: string }).error).toMatch(/cross-site/);
  const withCsrf = await post(url, { dryRun: true }, { cookie, ...csrfHeaders });
  expect(withCsrf.status).toBe(200);
  expect(((await withCsrf.json()) as PlanPreview).node).toBe(operator.node);
});

test('the pause switch shows its reason to everyone and disables Remediate until an operator resumes', async ({
  page,
  api,
  operator,
  browser,
}) => {
  await api.accept(brokenReport(operator.node));
  await page.goto(`/nodes/${operator.node}`);
  await signInAsOperator(page, operator.token);
  const panel = page.getByRole('region', { name: 'Remediation' });
  const remediate = panel.getByRole('button', { name: 'Remediate' });
  await expect(remediate).toBeEnabled();

  await panel.getByLabel('Reason to pause').fill('change freeze for the e2e test');
  await panel.getByRole('button', { name: 'Pause remediation' }).click();
  await expect(panel.getByRole('status').filter({ hasText: 'Remediation is paused' })).toContainText(
    'change freeze for the e2e test',
  );
  await expect(remediate).toBeDisabled();

  // Another browser, not signed in, sees the banner too.
  const viewer = await browser.newPage({ baseURL: page.url() });
  try {
    await viewer.goto(page.url());
    await expect(viewer.getByRole('region', { name: 'Remediation' })).toContainText('change freeze for the e2e test');
  } finally {
    await viewer.close();
  }

  await panel.getByRole('button', { name: 'Resume remediation' }).click();
  await expect(panel.getByText('Remediation is paused')).toHaveCount(0);
  await expect(remediate).toBeEnabled();
});

test('a plan that changed since the preview is refused, and the dialog asks for a fresh preview', async ({
  page,
  api,
  operator,
}) => {
  const first = brokenReport(operator.node);
  await api.accept(first);
  await page.goto(`/nodes/${operator.node}`);
  await signInAsOperator(page, operator.token);
  const panel = page.getByRole('region', { name: 'Remediation' });
  await panel.getByRole('button', { name: 'Remediate' }).click();
  const dialog = page.getByRole('dialog', { name: `Remediate ${operator.node}` });
  const confirm = dialog.getByRole('button', { name: 'Confirm remediation' });
  await expect(confirm).toBeEnabled();

  // The node reports again after the preview, with a second pod broken: applying the old plan must be refused.
  await api.accept(brokenReport(operator.node, 2, { collectedAt: new Date(Date.parse(first.collectedAt) + 5_000) }));
  await confirm.click();
  await expect(dialog.getByRole('alert').filter({ hasText: 'Not started' })).toContainText('Preview again');
  await expect(confirm).toBeDisabled();
  await dialog.getByRole('button', { name: 'Preview again' }).click();
  await expect(dialog.getByRole('alert').filter({ hasText: 'Not started' })).toHaveCount(0);
  await expect(confirm).toBeEnabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(panel.getByText('No remediation has run on this node.')).toBeVisible();
});

test('an operator previews "fix all at-risk nodes": every node that needs a fix, in waves under the cap', async ({
  page,
  api,
  operator,
}) => {
  await api.accept(brokenReport(operator.node));
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Fleet');
  await signInAsOperator(page, operator.token);
  await page.getByRole('button', { name: 'Fix all at-risk nodes' }).click();
  const dialog = page.getByRole('dialog', { name: 'Fix all at-risk nodes' });
  const table = dialog.getByRole('table', { name: 'Nodes to fix' });
  const row = table.getByRole('row', { name: new RegExp(`^${operator.node}\\b`) });
  await expect(row.getByRole('cell').nth(0)).toHaveText('1');
  await expect(row).toContainText('repair 1 pod');
  await expect(row).toContainText('this host (local agent)');
  await expect(dialog.getByRole('button', { name: 'Confirm: fix 1 node' })).toBeEnabled();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('button', { name: 'Fix all at-risk nodes' })).toBeFocused();
});

test('the first HTML already knows the role: without JavaScript an operator session shows Remediate, a viewer does not', async ({
  browser,
  api,
  vethwatch,
  operator,
}) => {
  await api.accept(brokenReport(operator.node));
  const login = await post(`${vethwatch.url}/api/v1/session`, { token: operator.token }, csrfHeaders);
  expect(login.status).toBe(200);
  const pair = login.headers.get('set-cookie')!.split(';')[0];
  const name = pair.slice(0, pair.indexOf('='));
  const value = pair.slice(pair.indexOf('=') + 1);

  const viewer = await browser.newContext({ javaScriptEnabled: false, baseURL: vethwatch.url });
  const signedIn = await browser.newContext({ javaScriptEnabled: false, baseURL: vethwatch.url });
  try {
    await signedIn.addCookies([{ name, value, url: vethwatch.url }]);
    const asOperator = await signedIn.newPage();
    await asOperator.goto(`/nodes/${operator.node}`);
    const panel = asOperator.getByRole('region', { name: 'Remediation' });
    await expect(panel.getByRole('button', { name: 'Remediate' })).toBeVisible();
    await expect(asOperator.getByRole('button', { name: 'Sign out' })).toBeVisible();

    const asViewer = await viewer.newPage();
    await asViewer.goto(`/nodes/${operator.node}`);
    await expect(asViewer.getByRole('region', { name: 'Remediation' })).toContainText('Only operators can remediate');
    await expect(asViewer.getByRole('button', { name: 'Remediate' })).toHaveCount(0);
  } finally {
    await viewer.close();
    await signedIn.close();
  }
});

test('a token typed before the page has hydrated still signs in; a wrong one is refused in words', async ({ page, api, operator }) => {
  await api.accept(brokenReport(operator.node));
  // Hold the page's scripts back, so the token is typed into the server's HTML, before React takes over.
  let releaseScripts!: () => void;
  const scriptsHeld = new Promise<void>((resolve) => (releaseScripts = resolve));
  await page.route('**/_next/static/chunks/**', async (route) => {
    await scriptsHeld;
    await route.continue();
  });
  await page.goto(`/nodes/${operator.node}`, { waitUntil: 'commit' });
  const form = page.getByRole('form', { name: 'Sign in as operator' });
  const submit = form.getByRole('button', { name: 'Sign in as operator' });
  await form.getByLabel('Operator token').fill('not-the-operator-token');
  await expect(submit).toBeDisabled(); // no script yet: nothing may be submitted by the browser itself
  releaseScripts();
  await submit.click();
  await expect(form.getByRole('alert')).toHaveText('Wrong operator token.');

  await form.getByLabel('Operator token').fill(operator.token);
  await submit.click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Remediation' }).getByRole('button', { name: 'Remediate' })).toBeEnabled();
});
