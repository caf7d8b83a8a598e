// Issue 16: the view in the URL (full page only), range shortcuts, and comparisons
// (previous period, same period last year, weekdays matched, none).
import type { APIRequestContext, Locator, Page } from '@playwright/test';
import { test, expect, openApp, type ConsoleRecord } from './fixtures';

const AUTH = 'Basic ' + Buffer.from('demo-merchant:demo-api-key').toString('base64');
const DAY = 86_400_000;

type Purchase = { price: number; shared_user_id: string; purchase_date: string };

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const addDays = (day: string, n: number) => iso(Date.parse(`${day}T00:00:00Z`) + n * DAY);
/** The same date a year earlier (29 February becomes the 28th). */
function yearEarlier(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const last = new Date(Date.UTC(y - 1, m, 0)).getUTCDate();
  return `${y - 1}-${String(m).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** The purchase history for `from..=to` (UTC days), straight from the sandbox API. */
async function rawPurchases(request: APIRequestContext, from: string, to: string): Promise<Purchase[]> {
  const res = await request.get(`/laterpay/eu/merchant/purchase-history?from_date=${from}&to_date=${to}`, {
    headers: { Authorization: AUTH },
  });
  expect(res.status()).toBe(200);
  return (await res.json()).data as Purchase[];
}

async function formatMoney(page: Page, cents: number): Promise<string> {
  return page.evaluate(
    (c) => new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR' }).format(c / 100),
    cents,
  );
}

function card(page: Page, title: string): Locator {
  return page
    .getByRole('list', { name: 'Summary' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name: title, exact: true }) });
}

/** The results heading once a load has finished: its dates. */
async function shownRange(page: Page): Promise<[string, string]> {
  const heading = page.getByRole('heading', { name: /^Purchases \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}$/ });
  await expect(heading).toBeVisible({ timeout: 30_000 });
  const m = (await heading.textContent())!.match(/(\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})/)!;
  return [m[1], m[2]];
}

const query = (page: Page) => new URL(page.url()).searchParams;

/** The dashboard's region (named by its heading). */
const results = (page: Page) => page.getByRole('region', { name: /^Purchases \d/ });

/** Presses `key` with the focus on the page itself, in no field or control. */
async function pressOnPage(page: Page, key: string) {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press(key);
}

/** A past range of whole UTC days, clear of 29 February, so last year has the same length. */
function pastRange(days: number): [string, string] {
  let to = iso(Date.now() - 20 * DAY);
  const touchesLeapDay = (t: string) => {
    for (let i = 0; i < days; i++) if (addDays(t, -i).endsWith('-02-29') || yearEarlier(addDays(t, -i)) !== addDays(yearEarlier(t), -i)) return true;
    return false;
  };
  while (touchesLeapDay(to)) to = addDays(to, -days);
  return [addDays(to, 1 - days), to];
}

function noCredentialsIn(url: string) {
  for (const secret of ['demo-api-key', 'demo-merchant', 'DEMOMERCHANT1', 'demo-token', 'Authorization', 'merchant']) {
    expect(url, `${secret} in the address bar`).not.toContain(secret);
  }
}

test('a link restores the view: section, dates, zone, period per bar, grouping and comparison, loaded without a click', async ({ page, request, consoleRecord }) => {
  const [from, to] = pastRange(21);
  const link = `/?section=history&from=${from}&to=${to}&tz=UTC&per=week&by=payment&compare=year`;
  await openApp(page, link);
  await expect(page.getByRole('tab', { name: 'Purchase history' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByLabel('Time range')).toHaveValue('custom');
  await expect(page.getByLabel('From (first day)')).toHaveValue(from);
  await expect(page.getByLabel('To (last day, included)')).toHaveValue(to);
  await expect(page.getByLabel('Time zone')).toHaveValue('UTC');
  await expect(page.getByLabel('Compare with')).toHaveValue('year');

  // The dashboard loads by itself (the sandbox's demo credentials fill the form).
  expect(await shownRange(page)).toEqual([from, to]);
  await expect(page.getByLabel('Period per bar')).toHaveValue('week');
  const stacking = page.getByRole('group', { name: 'Stack bars by' });
  await expect(stacking.getByRole('button', { name: 'Payment model' })).toHaveAttribute('aria-pressed', 'true');
  await expect(stacking.getByRole('button', { name: 'Sales model' })).toHaveAttribute('aria-pressed', 'false');
  const [cFrom, cTo] = [yearEarlier(from), yearEarlier(to)];
  await expect(results(page)).toContainText(`compared with the same period last year (${cFrom} to ${cTo})`);
  await expect(card(page, 'Revenue')).toContainText(/(Up|Down) \d+\.\d% from the same period last year|Unchanged from the same period last year/);
  const chart = page.getByRole('figure', { name: 'Revenue over time' });
  await expect(chart.getByRole('button', { name: 'Same period last year (dashed)' })).toHaveAttribute('aria-pressed', 'true');

  // The address bar keeps the view (written in a fixed order) and nothing secret.
  const q = query(page);
  expect([...q.keys()]).toEqual(['section', 'from', 'to', 'tz', 'per', 'by', 'compare']);
  expect(q.get('compare')).toBe('year');
  noCredentialsIn(page.url());

  // Only the span and last year's dates were fetched: two separate pieces.
  const stats = await (await request.get('/__sandbox/stats')).json();
  const sameMonth = from.slice(0, 7) === to.slice(0, 7);
  expect(stats.by_route.purchases.total).toBe(sameMonth ? 2 : 4);
  expect(consoleRecord.errors).toEqual([]);
});

test('year over year: cards, tooltips and the data table equal sums of the raw API data', async ({ page, request, consoleRecord }) => {
  const [from, to] = pastRange(14);
  await openApp(page, `/?section=history&from=${from}&to=${to}&tz=UTC&per=day&compare=year`);
  await shownRange(page);
  const [cFrom, cTo] = [yearEarlier(from), yearEarlier(to)];
  const current = await rawPurchases(request, from, to);
  const lastYear = await rawPurchases(request, cFrom, cTo);
  expect(lastYear.length).toBeGreaterThan(100);
  const sum = (list: Purchase[]) => list.reduce((s, p) => s + p.price, 0);
  const buyers = (list: Purchase[]) => new Set(list.map((p) => p.shared_user_id).filter((id) => id !== '')).size;

  const revenue = card(page, 'Revenue');
  await expect(revenue.locator('.mc-stat-value')).toHaveAttribute('data-value', String(sum(current)));
  await expect(revenue.locator('.mc-stat-prev')).toHaveAttribute('data-compare-value', String(sum(lastYear)));
  await expect(revenue.locator('.mc-stat-prev')).toHaveText(`Same period last year: ${await formatMoney(page, sum(lastYear))}`);
  const change = ((sum(current) - sum(lastYear)) / sum(lastYear)) * 100;
  if (Math.abs(change) >= 0.05) {
    await expect(revenue).toContainText(`${change > 0 ? 'Up' : 'Down'} ${Math.abs(change).toFixed(1)}% from the same period last year`);
  }
  await expect(card(page, 'Purchases').locator('.mc-stat-prev')).toHaveAttribute('data-compare-value', String(lastYear.length));
  await expect(card(page, 'Unique buyers').locator('.mc-stat-prev')).toHaveAttribute('data-compare-value', String(buyers(lastYear)));

  // Day i of the dashed line is day i of last year's span, in the tooltip and the table.
  const dayOf = (p: Purchase) => new Date(p.purchase_date).toISOString().slice(0, 10);
  const lastYearOn = (day: string) => sum(lastYear.filter((p) => dayOf(p) === day));
  const chart = page.getByRole('figure', { name: 'Revenue over time' });
  const bar = chart.locator('[data-index="3"]');
  await bar.focus();
  await expect(page.getByRole('tooltip')).toContainText(`Same period last year: ${await formatMoney(page, lastYearOn(addDays(cFrom, 3)))}`);
  await chart.getByRole('button', { name: 'Show as table' }).click();
  const table = chart.getByRole('table');
  await expect(table.getByRole('columnheader', { name: 'Same period last year' })).toBeVisible();
  await expect(table.getByRole('row').nth(4)).toContainText(await formatMoney(page, lastYearOn(addDays(cFrom, 3))));
  expect(consoleRecord.errors).toEqual([]);
});

test('comparison choices: weekdays matched is 52 weeks back, none fetches nothing extra, and the choice is remembered', async ({ page, request, consoleRecord }) => {
  const [from, to] = pastRange(7);
  await openApp(page, `/?section=history&from=${from}&to=${to}&tz=UTC&compare=year-weekdays`);
  await shownRange(page);
  const [wFrom, wTo] = [addDays(from, -364), addDays(to, -364)];
  await expect(results(page)).toContainText(`compared with the same weekdays last year (${wFrom} to ${wTo})`);
  expect(new Date(`${wFrom}T00:00:00Z`).getUTCDay()).toBe(new Date(`${from}T00:00:00Z`).getUTCDay());
  const weekdays = await rawPurchases(request, wFrom, wTo);
  await expect(card(page, 'Revenue').locator('.mc-stat-prev')).toHaveAttribute('data-compare-value', String(weekdays.reduce((s, p) => s + p.price, 0)));

  // No comparison: no change lines, no dashed series, and only the span is fetched.
  await request.post('/__sandbox/reset');
  await page.getByLabel('Compare with').selectOption({ label: 'No comparison' });
  await expect(page.getByText(/requests?, month by month\./)).toContainText(', no comparison:');
  await page.getByRole('button', { name: 'Fetch purchases' }).click();
  await expect(results(page)).toContainText('; no comparison.', { timeout: 30_000 });
  await expect(card(page, 'Revenue').locator('.mc-stat-prev')).toHaveCount(0);
  await expect(card(page, 'Revenue')).not.toContainText('from the');
  await expect(page.getByRole('button', { name: /\(dashed\)$/ })).toHaveCount(0);
  const stats = await (await request.get('/__sandbox/stats')).json();
  expect(stats.by_route.purchases.total).toBe(from.slice(0, 7) === to.slice(0, 7) ? 1 : 2);
  expect(query(page).get('compare')).toBe('none');

  // Remembered: a plain reload of the app (no view in the address) keeps "No comparison".
  await openApp(page, '/');
  await page.getByRole('tab', { name: 'Purchase history' }).click();
  await expect(page.getByLabel('Compare with')).toHaveValue('none');
  expect(consoleRecord.errors).toEqual([]);
});

test('Back and Forward move between views and reload what each one shows', async ({ page, consoleRecord }) => {
  const [from, to] = pastRange(10);
  await openApp(page, `/?section=history&from=${from}&to=${to}&tz=UTC`);
  expect(await shownRange(page)).toEqual([from, to]);
  const entries = await page.evaluate(() => history.length);

  // A shortcut changes the range and, with a dashboard on screen, reloads it.
  await pressOnPage(page, 'w');
  await expect(page.getByLabel('Time range')).toHaveValue('last-7-days');
  const lastWeek = [iso(Date.now() - 6 * DAY), iso(Date.now())];
  await expect(page.getByRole('heading', { name: `Purchases ${lastWeek[0]} to ${lastWeek[1]}` })).toBeVisible({ timeout: 30_000 });
  expect(query(page).get('range')).toBe('last-7-days');
  expect(query(page).get('from')).toBeNull();
  // A chart choice is a view of its own.
  await page.getByLabel('Period per bar').selectOption('week');
  await expect.poll(() => query(page).get('per')).toBe('week');
  expect(await page.evaluate(() => history.length)).toBe(entries + 2);

  await page.goBack();
  await expect.poll(() => query(page).get('per')).toBeNull();
  await expect(page.getByLabel('Period per bar')).toHaveValue('day');
  await page.goBack();
  await expect(page.getByLabel('Time range')).toHaveValue('custom');
  await expect(page.getByRole('heading', { name: `Purchases ${from} to ${to}` })).toBeVisible({ timeout: 30_000 });
  await page.goForward();
  await expect(page.getByLabel('Time range')).toHaveValue('last-7-days');
  await expect(page.getByRole('heading', { name: `Purchases ${lastWeek[0]} to ${lastWeek[1]}` })).toBeVisible({ timeout: 30_000 });
  // Going back and forth added no entries.
  expect(await page.evaluate(() => history.length)).toBe(entries + 2);

  // The section is part of the view too.
  await page.getByRole('tab', { name: 'Exports' }).click();
  expect(query(page).get('section')).toBe('exports');
  await page.goBack();
  await expect(page.getByRole('tab', { name: 'Purchase history' })).toHaveAttribute('aria-selected', 'true');
  noCredentialsIn(page.url());
  expect(consoleRecord.errors).toEqual([]);
});

/** Today's date in UTC as the app computes it. */
const today = () => iso(Date.now());

test('range shortcuts work with the keyboard alone on both forms, never while typing', async ({ page, consoleRecord }) => {
  await openApp(page);
  await expect(page.getByLabel('Merchant ID')).toHaveValue('DEMOMERCHANT1');
  await page.getByLabel('Time zone').selectOption('UTC');
  const range = page.getByLabel('Time range');
  const plan = page.getByText(/: \d+ exports?/);
  // Focus on the page, not in a field.
  await page.getByRole('tab', { name: 'Exports' }).focus();
  for (const [key, preset] of [['d', 'today'], ['e', 'yesterday'], ['w', 'last-7-days'], ['t', 'last-30-days'], ['m', 'this-month'], ['p', 'last-month'], ['y', 'this-year'], ['l', 'last-12-months']]) {
    await page.keyboard.press(key);
    await expect(range, key).toHaveValue(preset);
  }
  // The change is announced.
  await expect(page.getByRole('status').filter({ hasText: 'Time range: Last 12 months' })).toBeAttached();

  // ← and →: the period of the same length before and after; never past today.
  await page.keyboard.press('y');
  // Off the tab list, whose arrow keys switch tabs.
  await pressOnPage(page, 'ArrowLeft');
  const year = Number(today().slice(0, 4));
  await expect(range).toHaveValue('custom');
  await expect(page.getByLabel('From (first day)')).toHaveValue(`${year - 1}-01-01`);
  await expect(page.getByLabel('To (last day, included)')).toHaveValue(`${year - 1}-12-31`);
  await pressOnPage(page, 'ArrowRight');
  await expect(range).toHaveValue('this-year');
  await pressOnPage(page, 'ArrowRight');
  await expect(range).toHaveValue('this-year');
  await expect(page.getByRole('status').filter({ hasText: 'No later period' })).toBeAttached();
  await pressOnPage(page, 'd');
  await pressOnPage(page, 'ArrowLeft');
  await expect(range).toHaveValue('yesterday');
  await expect(plan).toContainText(`${iso(Date.now() - DAY)} to ${iso(Date.now() - DAY)} (1 day`);

  // Never while typing, never with a modifier.
  const merchant = page.getByLabel('Merchant ID');
  await merchant.fill('');
  await merchant.pressSequentially('wdmy');
  await expect(merchant).toHaveValue('wdmy');
  await expect(range).toHaveValue('yesterday');
  await pressOnPage(page, 'Control+d');
  await pressOnPage(page, 'Shift+W');
  await pressOnPage(page, 'Alt+y');
  await pressOnPage(page, 'Meta+m');
  await expect(range).toHaveValue('yesterday');
  // The tab list keeps its arrow keys.
  await page.getByRole('tab', { name: 'Exports' }).focus();
  const before = await range.inputValue();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Purchase history' })).toBeFocused();

  // The other form: the purchase history's range.
  const historyRange = page.getByLabel('Time range');
  await page.keyboard.press('m');
  await expect(historyRange).toHaveValue('this-month');
  await page.getByRole('tab', { name: 'Exports' }).click();
  await expect(page.getByLabel('Time range')).toHaveValue(before);

  // `?` lists the shortcuts in a modal dialog, Escape closes it and the focus comes back.
  const opener = page.getByRole('tab', { name: 'Exports' });
  await opener.focus();
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();
  expect(await dialog.locator('kbd').allTextContents()).toEqual(['D', 'E', 'W', 'T', 'M', 'P', 'Y', 'L', '←', '→', '?']);
  await expect(dialog).toContainText('Last 12 months');
  // Keys inside the dialog change nothing behind it.
  await page.keyboard.press('w');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
  await expect(page.getByLabel('Time range')).toHaveValue(before);
  // The header's button opens it too, and its Close button closes it.
  await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).press('Enter');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('button', { name: 'Keyboard shortcuts' })).toBeFocused();
  expect(consoleRecord.errors).toEqual([]);
});

test('widgets never touch the host page address bar or history, and take keys only while focused', async ({ page, consoleRecord }) => {
  await page.goto('/examples/neutral.html?host=1');
  const sidebar = page.locator('[data-instance="sidebar"]');
  const main = page.locator('[data-instance="main"]');
  await expect(sidebar.getByRole('button', { name: 'Fetch purchases' })).toBeVisible();
  await expect(main.getByRole('button', { name: 'Request export' })).toBeVisible();
  const url = page.url();
  const entries = await page.evaluate(() => history.length);

  // Keys on the host page go to no widget.
  const mainRange = main.getByLabel('Time range');
  const before = await mainRange.inputValue();
  await pressOnPage(page, 'y');
  await expect(mainRange).toHaveValue(before);
  // Focus inside a widget: its own form follows the keys.
  await main.getByRole('button', { name: 'Request export' }).focus();
  await page.keyboard.press('y');
  await expect(mainRange).toHaveValue('this-year');
  await sidebar.getByRole('button', { name: 'Fetch purchases' }).click();
  await expect(sidebar.getByRole('list', { name: 'Summary' })).toBeVisible({ timeout: 30_000 });
  await sidebar.getByLabel('Period per bar').selectOption('month');
  await sidebar.getByRole('button', { name: 'Fetch purchases' }).focus();
  await page.keyboard.press('e');
  await expect(sidebar.getByLabel('Time range')).toHaveValue('yesterday');
  // The dashboard on screen reloads for the new range: one day (in the widget's zone).
  await expect(sidebar.getByRole('heading', { name: /^Purchases / })).toHaveText(/^Purchases (\d{4}-\d{2}-\d{2}) to \1$/, { timeout: 30_000 });
  // `?` opens the widget's own dialog.
  await sidebar.getByRole('button', { name: 'Show as table' }).first().focus();
  await page.keyboard.press('?');
  await expect(sidebar.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await page.keyboard.press('Escape');

  expect(page.url()).toBe(url);
  expect(await page.evaluate(() => history.length)).toBe(entries);
  expect(consoleRecord.errors).toEqual([]);
});

test('hostile or unknown view values are ignored and the page still works', async ({ page, consoleRecord }: { page: Page; consoleRecord: ConsoleRecord }) => {
  await openApp(page, '/?section=%3Cscript%3E&range=forever&from=0001-01-01&to=9999-12-31&tz=..%2F..%2Fetc&per=hour&by=colour&compare=tomorrow&merchant=EVIL&key=stolen&utm_source=mail');
  await expect(page.getByRole('tab', { name: 'Exports' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByLabel('Time range')).toHaveValue('last-30-days');
  await expect(page.getByLabel('Merchant ID')).not.toHaveValue('EVIL');
  // The app's own keys are rewritten; everything else in the query is kept as it was.
  const q = query(page);
  expect(q.get('utm_source')).toBe('mail');
  expect(q.get('merchant')).toBe('EVIL');
  expect(q.get('section')).toBe('exports');
  expect(q.get('range')).toBe('last-30-days');
  expect(q.get('from')).toBeNull();
  expect(q.get('per')).toBeNull();
  expect(consoleRecord.errors).toEqual([]);
});
