// Migration 0008 on both engines: rows stored before it get the file that sets their policy from the stored report
// (the drop-in when one does), and remediations get empty regression columns.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { buildReport, DEFAULT_LINK_PATH, MAC_NONE_DROPIN_PATH } from '@/lib/report/fixtures';
import { openEngine } from '../engines';
import { testEngines, type TestStore } from '../testing';
import { explanations } from './0008_explanations';

describe.each(testEngines)('migration 0008 on $name', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await engine.open();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('fills policy_source from each stored report', async () => {
    const bus = createEventBus();
    await ingestReport(t.store, buildReport({ node: 'dropin', veths: 1, policy: 'none' }), { bus, receivedAt: new Date() });
    await ingestReport(t.store, buildReport({ node: 'stock', veths: 1, policy: 'persistent' }), { bus, receivedAt: new Date() });
    const { db } = openEngine(t.config);
    try {
      await explanations.down!(db);
      await explanations.up(db);
      const rows = await db.selectFrom('nodes').select(['name', 'policy_source']).orderBy('name').execute();
      expect(rows).toEqual([
        { name: 'dropin', policy_source: MAC_NONE_DROPIN_PATH },
        { name: 'stock', policy_source: DEFAULT_LINK_PATH },
      ]);
    } finally {
      await db.destroy();
    }
    expect((await t.store.listNodeSummaries()).map((n) => [n.name, n.policySource])).toEqual([
      ['dropin', MAC_NONE_DROPIN_PATH],
      ['stock', DEFAULT_LINK_PATH],
    ]);
  });
});
