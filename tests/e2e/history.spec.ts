// The "Purchase history" section against the sandbox's LaterPay simulator.
import { readFileSync } from 'node:fs';
import type { APIRequestContext, Page } from '@playwright/test';
import { test, expect, openApp, type ConsoleRecord } from './fixtures';

const AUTH = 'Basic ' + Buffer.from('demo-merchant:demo-api-key').toString('base64');

type Purchase = {
  payment_model: string;
  sales_model: string;
  price: number;
  title: string;
  article_id: string | number;
  shared_user_id: string;
  purchase_date: string;
};

/** The purchase history for `from..=to` (UTC days), straight from the sandbox API. */
async function rawPurchases(request: APIRequestContext, from: string, to: string): Promise<Purchase[]> {
  const res = await request.get(`/laterpay/eu/merchant/purchase-history?from_date=${from}&to_date=${to}`, {
    headers: { Authorization: AUTH },
  });
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.status).toBe('ok');
  return body.data as Purchase[];
}

/** Number of data records in CSV text (quotes may hold separators and newlines). */
function csvRecordCount(text: string): number {
  let records = 0;
  let inQuotes = false;
  let fieldStarted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') i++;
        else inQuotes = false;
      }
    } else if (c === '"') {
      inQuotes = true;
      fieldStarted = true;
    } else if (c === '\n') {
      records++;
      fieldStarted = false;
    } else if (c !== '\r') {
      fieldStarted = true;
    }
  }
  if (fieldStarted) records++; // last record without a final newline
  return records - 1; // minus the header
}

/** The browser's own currency formatting, the same `Intl` the app uses. */
async function formatMoney(page: Page, cents: number, currency = 'EUR'): Promise<string> {
  return page.evaluate(
    ([c, cur]) => new Intl.NumberFormat(undefined, { style: 'currency', currency: cur as string }).format((c as number) / 100),
    [cents, currency],
  );
}

async function openHistory(page: Page) {
  await openApp(page);
  await page.getByRole('tab', { name: 'Purchase history' }).click();
  await expect(page.getByRole('heading', { name: 'Purchase history', level: 2 })).toBeVisible();
  // The sandbox's config.json carries demo credentials: the form is prefilled with them.
  await expect(page.getByLabel('Merchant ID')).toHaveValue('demo-merchant');
  await expect(page.getByLabel('API key', { exact: true })).toHaveValue('demo-api-key');
}

/** Sandbox region, a preset range, UTC. */
async function chooseRange(page: Page, preset = 'Last 90 days (incl. today)') {
  await page.getByLabel('Region').selectOption({ label: 'Europe sandbox (EUR)' });
  await page.getByLabel('Time range').selectOption({ label: preset });
  await page.getByLabel('Time zone').selectOption('UTC');
}

/** The `from`/`to` dates the results are for, read from the results heading. */
async function shownRange(page: Page): Promise<[string, string]> {
  const heading = page.getByRole('heading', { name: /^Purchases \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}$/ });
  await expect(heading).toBeVisible({ timeout: 30_000 });
  const m = (await heading.textContent())!.match(/(\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})/)!;
  return [m[1], m[2]];
}

/** Console errors other than the browser's own line for an expected failed request. */
function unexpectedErrors(record: ConsoleRecord): string[] {
  return record.errors.filter((e) => !/Failed to load resource/.test(e));
}

function card(page: Page, title: string) {
  return page
    .getByRole('list', { name: 'Summary' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name: title, exact: true }) });
}

test('last 90 days: cards, daily bars, keyboard tooltip and CSV match the raw API data', async ({ page, request, consoleRecord }) => {
  await openHistory(page);
  await chooseRange(page);
  const plan = page.getByText(/requests?, month by month\./);
  await expect(plan).toContainText('(90 days, up to now, UTC, EUR)');
  const planned = Number((await plan.textContent())!.match(/: (\d+) requests?, month by month/)![1]);
  await page.getByRole('button', { name: 'Fetch purchases' }).click();

  const [from, to] = await shownRange(page);
  // The span and the previous 90 days were fetched month by month, each month once.
  const stats = await (await request.get('/__sandbox/stats')).json();
  expect(stats.by_route.purchases.total).toBe(planned);
  const purchases = await rawPurchases(request, from, to);
  expect(purchases.length).toBeGreaterThan(1000);

  // Summary cards equal what the raw response adds up to.
  const revenue = purchases.reduce((sum, p) => sum + p.price, 0);
  const buyers = new Set(purchases.map((p) => p.shared_user_id).filter((id) => id !== '')).size;
  const revenueCard = card(page, 'Revenue');
  await expect(revenueCard.locator('[data-value]')).toHaveAttribute('data-value', String(revenue));
  await expect(revenueCard).toContainText(await formatMoney(page, revenue));
  await expect(revenueCard).toContainText(/(Up|Down) \d+\.\d% from the previous period|Unchanged/);
  await expect(card(page, 'Purchases').locator('[data-value]')).toHaveAttribute('data-value', String(purchases.length));
  await expect(card(page, 'Unique buyers').locator('[data-value]')).toHaveAttribute('data-value', String(buyers));

  // 90 days are shown per week by default; per day there is one bar group per day.
  const chart = page.getByRole('figure', { name: 'Revenue over time' });
  await expect(page.getByLabel('Period per bar')).toHaveValue('week');
  await page.getByLabel('Period per bar').selectOption('day');
  await expect(page.getByLabel('Period per bar')).toHaveValue('day');
  const bars = chart.locator('[data-date]');
  await expect(bars).toHaveCount(90);
  await expect(bars.first()).toHaveAttribute('data-date', from);
  await expect(bars.last()).toHaveAttribute('data-date', to);
  await expect(bars.last()).toHaveAttribute('aria-label', /\(partial period\)$/);

  // Keyboard focus on a day's bar shows its exact revenue, computed here in UTC days.
  const dayRevenue = (day: string) =>
    purchases.filter((p) => new Date(p.purchase_date).toISOString().slice(0, 10) === day).reduce((s, p) => s + p.price, 0);
  const day = (await bars.nth(10).getAttribute('data-date'))!;
  const bar = chart.getByRole('img', { name: new RegExp(`^${day}: `) });
  await expect(bar).toHaveAttribute('aria-label', `${day}: ${await formatMoney(page, dayRevenue(day))} revenue, ` +
    `${purchases.filter((p) => new Date(p.purchase_date).toISOString().startsWith(day)).length.toLocaleString('en-US')} purchases`);
  await bar.focus();
  const tooltip = page.getByRole('tooltip');
  await expect(tooltip).toBeVisible();
  await expect(tooltip).toContainText(day);
  await expect(tooltip).toContainText(`Revenue: ${await formatMoney(page, dayRevenue(day))}`);
  // Arrow keys move to the next day, Escape hides the tooltip.
  await page.keyboard.press('ArrowRight');
  const next = (await bars.nth(11).getAttribute('data-date'))!;
  await expect(tooltip).toContainText(next);
  await expect(tooltip).toContainText(`Revenue: ${await formatMoney(page, dayRevenue(next))}`);
  await page.keyboard.press('Escape');
  await expect(page.getByRole('tooltip')).toHaveCount(0);

  // Legend entries are toggle buttons; the chart has a data-table twin.
  const legendItem = chart.getByRole('group', { name: 'Series shown in the revenue chart' }).getByRole('button').first();
  await expect(legendItem).toHaveAttribute('aria-pressed', 'true');
  await legendItem.click();
  await expect(chart.getByRole('group', { name: 'Series shown in the revenue chart' }).getByRole('button').first()).toHaveAttribute('aria-pressed', 'false');
  await expect(chart.getByRole('group', { name: 'Series shown in the revenue chart' }).getByRole('button').first()).toBeFocused();
  await chart.getByRole('button', { name: 'Show as table' }).click();
  const twin = chart.getByRole('table');
  await expect(twin.getByRole('row')).toHaveCount(91);
  await expect(twin.getByRole('row', { name: new RegExp(`^${day} `) })).toContainText(await formatMoney(page, dayRevenue(day)));

  // The table pages through every purchase, 50 at a time.
  const table = page.getByRole('region', { name: 'Purchases', exact: true });
  await expect(table.getByText(`Page 1 of ${Math.ceil(purchases.length / 50)}`)).toBeVisible();
  await expect(table.getByRole('table').getByRole('row')).toHaveCount(51);
  await table.getByRole('button', { name: /^Price/ }).click();
  await expect(table.getByRole('columnheader', { name: /^Price/ })).toHaveAttribute('aria-sort', 'ascending');

  // CSV of all rows: one record per purchase.
  const [download] = await Promise.all([page.waitForEvent('download'), table.getByRole('button', { name: 'Download CSV' }).click()]);
  expect(download.suggestedFilename()).toBe(`laterpay-purchases_${from}_${to}_UTC.csv`);
  const csv = readFileSync((await download.path())!, 'utf8');
  expect(csv.startsWith('purchase_date,payment_date,payment_model,sales_model,price,currency,')).toBeTruthy();
  expect(csvRecordCount(csv)).toBe(purchases.length);

  // Filtering narrows the rows, and the CSV holds exactly the filtered ones.
  const query = 'time pass';
  const matching = purchases.filter((p) =>
    [p.title, String(p.article_id), p.payment_model, p.sales_model, p.shared_user_id].some((f) => f.toLowerCase().includes(query)),
  ).length;
  expect(matching).toBeGreaterThan(0);
  await table.getByLabel('Filter purchases').fill(query);
  await expect(table.getByText(`of ${matching.toLocaleString('en-US')} purchases (filtered from ${purchases.length.toLocaleString('en-US')})`)).toBeVisible();
  await expect(table.getByLabel('Filter purchases')).toBeFocused();
  const [filtered] = await Promise.all([page.waitForEvent('download'), table.getByRole('button', { name: 'Download CSV' }).click()]);
  expect(csvRecordCount(readFileSync((await filtered.path())!, 'utf8'))).toBe(matching);

  expect(consoleRecord.errors).toEqual([]);
});

test('wrong API key: the 401 and the API message are shown', async ({ page, consoleRecord }) => {
  await openHistory(page);
  await chooseRange(page, 'Last 7 days (incl. today)');
  await page.getByLabel('API key', { exact: true }).fill('not-the-key');
  await page.getByRole('button', { name: 'Fetch purchases' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('The API key or merchant ID was refused (401)');
  await expect(alert).toContainText('Invalid merchant id or API key');
  await expect(alert.getByRole('button', { name: 'Retry failed part' })).toBeVisible();
  await expect(page.getByRole('heading', { name: /^Purchases \d/ })).toHaveCount(0);
  expect(unexpectedErrors(consoleRecord)).toEqual([]);
});

test('a 401 fault stops the fetch; retrying fetches only what is missing', async ({ page, request, consoleRecord }) => {
  await openHistory(page);
  await chooseRange(page);
  const res = await request.post('/__sandbox/faults', { data: { route: 'purchases', kind: '401', count: 1 } });
  expect(res.ok()).toBeTruthy();
  await page.getByRole('button', { name: 'Fetch purchases' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('(401)');
  await alert.getByRole('button', { name: 'Retry failed part' }).click();
  await shownRange(page);
  await expect(page.getByRole('alert')).toBeHidden();
  expect(unexpectedErrors(consoleRecord)).toEqual([]);
});

test('a 400 from the API shows its messages', async ({ page, consoleRecord }) => {
  await openHistory(page);
  await chooseRange(page, 'Last 7 days (incl. today)');
  // The app always sends both dates; drop to_date on the way so the API's own 400 answers.
  await page.route('**/merchant/purchase-history?*', (route) => {
    const url = new URL(route.request().url());
    url.searchParams.delete('to_date');
    return route.continue({ url: url.toString() });
  });
  await page.getByRole('button', { name: 'Fetch purchases' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('The API reported: to_date is required (format YYYY-MM-DD)');
  expect(unexpectedErrors(consoleRecord)).toEqual([]);
});

test('a malformed response shows an error, and retrying refetches only that part', async ({ page, request, consoleRecord }) => {
  await openHistory(page);
  await chooseRange(page);
  const planned = Number((await page.getByText(/requests?, month by month\./).textContent())!.match(/: (\d+) requests?/)![1]);
  expect(planned).toBeGreaterThan(2);
  await request.post('/__sandbox/faults', { data: { route: 'purchases', kind: 'malformed', count: 1 } });
  await page.getByRole('button', { name: 'Fetch purchases' }).click();

  const alert = page.getByRole('alert');
  const retry = alert.getByRole('button', { name: 'Retry failed part' });
  await expect(retry).toBeVisible(); // shown once the other parts are in
  await expect(alert).toContainText(`1 of ${planned} parts could not be loaded`);
  await expect(alert).toContainText('Unexpected response from the API');
  await expect(page.getByRole('heading', { name: 'Purchase history', level: 2 })).toBeVisible(); // not a blank page
  let stats = await (await request.get('/__sandbox/stats')).json();
  expect(stats.by_route.purchases.total).toBe(planned);

  await retry.click();
  const [from, to] = await shownRange(page);
  stats = await (await request.get('/__sandbox/stats')).json();
  expect(stats.by_route.purchases.total).toBe(planned + 1);
  const purchases = await rawPurchases(request, from, to);
  await expect(card(page, 'Purchases').locator('[data-value]')).toHaveAttribute('data-value', String(purchases.length));
  expect(consoleRecord.errors).toEqual([]);
});

test('no response at all points to CORS and the proxy option; proxy mode sends no Authorization', async ({ page, consoleRecord }) => {
  await openHistory(page);
  await page.getByLabel('Region').selectOption({ label: 'Custom base URL' });
  await page.getByLabel('Base URL').fill('http://127.0.0.1:59999/laterpay');
  await page.getByLabel('Time range').selectOption({ label: 'Yesterday' });
  await page.getByRole('button', { name: 'Fetch purchases' }).click();
  await expect(page.getByRole('alert')).toContainText('may not allow calls from this page (CORS)');

  // With the proxy box ticked the key is not asked for and no Authorization header goes out.
  await page.getByLabel('Region').selectOption({ label: 'Europe sandbox (EUR)' });
  await page.getByLabel('Credentials held by a proxy (send no Authorization header)').check();
  await expect(page.getByLabel('API key', { exact: true })).toBeHidden();
  const sent = page.waitForRequest('**/merchant/purchase-history?*');
  await page.getByRole('button', { name: 'Fetch purchases' }).click();
  const req = await sent;
  expect(req.headers()['authorization']).toBeUndefined();
  expect(new URL(req.url()).searchParams.get('from_date')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(new URL(req.url()).searchParams.get('to_date')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  await expect(page.getByRole('alert')).toContainText('(401)'); // the sandbox itself wants credentials
  expect(unexpectedErrors(consoleRecord).filter((e) => !/net::ERR_|blocked by CORS policy/.test(e))).toEqual([]);
});

test('loading shows progress with at most two requests at a time', async ({ page, request, consoleRecord }) => {
  await openHistory(page);
  await chooseRange(page);
  await request.post('/__sandbox/faults', { data: { route: 'purchases', kind: 'slow', delay_ms: 1500, count: 20 } });
  await page.getByRole('button', { name: 'Fetch purchases' }).click();
  const progress = page.getByRole('progressbar', { name: 'Purchases loaded' });
  await expect(progress).toBeVisible();
  await expect(progress).toHaveAttribute('aria-valuenow', '0');
  await expect(page.getByText(/^Loading purchases: 0 of \d+ parts done \(month by month, 2 running\)\.$/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Fetching…' })).toBeDisabled();
  await shownRange(page);
  await expect(progress).toBeHidden();
  expect(consoleRecord.errors).toEqual([]);
});

test('an empty range says so', async ({ page, consoleRecord }) => {
  await openHistory(page);
  await chooseRange(page, 'Yesterday');
  await page.route('**/merchant/purchase-history?*', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: '{"status":"ok","data":[],"errors":[]}' }),
  );
  await page.getByRole('button', { name: 'Fetch purchases' }).click();
  await shownRange(page);
  await expect(page.getByText('No purchases in this range.')).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Revenue over time' })).toBeHidden();
  expect(consoleRecord.errors).toEqual([]);
});

test('form fields survive a reload, the key stays out of storage, and the region sets the currency', async ({ page, consoleRecord }) => {
  await openHistory(page);
  await page.getByLabel('Region').selectOption({ label: 'United States sandbox (USD)' });
  await page.getByLabel('Time range').selectOption({ label: 'Last 7 days (incl. today)' });
  await expect(page.getByText(/requests?, month by month\./)).toContainText('(7 days, up to now, UTC, USD)');
  await page.getByLabel('Merchant ID').fill('');
  await page.getByRole('button', { name: 'Fetch purchases' }).click();
  await expect(page.getByText('Enter the merchant ID')).toBeVisible();
  await expect(page.getByLabel('Merchant ID')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Merchant ID').fill('demo-merchant');

  await page.reload();
  await page.getByRole('tab', { name: 'Purchase history' }).click();
  await expect(page.getByLabel('Region')).toHaveValue('us-sandbox');
  await expect(page.getByLabel('Time range')).toHaveValue('last-7-days');
  await expect(page.getByLabel('Merchant ID')).toHaveValue('demo-merchant');
  const stored = await page.evaluate(() => JSON.stringify(localStorage));
  expect(stored).toContain('history-form');
  expect(stored).not.toContain('demo-api-key');
  expect(consoleRecord.errors).toEqual([]);
});
