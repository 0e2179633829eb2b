import 'server-only';
// The pause switch (with a reason, which blocks new remediations; running ones finish) and the fleet-wide cap.
import { z } from 'zod';
import { actorName, type Identity } from '../auth/operator';
import { ValidationError } from '../http/errors';
import type { Store } from '../store';
import type { RemediationSettings } from './types';

export const settingsUpdateSchema = z
  .object({
    paused: z.boolean().optional(),
    reason: z.string().trim().max(500).optional(),
    maxConcurrent: z.number().int().min(1).max(100).optional(),
  })
  .strict()
  .refine((u) => u.paused !== true || (u.reason !== undefined && u.reason.length > 0), {
    message: 'pausing needs a reason',
    path: ['reason'],
  })
  .refine((u) => u.paused !== undefined || u.maxConcurrent !== undefined, { message: 'nothing to change: give paused and/or maxConcurrent' });

export async function updateRemediationSettings(store: Store, who: Identity, body: unknown): Promise<RemediationSettings> {
  const parsed = settingsUpdateSchema.safeParse(body);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, 'invalid remediation settings');
  const u = parsed.data;
  const at = new Date().toISOString();
  const before = await store.remediations.getSettings();
  const after = await store.remediations.updateSettings({
    now: at,
    ...(u.paused !== undefined ? { paused: u.paused, pauseReason: u.reason ?? null, pausedBy: actorName(who) } : {}),
    ...(u.maxConcurrent !== undefined ? { maxConcurrent: u.maxConcurrent } : {}),
  });
  if (u.paused !== undefined && u.paused !== before.paused) {
    await store.remediations.appendAudit({ at, actor: actorName(who), via: who.via, action: u.paused ? 'pause' : 'resume', detail: u.paused ? (u.reason ?? null) : (u.reason ?? null) });
  }
  if (u.maxConcurrent !== undefined && u.maxConcurrent !== before.maxConcurrent) {
    await store.remediations.appendAudit({ at, actor: actorName(who), via: who.via, action: 'settings', detail: `maxConcurrent ${before.maxConcurrent} -> ${u.maxConcurrent}` });
  }
  return after;
}
