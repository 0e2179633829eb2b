// A server with an operator token and the local executor pinned to one node name, for specs that need the
// operator's pages (previews, the remediation page) but not the host lab: previews are built from stored reports.
import { randomBytes } from 'node:crypto';
import { test as base, expect } from '@playwright/test';
import { Api } from './api';
import { startVethwatch, type RunningVethwatch } from './server';

export interface OperatorServer {
  vethwatch: RunningVethwatch;
  api: Api;
  operatorToken: string;
  /** The node the local executor may fix. */
  node: string;
}

export const test = base.extend<{ op: OperatorServer }>({
  op: async ({}, use, testInfo) => {
    const operatorToken = randomBytes(24).toString('base64url');
    const node = `ip-10-0-${randomBytes(2).readUInt16BE() % 250}-7`;
    const extra = { VETHWATCH_OPERATOR_TOKEN: operatorToken, VETHWATCH_EXECUTOR: 'local', NODE_NAME: node };
    // startVethwatch passes its own environment on; workers: 1, so nothing else reads it meanwhile.
    const saved = new Map(Object.keys(extra).map((k) => [k, process.env[k]]));
    Object.assign(process.env, extra);
    let vethwatch: RunningVethwatch;
    try {
      vethwatch = await startVethwatch();
    } finally {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    try {
      await use({ vethwatch, api: new Api(vethwatch.url, vethwatch.token), operatorToken, node });
    } finally {
      await vethwatch.stop();
      if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('server-output', { body: vethwatch.output(), contentType: 'text/plain' });
    }
  },
  baseURL: async ({ op }, use) => {
    await use(op.vethwatch.url);
  },
});

export { expect };
