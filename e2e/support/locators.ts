// Role-based ways to find the dashboard's parts, shared by the specs.
import type { Page } from '@playwright/test';

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function fleetTable(page: Page) {
  return page.getByRole('table', { name: /^Nodes/ });
}

/** The fleet table's row for one node (its name is the row header). */
export function fleetRow(page: Page, node: string) {
  return fleetTable(page).getByRole('row', { name: new RegExp(`^${escapeRegExp(node)}\\b`) });
}

/** The "N <State>" tile in the summary above the table. */
export function summaryTile(page: Page, label: 'Broken' | 'At risk' | 'Stale' | 'Unknown' | 'Healthy') {
  return page
    .getByRole('list', { name: 'Nodes by state' })
    .getByRole('listitem')
    .filter({ hasText: new RegExp(`^\\d+ ${label}$`) });
}

export function vethsTable(page: Page) {
  return page.getByRole('table', { name: /^Veths/ });
}
