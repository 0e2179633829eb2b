import { afterEach, describe, expect, it, vi } from 'vitest';
import { getLogger } from '../log/logger';
import { createEventBus, getEventBus } from './bus';
import type { NodeEvent } from './types';

const event = (id: number): NodeEvent => ({
  id,
  node: 'n1',
  type: 'node.first_report',
  at: '2026-01-01T00:00:00.000Z',
  receivedAt: '2026-01-01T00:00:01.000Z',
  reportId: '00000000-0000-4000-8000-000000000000',
  subject: null,
  data: {
    agentVersion: '0.1.0',
    intervalSeconds: 30,
    vethCount: 0,
    mismatchCount: 0,
    newVeth: { linkFile: null, dropIns: [], macAddressPolicy: null, macAddress: null, udevRewritesMac: false },
  },
});

afterEach(() => vi.restoreAllMocks());

describe('event bus', () => {
  it('delivers published batches to every subscriber until it unsubscribes', () => {
    const bus = createEventBus();
    const a: number[] = [];
    const b: number[] = [];
    const offA = bus.subscribe((evs) => a.push(...evs.map((e) => e.id)));
    bus.subscribe((evs) => b.push(...evs.map((e) => e.id)));
    expect(bus.listenerCount()).toBe(2);
    bus.publish([event(1), event(2)]);
    offA();
    bus.publish([event(3)]);
    bus.publish([]);
    expect(a).toEqual([1, 2]);
    expect(b).toEqual([1, 2, 3]);
    expect(bus.listenerCount()).toBe(1);
  });

  it('a throwing subscriber does not stop the others', () => {
    vi.spyOn(getLogger(), 'error').mockImplementation(() => undefined);
    const bus = createEventBus();
    const got: number[] = [];
    bus.subscribe(() => {
      throw new Error('closed stream');
    });
    bus.subscribe((evs) => got.push(evs[0].id));
    bus.publish([event(7)]);
    expect(got).toEqual([7]);
  });

  it('announces local events to the relay, and never re-announces remote ones', async () => {
    const bus = createEventBus();
    const announced: number[] = [];
    const local: number[] = [];
    bus.setRelay({ announce: (evs) => void announced.push(...evs.map((e) => e.id)) });
    bus.subscribe((evs) => local.push(...evs.map((e) => e.id)));
    bus.publish([event(1)]);
    bus.deliverRemote([event(2)]);
    await new Promise((r) => setTimeout(r, 0));
    expect(local).toEqual([1, 2]);
    expect(announced).toEqual([1]);
  });

  it('a failing relay is logged and does not reach the publisher', async () => {
    const log = vi.spyOn(getLogger(), 'error').mockImplementation(() => undefined);
    const bus = createEventBus();
    bus.setRelay({ announce: () => Promise.reject(new Error('NOTIFY failed')) });
    expect(() => bus.publish([event(1)])).not.toThrow();
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toHaveBeenCalledWith({ err: expect.any(Error) }, 'vethwatch: event relay failed');
  });

  it('getEventBus is one instance per process, shared through globalThis', () => {
    expect(getEventBus()).toBe(getEventBus());
    expect((globalThis as Record<symbol, unknown>)[Symbol.for('vethwatch.eventBus')]).toBe(getEventBus());
  });
});
