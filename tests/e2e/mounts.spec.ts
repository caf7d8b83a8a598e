// One app per mount (issue 13): every widget, portal and page keeps its own state,
// credentials and lifecycle.
import type { APIRequestContext, Locator, Page } from '@playwright/test';
import { test, expect, openApp } from './fixtures';
import { DAY, MERCHANT, isoDate, sandboxExports } from './clover';

const widget = (page: Page, instance: string) => page.locator(`[data-instance="${instance}"]`);

/** Revenue and count of a LaterPay merchant's purchases in `from..=to`, from the API. */
async function rawTotals(request: APIRequestContext, merchant: string, key: string, from: string, to: string) {
  const auth = 'Basic ' + Buffer.from(`${merchant}:${key}`).toString('base64');
  const res = await request.get(`/laterpay/eu/merchant/purchase-history?from_date=${from}&to_date=${to}`, {
    headers: { Authorization: auth },
  });
  expect(res.status()).toBe(200);
  const data = (await res.json()).data as { price: number }[];
  return { revenue: data.reduce((s, p) => s + p.price, 0), count: data.length };
}

async function fetchRange(w: Locator, from: string, to: string) {
  await w.getByLabel('Time range').selectOption({ label: 'Custom range' });
  await w.getByLabel('From (first day)').fill(from);
  await w.getByLabel('To (last day, included)').fill(to);
  await w.getByLabel('Time zone').selectOption('UTC');
  await w.getByRole('button', { name: 'Fetch purchases' }).click();
}

function revenueValue(w: Locator) {
  return w
    .getByRole('list', { name: 'Summary' })
    .getByRole('listitem')
    .filter({ has: w.page().getByRole('heading', { name: 'Revenue', exact: true }) })
    .locator('[data-value]');
}

test('two history widgets, two merchants and two ranges each keep their own figures', async ({ page, request, consoleRecord }) => {
  test.setTimeout(90_000);
  await page.goto('/examples/two-merchants.html');
  const first = widget(page, 'first');
  const second = widget(page, 'second');
  await expect(first.getByLabel('Merchant ID')).toHaveValue('demo-merchant');
  await expect(second.getByLabel('Merchant ID')).toHaveValue('demo-merchant-2');
  await second.getByLabel('API key', { exact: true }).fill('demo-api-key-2');

  await fetchRange(first, '2026-09-01', '2026-09-30');
  await expect(first.getByRole('heading', { name: 'Purchases 2026-09-01 to 2026-09-30' })).toBeVisible({ timeout: 30_000 });
  await fetchRange(second, '2026-10-01', '2026-10-31');
  await expect(second.getByRole('heading', { name: 'Purchases 2026-10-01 to 2026-10-31' })).toBeVisible({ timeout: 30_000 });

  // The first widget still shows its own merchant's September, not the second's October.
  await expect(first.getByRole('heading', { name: 'Purchases 2026-09-01 to 2026-09-30' })).toBeVisible();
  await expect(first.getByRole('heading', { name: /2026-10-01/ })).toHaveCount(0);
  const sept = await rawTotals(request, 'demo-merchant', 'demo-api-key', '2026-09-01', '2026-09-30');
  const oct = await rawTotals(request, 'demo-merchant-2', 'demo-api-key-2', '2026-10-01', '2026-10-31');
  expect(sept.revenue).not.toBe(oct.revenue);
  await expect(revenueValue(first)).toHaveAttribute('data-value', String(sept.revenue));
  await expect(revenueValue(second)).toHaveAttribute('data-value', String(oct.revenue));
  expect(consoleRecord.errors).toEqual([]);
});

test('unmounting while a create is under way: no panic, the other widget goes on, a remount creates no duplicate', async ({ page, request, consoleRecord }) => {
  test.setTimeout(120_000);
  // The create is held 4 s by the sandbox, then carried out.
  await request.post('/__sandbox/faults', { data: { route: 'create', kind: 'slow', delay_ms: 4000, count: 1 } });
  await page.goto('/examples/mount.html');
  const history = page.locator('#console-here');
  await expect(history.getByRole('button', { name: 'Fetch purchases' })).toBeVisible();
  // An exports widget mounted from JavaScript next to the history one.
  await page.evaluate(async () => {
    const { mount } = await import('/merchant-console.js');
    const host = document.createElement('div');
    host.id = 'exports-here';
    host.dataset.instance = 'exports';
    document.querySelector('main')!.append(host);
    (window as any).exportsWidget = mount(host, {
      sections: ['exports'], cloverRegion: 'sandbox', config: '/config.json', instance: 'exports',
    });
  });
  const exportsWidget = widget(page, 'exports');
  await expect(exportsWidget.getByLabel('Merchant ID')).toHaveValue(MERCHANT);
  await exportsWidget.getByLabel('Time range').selectOption({ label: 'Custom range' });
  await exportsWidget.getByLabel('From (first day)').fill(isoDate(Date.now() - 9 * DAY));
  await exportsWidget.getByLabel('To (last day, included)').fill(isoDate(Date.now()));
  await exportsWidget.getByLabel('Time zone').selectOption('UTC');
  await exportsWidget.getByRole('button', { name: 'Request export' }).click();
  await expect(exportsWidget.getByText('Creating export').first()).toBeVisible();
  // Gone while Clover is still working on the create.
  await page.evaluate(() => (window as any).exportsWidget.unmount());
  await expect(exportsWidget.getByRole('heading', { name: 'Exports' })).toHaveCount(0);

  // The other widget is alive and works.
  await history.getByRole('button', { name: 'Fetch purchases' }).click();
  await expect(history.getByRole('heading', { name: /^Purchases \d{4}-\d{2}-\d{2} to / })).toBeVisible({ timeout: 30_000 });

  // Mounted again: it goes on with the export the first mount asked for.
  await page.evaluate(async () => {
    const { mount } = await import('/merchant-console.js');
    (window as any).exportsWidget = mount(document.getElementById('exports-here')!, {
      sections: ['exports'], cloverRegion: 'sandbox', config: '/config.json', instance: 'exports',
    });
  });
  const card = exportsWidget.getByRole('article').first();
  // The token lived in the unmounted app's memory only: the new mount asks for it, and
  // sends nothing meanwhile.
  const prompt = card.getByRole('alert');
  await expect(prompt).toContainText('Waiting for credentials', { timeout: 20_000 });
  expect((await sandboxExports(request)).created).toBe(1);
  await prompt.getByLabel('API token', { exact: true }).fill('sandbox-token-1');
  await prompt.getByRole('button', { name: 'Continue with this token' }).click();
  await expect(card.getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 60_000 });
  // The export created before the unmount was followed to its end: no second one.
  expect((await sandboxExports(request)).created).toBe(1);
  expect(consoleRecord.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});

test('the portal, reloaded in the middle of an export, completes with no prompt and no extra export', async ({ page, request, consoleRecord }) => {
  test.setTimeout(120_000);
  await page.goto('/examples/portal.html');
  const portal = widget(page, 'portal');
  await portal.getByRole('tab', { name: 'Exports' }).click();
  await expect(portal.getByLabel('API token', { exact: true })).toHaveCount(0);
  // Proxy mode shows neither the "remember" box nor the token-memory text.
  await expect(portal.getByRole('checkbox', { name: 'Remember credentials on this device' })).toHaveCount(0);
  await expect(portal.getByText(/stays in this tab's memory/)).toHaveCount(0);
  await portal.getByLabel('Time range').selectOption({ label: 'Custom range' });
  await portal.getByLabel('From (first day)').fill(isoDate(Date.now() - 49 * DAY));
  await portal.getByLabel('To (last day, included)').fill(isoDate(Date.now()));
  await portal.getByLabel('Time zone').selectOption('UTC');
  await portal.getByRole('button', { name: 'Request export' }).click();
  await expect.poll(async () => (await sandboxExports(request)).created, { timeout: 20_000 }).toBe(1);
  await page.reload();
  await widget(page, 'portal').getByRole('tab', { name: 'Exports' }).click();
  const card = widget(page, 'portal').getByRole('article').first();
  await expect(card.getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 90_000 });
  await expect(widget(page, 'portal').getByRole('alert').filter({ hasText: /token/i })).toHaveCount(0);
  await expect(widget(page, 'portal').getByText(/Waiting for credentials|Stopped/)).toHaveCount(0);
  expect((await sandboxExports(request)).created).toBe(2);
  expect(consoleRecord.errors).toEqual([]);
});

test('nothing is written to storage while nothing changes', async ({ page }) => {
  test.setTimeout(90_000);
  await page.addInitScript(() => {
    const writes: string[] = [];
    (window as any).__writes = writes;
    const set = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key: string, value: string) {
      writes.push(key);
      return set.call(this, key, value);
    };
  });
  await openApp(page);
  await page.getByRole('tab', { name: 'Exports' }).click();
  await page.getByLabel('Region').selectOption({ label: 'Sandbox' });
  await expect(page.getByLabel('API token', { exact: true })).not.toHaveValue('');
  await page.getByLabel('Time range').selectOption({ label: 'Custom range' });
  await page.getByLabel('From (first day)').fill(isoDate(Date.now() - 4 * DAY));
  await page.getByLabel('To (last day, included)').fill(isoDate(Date.now()));
  await page.getByLabel('Time zone').selectOption('UTC');
  await page.getByRole('button', { name: 'Request export' }).click();
  const card = page.getByRole('article').first();
  await expect(card.getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 60_000 });
  const queueWrites = () => page.evaluate(() => ((window as any).__writes as string[]).filter((k) => k.endsWith('export-queue')).length);
  const before = await queueWrites();
  expect(before).toBeGreaterThan(0);
  // Several display ticks, and whatever timers the queue keeps: the queue is not rewritten.
  await page.waitForTimeout(5_000);
  expect(await queueWrites()).toBe(before);
  // Its countdowns still move on screen.
  await expect(card.getByText(/Available until .* \(in 2[34] h/).first()).toBeVisible();
});
