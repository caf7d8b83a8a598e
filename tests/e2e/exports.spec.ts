import { test, expect, openApp } from './fixtures';
import { readFileSync } from 'node:fs';
import { DAY, MERCHANT, csvRecords, requestCard, requestExport, sandboxExports } from './clover';


test('a 75-day ORDERS request runs as 3 exports one after another, lists links, and downloads as one CSV', async ({ page, request, consoleRecord }) => {
  test.setTimeout(120_000);
  await openApp(page);
  await requestExport(page, 75);
  const card = requestCard(page);
  await expect(card.getByText(/^Export 1 of 3: \d{4}-/)).toBeVisible();
  await expect(card.getByText(/^Export 3 of 3: \d{4}-/)).toBeVisible();
  await expect(card.getByRole('progressbar', { name: 'Overall progress' })).toBeVisible();
  // Progress is visible while it runs: some export reports "Running N%".
  await expect(card.getByText(/Running \d+%/).first()).toBeVisible({ timeout: 20_000 });
  await expect(card.getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 90_000 });
  await expect(card.getByText('Done', { exact: true }).first()).toBeVisible();

  // The sandbox saw exactly 3 exports whose ranges tile the request with no gap or overlap.
  const { created, exports } = await sandboxExports(request);
  expect(created).toBe(3);
  const sorted = [...exports].sort((a, b) => a.startTime - b.startTime);
  for (let i = 1; i < sorted.length; i++) expect(sorted[i].startTime).toBe(sorted[i - 1].endTime + 1);
  for (const e of sorted) expect(e.endTime - e.startTime).toBeLessThanOrEqual(30 * DAY);
  const start = sorted[0].startTime, end = sorted[sorted.length - 1].endTime;
  const count = await (await request.get(`/__sandbox/clover/count?merchant=${MERCHANT}&type=ORDERS&start=${start}&end=${end}`)).json();
  expect(count.count).toBeGreaterThan(1000);

  // Every file is listed as a link with its expiry.
  const expectedFiles = sorted.reduce((n, e) => n + Math.ceil(e.objectCount / 1000), 0);
  await expect(card.getByRole('link', { name: /^File \d+ of \d+$/ })).toHaveCount(expectedFiles);
  await expect(card.getByText(/Available until .* \(in 2[34] h/).first()).toBeVisible();

  // Download all as CSV: as many data rows as the sandbox generated for the span.
  await card.getByLabel('Format').selectOption({ label: 'CSV' });
  const downloadPromise = page.waitForEvent('download');
  await card.getByRole('button', { name: 'Download all' }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toMatch(/^clover-orders_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}_UTC\.csv$/);
  const rows = csvRecords(readFileSync(await download.path(), 'utf8'));
  expect(rows[0]).toContain('id');
  expect(rows.length - 1).toBe(count.count);
  const ids = new Set(rows.slice(1).map((r) => r[0]));
  expect(ids.size).toBe(count.count);
  await expect(card.getByText(new RegExp(`Saved .*: ${count.count} rows`))).toBeVisible();
  expect(consoleRecord.errors).toEqual([]);
});

test('a reload in the middle resumes polling and creates no duplicate export', async ({ page, request }) => {
  test.setTimeout(120_000);
  await openApp(page);
  await requestExport(page, 45);
  const card = requestCard(page);
  await expect(card.getByText(/^Export 2 of 2: \d{4}-/)).toBeVisible();
  // Wait until the first export exists on the server and is running, then reload.
  await expect.poll(async () => (await sandboxExports(request)).created, { timeout: 20_000 }).toBe(1);
  await expect(card.getByText(/Running \d+%|Waiting in Clover's queue/).first()).toBeVisible();
  await page.reload();
  // The token was not remembered: the app asks for it again instead of failing.
  const prompt = page.getByRole('alert');
  await expect(prompt).toBeVisible();
  await prompt.getByLabel('API token', { exact: true }).fill('sandbox-token-1');
  await prompt.getByRole('button', { name: 'Continue with this token' }).click();
  await expect(requestCard(page).getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 90_000 });
  const { created } = await sandboxExports(request);
  expect(created).toBe(2);
});

test('503 busy and 429 are waited out and the request completes', async ({ page, request }) => {
  test.setTimeout(90_000);
  await request.post('/__sandbox/faults', { data: [
    { route: 'create', kind: '503-busy', count: 1 },
    { route: 'poll', kind: '429', count: 2, retry_after_s: 1 },
  ] });
  await openApp(page);
  await requestExport(page, 10);
  const card = requestCard(page);
  await expect(card.getByText(/busy|Retrying|Rate limited|rate limit/i).first()).toBeVisible({ timeout: 15_000 });
  await expect(card.getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 60_000 });
  const stats = await (await request.get('/__sandbox/faults')).json();
  expect(JSON.stringify(stats)).not.toContain('503-busy'); // the fault was consumed, so it was hit
  expect((await sandboxExports(request)).created).toBe(1);
});

test('503 outside service hours waits for the window to open, says when, then completes', async ({ page, request }) => {
  test.setTimeout(90_000);
  // Put both clocks 8 s before the US window opens (10:00 UTC).
  const today = new Date(); today.setUTCHours(9, 59, 52, 0);
  const t = today.getTime();
  await page.clock.install({ time: t });
  await request.post('/__sandbox/clock', { data: { now: t } });
  await openApp(page);
  await page.getByLabel('Region').selectOption({ label: 'North America' });
  await requestExport(page, 3, 'Payments', 'North America');
  const card = requestCard(page);
  await expect(card.getByText(/service hours/i).first()).toBeVisible({ timeout: 15_000 });
  await expect(card.getByText(/10:00 UTC/).first()).toBeVisible();
  await expect(card.getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 60_000 });
  expect((await sandboxExports(request)).created).toBe(1);
});

test('a FAILED export shows its reason and its retry succeeds', async ({ page, request }) => {
  test.setTimeout(90_000);
  await request.post('/__sandbox/faults', { data: { route: 'create', kind: 'export-failed', count: 1 } });
  await openApp(page);
  await requestExport(page, 5);
  const card = requestCard(page);
  await expect(card.getByText('Failed: FAILED').first()).toBeVisible({ timeout: 30_000 });
  await card.getByRole('button', { name: 'Request this range again' }).click();
  await expect(card.getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 60_000 });
  await expect(card.getByRole('link', { name: /^File 1 of/ })).toBeVisible();
  expect((await sandboxExports(request)).created).toBe(2);
});

test('a 401 stops the queue and asks for the token; a valid one continues', async ({ page, request }) => {
  test.setTimeout(90_000);
  await request.post('/__sandbox/faults', { data: { route: 'create', kind: '401', count: 1 } });
  await openApp(page);
  await requestExport(page, 5);
  const prompt = page.getByRole('alert');
  await expect(prompt).toContainText('did not accept the API token');
  await expect(requestCard(page).getByText(/Stopped: the token was refused \(401\)/)).toBeVisible();
  await prompt.getByLabel('API token', { exact: true }).fill('sandbox-token-1');
  await prompt.getByRole('button', { name: 'Continue with this token' }).click();
  await expect(requestCard(page).getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 60_000 });
  expect((await sandboxExports(request)).created).toBe(1);
});

test('the form validates inline and never stores the token unless asked', async ({ page }) => {
  await openApp(page);
  await page.getByLabel('Merchant ID').fill('');
  await page.getByLabel('API token', { exact: true }).fill('');
  await page.getByRole('button', { name: 'Request export' }).click();
  await expect(page.getByText('Enter the merchant ID')).toBeVisible();
  await expect(page.getByText('Enter the API token.')).toBeVisible();
  await expect(page.getByRole('article')).toHaveCount(0);
  await page.getByLabel('Merchant ID').fill(MERCHANT);
  await page.getByLabel('API token', { exact: true }).fill('secret-token-xyz');
  await page.getByRole('button', { name: 'Show API token' }).click();
  await expect(page.getByLabel('API token', { exact: true })).toHaveAttribute('type', 'text');
  await page.getByRole('button', { name: 'Request export' }).click();
  await expect(page.getByRole('article')).toHaveCount(1);
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + location.href);
  expect(stored).not.toContain('secret-token-xyz');
});
