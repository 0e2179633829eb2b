// Playwright fixtures: every test gets its own freshly started server and empty database, so counts and states
// depend only on the reports that test posts.
import { test as base, expect } from '@playwright/test';
import { Api } from './api';
import { startVethwatch, type RunningVethwatch } from './server';

interface Fixtures {
  vethwatch: RunningVethwatch;
  api: Api;
}

export const test = base.extend<Fixtures>({
  vethwatch: async ({}, use, testInfo) => {
    const server = await startVethwatch();
    try {
      await use(server);
    } finally {
      await server.stop();
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('server-output', { body: server.output(), contentType: 'text/plain' });
      }
    }
  },
  api: async ({ vethwatch }, use) => {
    await use(new Api(vethwatch.url, vethwatch.token));
  },
  baseURL: async ({ vethwatch }, use) => {
    await use(vethwatch.url);
  },
});

export { expect };
