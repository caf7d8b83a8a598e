// Helpers for tests that drive the Exports section against the sandbox.
import { expect } from './fixtures';
import type { Page, APIRequestContext } from '@playwright/test';

export const DAY = 86_400_000;
export const MERCHANT = 'DEMOMERCHANT1';

export function isoDate(ms: number) {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Fills the export form for a custom UTC range of `days` days ending today. */
export async function requestExport(page: Page, days: number, type: 'Orders' | 'Payments' = 'Orders', region = 'Sandbox') {
  await page.getByRole('tab', { name: 'Exports' }).click();
  await page.getByLabel('Region').selectOption({ label: region });
  await expect(page.getByLabel('Merchant ID')).toHaveValue(MERCHANT); // prefilled from the sandbox's demo config
  await expect(page.getByLabel('API token', { exact: true })).not.toHaveValue('');
  await page.getByRole('radio', { name: type }).check();
  await page.getByLabel('Time range').selectOption({ label: 'Custom range' });
  const now = Date.now();
  await page.getByLabel('From (first day)').fill(isoDate(now - (days - 1) * DAY));
  await page.getByLabel('To (last day, included)').fill(isoDate(now));
  await page.getByLabel('Time zone').selectOption('UTC');
  const exportsNeeded = Math.ceil(days / 30);
  await expect(page.getByText(new RegExp(`: ${exportsNeeded} exports?[ .]`))).toBeVisible();
  await page.getByRole('button', { name: 'Request export' }).click();
}

export type SandboxExport = { id: string; startTime: number; endTime: number; status: string; objectCount: number };

export async function sandboxExports(request: APIRequestContext): Promise<{ created: number; exports: SandboxExport[] }> {
  const res = await request.get('/__sandbox/exports');
  expect(res.ok()).toBeTruthy();
  return res.json();
}

/** Counts CSV records (quoted fields may hold separators and newlines). */
export function csvRecords(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
    else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

export const requestCard = (page: Page) => page.getByRole('article').first();
