// Migration 0005 on both engines: rows stored before it get their link-file package from the stored report.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { buildReport } from '@/lib/report/fixtures';
import { openEngine } from '../engines';
import { testEngines, type TestStore } from '../testing';
import { policyPackage } from './0005_policy_package';

describe.each(testEngines)('migration 0005 on $name', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await engine.open();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('fills policy_package from each stored report, null where no package owns the winning file', async () => {
    const bus = createEventBus();
    const owned = buildReport({ node: 'owned', veths: 1 });
    owned.linkPolicy.files[0].package = { name: 'udev', version: '252.30-1~deb12u1' };
    const orphan = buildReport({ node: 'orphan', veths: 1 });
    orphan.linkPolicy.files[0].package = null;
    await ingestReport(t.store, owned, { bus, receivedAt: new Date() });
    await ingestReport(t.store, orphan, { bus, receivedAt: new Date() });

    const { db } = openEngine(t.config);
    try {
      // Back to the schema before 0005 (rows as an older server left them), then forward again.
      await policyPackage.down!(db);
      await policyPackage.up(db);
      const rows = await db.selectFrom('nodes').select(['name', 'policy_package', 'policy_package_version']).orderBy('name').execute();
      expect(rows).toEqual([
        { name: 'orphan', policy_package: null, policy_package_version: null },
        { name: 'owned', policy_package: 'udev', policy_package_version: '252.30-1~deb12u1' },
      ]);
    } finally {
      await db.destroy();
    }
    expect((await t.store.listNodes()).map((n) => [n.name, n.policyPackage, n.policyPackageVersion])).toEqual([
      ['orphan', null, null],
      ['owned', 'udev', '252.30-1~deb12u1'],
    ]);
  });
});
