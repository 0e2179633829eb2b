import { describe, expect, it } from 'vitest';
import { incidentRange } from './incidentRange';

const NOW = Date.parse('2026-12-03T03:00:00.000Z');
const ago = (min: number) => new Date(NOW - min * 60_000).toISOString();

describe('incidentRange', () => {
  it('opens on 1 h when the ongoing incident is younger than an hour', () => {
    expect(incidentRange([{ from: ago(12), status: 'ongoing' }], NOW)).toBe('1h');
    expect(incidentRange([{ from: ago(300), status: 'closed' }, { from: ago(59), status: 'ongoing' }], NOW)).toBe('1h');
  });
  it('keeps the default when the incident is older, or nothing is ongoing', () => {
    expect(incidentRange([{ from: ago(61), status: 'ongoing' }, { from: ago(5), status: 'ongoing' }], NOW)).toBeNull();
    expect(incidentRange([{ from: ago(5), status: 'closed' }], NOW)).toBeNull();
    expect(incidentRange([], NOW)).toBeNull();
  });
});
