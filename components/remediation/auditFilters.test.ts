import { describe, expect, it } from 'vitest';
import { auditFiltersFromSearch, auditHref, DEFAULT_AUDIT_PAGE } from './auditFilters';

describe('auditFiltersFromSearch', () => {
  it('reads datetime-local inputs as UTC and keeps the cursor', () => {
    const { filters, problems } = auditFiltersFromSearch({ node: 'n-1', from: '2026-11-26T10:00', to: '2026-11-26T11:30:15', cursor: '42' });
    expect(problems).toEqual([]);
    expect(filters).toEqual({
      node: 'n-1',
      from: '2026-11-26T10:00:00.000Z',
      to: '2026-11-26T11:30:15.000Z',
      cursor: '42',
      limit: DEFAULT_AUDIT_PAGE,
    });
  });

  it('explains bad input and leaves it out of the filters', () => {
    const { filters, problems } = auditFiltersFromSearch({ node: '../etc', from: 'yesterday', limit: '0' });
    expect(problems).toEqual([
      '"limit" must be a whole number from 1 to 500, got 0',
      '"../etc" is not a node name',
      '"From" is not a time: yesterday',
    ]);
    expect(filters).toEqual({ limit: DEFAULT_AUDIT_PAGE });
  });

  it('takes the first of repeated parameters', () => {
    expect(auditFiltersFromSearch({ node: ['a', 'b'] }).filters.node).toBe('a');
  });
});

describe('auditHref', () => {
  it('keeps the filters and swaps the cursor', () => {
    const inputs = { node: 'n', from: '2026-11-26T10:00', to: '', limit: '2' };
    expect(auditHref(inputs, '7')).toBe('/audit?node=n&from=2026-11-26T10%3A00&limit=2&cursor=7');
    expect(auditHref({ node: '', from: '', to: '', limit: '' }, null)).toBe('/audit');
  });
});
