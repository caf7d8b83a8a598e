// Export files (issues 17 and 12): a file host without CORS and the drop-to-merge way out,
// the files proxy, and honest partial downloads.
import { test, expect, openApp } from './fixtures';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIRequestContext, Locator, Page } from '@playwright/test';
import { DAY, MERCHANT, csvRecords, requestCard, requestExport, sandboxExports } from './clover';

/** Points the sandbox's file URLs at its second origin (no CORS); optionally names the proxy in config.json. */
async function filesOnSecondOrigin(request: APIRequestContext, proxyInConfig = false): Promise<string> {
  const res = await request.post('/__sandbox/files', { data: { host: 'files-port', proxy_in_config: proxyInConfig } });
  expect(res.ok(), await res.text()).toBeTruthy();
  const origin = (await res.json()).files_origin as string;
  expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  return origin;
}

/** Orders the sandbox holds for the whole span of the exports it created. */
async function sandboxOrderCount(request: APIRequestContext): Promise<number> {
  const { exports } = await sandboxExports(request);
  const start = Math.min(...exports.map((e) => e.startTime));
  const end = Math.max(...exports.map((e) => e.endTime));
  const res = await request.get(`/__sandbox/clover/count?merchant=${MERCHANT}&type=ORDERS&start=${start}&end=${end}`);
  return (await res.json()).count;
}

async function waitDone(card: Locator) {
  await expect(card.getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 60_000 });
}

/** Saves each file link the way "Save link as…" does (no CORS involved): named after the URL's last segment. */
async function saveLinks(request: APIRequestContext, card: Locator, dir: string): Promise<string[]> {
  const links = card.getByRole('link', { name: /^File \d+ of \d+$/ });
  const hrefs = await links.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
  expect(hrefs.length).toBeGreaterThan(0);
  const paths: string[] = [];
  for (const href of hrefs) {
    const res = await request.get(href);
    expect(res.status()).toBe(200);
    const path = join(dir, `${new URL(href).pathname.split('/').pop()}.json`);
    writeFileSync(path, await res.body());
    paths.push(path);
  }
  return paths;
}

/** Drops files on an element as a person dragging them from the file manager does. */
async function dropFiles(page: Page, target: Locator, paths: string[]) {
  const files = paths.map((p) => ({ name: p.split('/').pop()!, text: readFileSync(p, 'utf8') }));
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([f.text], f.name, { type: 'application/json' }));
    return dt;
  }, files);
  await target.dispatchEvent('dragover', { dataTransfer });
  await target.dispatchEvent('drop', { dataTransfer });
}

test('against a file host without CORS and no proxy, the card says so and merging the saved files gives exactly the sandbox\'s rows', async ({ page, request, consoleRecord }) => {
  test.setTimeout(120_000);
  const filesOrigin = await filesOnSecondOrigin(request);
  await openApp(page);
  await requestExport(page, 35);
  const card = requestCard(page);
  await waitDone(card);
  // The links point at the other origin, as Clover's do.
  const first = await card.getByRole('link', { name: /^File 1 of \d+$/ }).first().getAttribute('href');
  expect(first!.startsWith(`${filesOrigin}/clover/files/`)).toBe(true);

  await card.getByRole('button', { name: 'Download all' }).click();
  const status = card.getByRole('status').filter({ hasText: 'could not be fetched' });
  await expect(status).toContainText('the file host did not answer this page');
  await expect(status).toContainText('Save the files through their links');
  // The way out opens by itself.
  const input = card.getByLabel('Choose saved files');
  await expect(input).toBeVisible();

  const dir = mkdtempSync(join(tmpdir(), 'mc-saved-'));
  const saved = await saveLinks(request, card, dir);
  expect(saved.length).toBeGreaterThan(2);
  // One file renamed by the person: it is placed by its content instead of its name.
  const renamed = join(dir, 'my orders, part 2.json');
  writeFileSync(renamed, readFileSync(saved[1]));
  const picked = [saved[0], renamed];
  const dropped = saved.slice(2);

  const sent: string[] = [];
  page.on('request', (r) => sent.push(r.url()));
  await input.setInputFiles(picked);
  await expect(card.getByRole('list', { name: 'Files added' }).getByRole('listitem')).toHaveCount(2);
  await expect(card.getByText('Still missing (the merged file will be partial):')).toBeVisible();
  await dropFiles(page, card.getByRole('group', { name: 'Drop zone for saved files' }), dropped);
  const added = card.getByRole('list', { name: 'Files added' }).getByRole('listitem');
  await expect(added).toHaveCount(saved.length);
  await expect(added.filter({ hasText: 'Left out' })).toHaveCount(0);
  await expect(added.filter({ hasText: 'my orders, part 2.json' })).toContainText(/Export 1 of 2: \d+ orders/);
  await expect(card.getByText('Still missing (the merged file will be partial):')).toHaveCount(0);

  const downloadPromise = page.waitForEvent('download');
  await card.getByRole('button', { name: `Save the merged file (${saved.length} files)` }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toMatch(/^clover-orders_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}_UTC\.csv$/);
  const rows = csvRecords(readFileSync(await download.path(), 'utf8'));
  const count = await sandboxOrderCount(request);
  expect(count).toBeGreaterThan(1000);
  expect(rows.length - 1).toBe(count);
  expect(new Set(rows.slice(1).map((r) => r[0])).size).toBe(count);
  await expect(card.getByText(new RegExp(`Saved .*: ${count} rows from ${saved.length} files`))).toBeVisible();
  // Nothing left the browser while merging.
  expect(sent.filter((u) => !u.startsWith('blob:'))).toEqual([]);
  // The failed fetch is the only console noise (Chromium reports the CORS refusal).
  expect(consoleRecord.errors.filter((e) => !/CORS|Failed to load resource|net::ERR_FAILED/.test(e))).toEqual([]);
});

test('a dropped file from another export is named and left out', async ({ page, request }) => {
  test.setTimeout(120_000);
  await filesOnSecondOrigin(request);
  // Another export of this merchant, made earlier for other days (e.g. with another tool).
  const now = Date.now();
  const created = await request.post(`/clover/sandbox/v3/merchants/${MERCHANT}/exports`, {
    headers: { Authorization: 'Bearer sandbox-token-1' },
    data: { type: 'ORDERS', startTime: now - 60 * DAY, endTime: now - 58 * DAY },
  });
  expect(created.ok()).toBeTruthy();
  const otherId = (await created.json()).id;
  let otherUrl = '';
  await expect.poll(async () => {
    const e = await (await request.get(`/clover/sandbox/v3/merchants/${MERCHANT}/exports/${otherId}`, { headers: { Authorization: 'Bearer sandbox-token-1' } })).json();
    otherUrl = e.exportUrls?.elements?.[0]?.url ?? '';
    return e.status;
  }, { timeout: 20_000 }).toBe('DONE');

  await openApp(page);
  await requestExport(page, 4);
  const card = requestCard(page);
  await waitDone(card);
  await card.getByText('Merge files you saved yourself').click(); // the disclosure's summary
  const dir = mkdtempSync(join(tmpdir(), 'mc-saved-'));
  const own = await saveLinks(request, card, dir);
  const foreignName = `${otherUrl.split('/').pop()}.json`;
  const foreign = join(dir, foreignName);
  writeFileSync(foreign, await (await request.get(otherUrl)).body());
  await card.getByLabel('Choose saved files').setInputFiles([foreign, ...own]);
  const added = card.getByRole('list', { name: 'Files added' }).getByRole('listitem');
  await expect(added).toHaveCount(own.length + 1);
  const leftOut = added.filter({ hasText: foreignName });
  await expect(leftOut).toContainText('Left out: it is from another export');
  await expect(leftOut).toContainText('outside this request');
  await expect(added.filter({ hasText: 'Left out' })).toHaveCount(1);

  const downloadPromise = page.waitForEvent('download');
  await card.getByRole('button', { name: `Save the merged file (${own.length} files)` }).click();
  const rows = csvRecords(readFileSync(await (await downloadPromise).path(), 'utf8'));
  const { exports } = await sandboxExports(request);
  const mine = exports.filter((e) => e.id !== otherId);
  const count = (await (await request.get(`/__sandbox/clover/count?merchant=${MERCHANT}&type=ORDERS&start=${mine[0].startTime}&end=${mine[0].endTime}`)).json()).count;
  expect(rows.length - 1).toBe(count);
});

test('with the files proxy configured, Download all fetches every file through it and works as on the same origin', async ({ page, request, consoleRecord }) => {
  test.setTimeout(120_000);
  const filesOrigin = await filesOnSecondOrigin(request, true);
  const fileRequests: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/clover/files/') || r.url().includes('clover-files')) fileRequests.push(r.url());
  });
  await openApp(page);
  await requestExport(page, 35);
  const card = requestCard(page);
  await waitDone(card);
  const files = await card.getByRole('link', { name: /^File \d+ of \d+$/ }).count();
  const downloadPromise = page.waitForEvent('download');
  await card.getByRole('button', { name: 'Download all' }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).not.toContain('partial');
  const rows = csvRecords(readFileSync(await download.path(), 'utf8'));
  const count = await sandboxOrderCount(request);
  expect(rows.length - 1).toBe(count);
  // Every file came through the proxy, as one encoded parameter; none from the file host itself.
  expect(fileRequests).toHaveLength(files);
  for (const u of fileRequests) {
    const url = new URL(u);
    expect(url.pathname).toBe('/portal-api/clover-files');
    expect(url.searchParams.get('url')!.startsWith(`${filesOrigin}/clover/files/`)).toBe(true);
  }
  const stats = await (await request.get('/__sandbox/stats')).json();
  expect(stats.by_route['files-proxy'].by_status['200']).toBe(files);
  expect(consoleRecord.errors).toEqual([]);
});

test('a partial download says what it includes, is named partial and lists the missing range', async ({ page, request }) => {
  test.setTimeout(120_000);
  // The first export fails; the second finishes.
  await request.post('/__sandbox/faults', { data: { route: 'create', kind: 'export-failed', count: 1 } });
  await openApp(page);
  await requestExport(page, 35);
  const card = requestCard(page);
  await expect(card.getByText('Failed: FAILED').first()).toBeVisible({ timeout: 30_000 });
  const button = card.getByRole('button', { name: 'Download the 1 finished part of 2' });
  await expect(button).toBeVisible({ timeout: 60_000 });
  await expect(card.getByRole('button', { name: 'Download all' })).toHaveCount(0);
  const notice = card.getByRole('note').filter({ hasText: 'The file will leave out 1 of 2 parts:' });
  await expect(notice).toBeVisible();
  const { exports } = await sandboxExports(request);
  const sorted = [...exports].sort((a, b) => a.startTime - b.startTime);
  const failed = sorted.find((e) => e.status === 'FAILED')!;
  const done = sorted.find((e) => e.status === 'DONE')!;
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  await expect(notice.getByRole('listitem')).toHaveText([
    `${iso(failed.startTime)} – ${iso(failed.endTime)} UTC (export 1 of 2, failed)`,
  ]);
  await expect(button).toHaveAccessibleDescription(/leave out 1 of 2 parts/);

  const downloadPromise = page.waitForEvent('download');
  await button.click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toMatch(/^clover-orders_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}_UTC_partial\.csv$/);
  const rows = csvRecords(readFileSync(await download.path(), 'utf8'));
  const count = (await (await request.get(`/__sandbox/clover/count?merchant=${MERCHANT}&type=ORDERS&start=${done.startTime}&end=${done.endTime}`)).json()).count;
  expect(rows.length - 1).toBe(count);
  await expect(card.getByRole('status').filter({ hasText: 'It leaves out 1 of 2 parts' })).toContainText(`Saved ${download.suggestedFilename()}: ${count} rows`);
});

test('a file that is gone points to "Request this range again" on its export', async ({ page, request }) => {
  test.setTimeout(90_000);
  await openApp(page);
  await requestExport(page, 3);
  const card = requestCard(page);
  await waitDone(card);
  // Clover deleted the files (the sandbox's clock is a day ahead; this tab has not noticed).
  await request.post('/__sandbox/clock', { data: { advance_ms: 25 * 3_600_000 } });
  await card.getByRole('button', { name: 'Download all' }).click();
  const status = card.getByRole('status').filter({ hasText: 'is gone' });
  await expect(status).toContainText(/File 1 of \d+ of export 1 of 1 is gone \(HTTP 410\)/);
  await expect(status).toContainText('Use “Request this range again” on export 1 of 1 to get new files.');
  // The export now counts as expired, and its row offers exactly that: a new export.
  await expect(card.getByText('Link expired').first()).toBeVisible();
  await card.getByRole('button', { name: 'Request this range again' }).click();
  await expect.poll(async () => (await sandboxExports(request)).created, { timeout: 20_000 }).toBe(2);
});
