// The portal behind a real nginx configured from docs/deployment.md (issue 13 item 4, issue 17):
// the page, both APIs and "Download all" through the documented locations, and the files
// proxy's refusals.
import { test, expect } from './fixtures';
import { readFileSync } from 'node:fs';
import { MERCHANT, csvRecords, sandboxExports } from './clover';
import { startNginx, type Nginx } from './nginx';

// nginx serves a throwaway self-signed certificate.
test.use({ ignoreHTTPSErrors: true });

let nginx: Nginx;
let filesOrigin: string;
let BASE_URL: string; // the sandbox

test.beforeAll(async ({}, testInfo) => {
  BASE_URL = testInfo.project.use.baseURL!;
  filesOrigin = (await (await fetch(`${BASE_URL}/__sandbox/files`)).json()).files_origin;
  expect(filesOrigin, 'the sandbox runs with --files-port').toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  nginx = await startNginx({ sandbox: BASE_URL, filesOrigin });
});

test.afterAll(async () => {
  await nginx?.stop();
});

/** After the per-test reset: file URLs are https, on nginx's stand-in for Clover's file host. */
async function httpsFileUrls(request: import('@playwright/test').APIRequestContext) {
  const res = await request.post(`${BASE_URL}/__sandbox/files`, { data: { host: nginx.filesBase } });
  expect(res.ok(), await res.text()).toBeTruthy();
}

test('the portal behind nginx, reloaded in the middle of an export, completes with no prompt and no extra export', async ({ page, request, consoleRecord }) => {
  test.setTimeout(120_000);
  await page.goto(`${nginx.baseUrl}/examples/portal.html`);
  let portal = page.locator('[data-instance="portal"]');
  await portal.getByRole('tab', { name: 'Exports' }).click();
  await portal.getByLabel('Time range').selectOption({ label: 'Custom range' });
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  await portal.getByLabel('From (first day)').fill(day(Date.now() - 49 * 86_400_000));
  await portal.getByLabel('To (last day, included)').fill(day(Date.now()));
  await portal.getByLabel('Time zone').selectOption('UTC');
  await portal.getByRole('button', { name: 'Request export' }).click();
  await expect.poll(async () => (await sandboxExports(request)).created, { timeout: 20_000 }).toBe(1);
  await page.reload();
  portal = page.locator('[data-instance="portal"]');
  await portal.getByRole('tab', { name: 'Exports' }).click();
  const card = portal.getByRole('article').first();
  await expect(card.getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 90_000 });
  // Nothing was asked for: the proxy choice was saved with the request.
  await expect(portal.getByLabel('API token', { exact: true })).toHaveCount(0);
  await expect(portal.getByText(/Waiting for credentials|Stopped/)).toHaveCount(0);
  // 50 days are 2 exports, each created once.
  expect((await sandboxExports(request)).created).toBe(2);
  expect(consoleRecord.errors).toEqual([]);
});

test('the portal page runs through nginx as documented, and Download all fetches every file through its files proxy', async ({ page, request, consoleRecord }) => {
  test.setTimeout(90_000);
  await httpsFileUrls(request);
  const seen: { url: string; auth?: string }[] = [];
  page.on('request', (r) => seen.push({ url: r.url(), auth: r.headers()['authorization'] }));
  await page.goto(`${nginx.baseUrl}/examples/portal.html`);
  const portal = page.locator('[data-instance="portal"]');
  await expect(portal.getByRole('checkbox', { name: 'Credentials held by the proxy' })).toBeChecked();
  await portal.getByRole('button', { name: 'Request export' }).click();
  const card = portal.getByRole('article').first();
  await expect(card.getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 60_000 });
  const links = card.getByRole('link', { name: /^File \d+ of \d+$/ });
  const files = await links.count();
  expect(files).toBeGreaterThan(0);
  expect(await links.first().getAttribute('href')).toMatch(new RegExp(`^${nginx.filesBase}/clover/files/[0-9a-f]+$`));

  await card.getByLabel('Format').selectOption({ label: 'CSV' });
  const downloadPromise = page.waitForEvent('download');
  await card.getByRole('button', { name: 'Download all' }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toMatch(/^clover-orders_.*_UTC\.csv$/);
  const rows = csvRecords(readFileSync(await download.path(), 'utf8'));
  const { created, exports } = await sandboxExports(request);
  expect(created).toBe(exports.length);
  let count = 0;
  for (const e of exports) {
    count += (await (await request.get(`${BASE_URL}/__sandbox/clover/count?merchant=${MERCHANT}&type=ORDERS&start=${e.startTime}&end=${e.endTime}`)).json()).count;
  }
  expect(rows.length - 1).toBe(count);

  // The purchase history goes through the documented LaterPay location too.
  await portal.getByRole('tab', { name: 'Purchase history' }).click();
  await portal.getByRole('button', { name: 'Fetch purchases' }).click();
  await expect(portal.getByRole('list', { name: 'Summary' })).toBeVisible();

  // The page only ever talked to nginx, never with a credential; files only via the proxy.
  const elsewhere = seen.filter((r) => !r.url.startsWith(nginx.baseUrl) && !r.url.startsWith('blob:'));
  expect(elsewhere).toEqual([]);
  expect(seen.filter((r) => r.auth !== undefined)).toEqual([]);
  const viaProxy = seen.filter((r) => new URL(r.url).pathname === '/portal-api/clover-files');
  expect(viaProxy).toHaveLength(files);
  for (const r of viaProxy) expect(new URL(r.url).searchParams.get('url')!.startsWith(`${nginx.filesBase}/clover/files/`)).toBe(true);
  // And the sandbox served them on its file origin (behind nginx's TLS), not its own proxy.
  const stats = await (await request.get(`${BASE_URL}/__sandbox/stats`)).json();
  expect(stats.by_route.file.by_status['200']).toBe(files);
  expect(stats.by_route['files-proxy']).toBeUndefined();
  expect(consoleRecord.errors).toEqual([]);
});

test('nginx\'s files proxy refuses hosts that are not on the allow-list and anything but https', async ({ request }) => {
  await httpsFileUrls(request);
  // A finished export, to have one real file URL.
  const now = Date.now();
  const auth = { Authorization: 'Bearer sandbox-token-1' };
  const made = await request.post(`${BASE_URL}/clover/sandbox/v3/merchants/${MERCHANT}/exports`, {
    headers: auth, data: { type: 'ORDERS', startTime: now - 86_400_000, endTime: now },
  });
  expect(made.ok()).toBeTruthy();
  const id = (await made.json()).id;
  let url = '';
  await expect.poll(async () => {
    const e = await (await request.get(`${BASE_URL}/clover/sandbox/v3/merchants/${MERCHANT}/exports/${id}`, { headers: auth })).json();
    url = e.exportUrls?.elements?.[0]?.url ?? '';
    return e.status;
  }, { timeout: 20_000 }).toBe('DONE');
  expect(url.startsWith(`${nginx.filesBase}/clover/files/`)).toBe(true);
  const proxy = (target: string) => `${nginx.baseUrl}/portal-api/clover-files?url=${encodeURIComponent(target)}`;

  // The allowed URL goes through: the refusals below are refusals, not a broken route.
  const ok = await request.get(proxy(url));
  expect(ok.status()).toBe(200);
  expect(Array.isArray((await ok.json()).elements)).toBe(true);

  const path = new URL(url).pathname;
  const filesHost = new URL(nginx.filesBase).host;
  const refused = [
    `https://evil.example${path}`, // not on the allow-list
    `https://127.0.0.1:${new URL(BASE_URL).port}${path}`, // same IP, other port
    `https://${filesHost}.evil.example${path}`, // allowed host as a prefix
    `https://${filesHost}@evil.example${path}`, // userinfo trick
    `http://${filesHost}${path}`, // allowed host, but not https
    `${filesOrigin}${path}`, // the sandbox's own plain-http file origin
    `ftp://${filesHost}${path}`,
    `https://${filesHost}/clover/files/a b`, // a space
  ];
  for (const target of refused) {
    const res = await request.get(proxy(target));
    expect(res.status(), target).toBe(403);
  }
  // Only GET.
  expect((await request.post(proxy(url))).status()).toBe(403);
  // Nothing refused reached the sandbox's file route.
  const stats = await (await request.get(`${BASE_URL}/__sandbox/stats`)).json();
  expect(stats.by_route.file.total).toBe(1);
});
