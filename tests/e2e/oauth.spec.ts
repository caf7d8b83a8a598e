// Sign in with Clover (OAuth v2 + PKCE against the sandbox), proxy mode, credential hygiene.
import { test, expect, openApp } from './fixtures';
import type { Page, APIRequestContext } from '@playwright/test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BASE_URL } from '../../playwright.config';

const DAY = 86_400_000;
const MERCHANT = 'DEMOMERCHANT1';
const DEMO_TOKEN = 'sandbox-token-1';

type OAuthStats = {
  token_ttl_s: number; issued: number; refreshed: number; expired_refusals: number;
  token_calls: number; handed_out: string[];
};

async function oauthStats(request: APIRequestContext): Promise<OAuthStats> {
  const res = await request.get('/__sandbox/oauth');
  expect(res.ok()).toBeTruthy();
  return res.json();
}

function isoDate(ms: number) {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Picks a custom UTC range of `days` days ending today and submits. */
async function submitRange(page: Page, days: number) {
  await page.getByLabel('Time range').selectOption({ label: 'Custom range' });
  const now = Date.now();
  await page.getByLabel('From (first day)').fill(isoDate(now - (days - 1) * DAY));
  await page.getByLabel('To (last day, included)').fill(isoDate(now));
  await page.getByLabel('Time zone').selectOption('UTC');
  await page.getByRole('button', { name: 'Request export' }).click();
}

/** From the app to Clover's (the sandbox's) authorize page and back, approved. */
async function signIn(page: Page) {
  await page.getByRole('tab', { name: 'Exports' }).click();
  await page.getByLabel('Region').selectOption({ label: 'Sandbox' });
  await page.getByRole('button', { name: 'Sign in with Clover' }).click();
  await expect(page).toHaveURL(/\/clover\/sandbox\/oauth\/v2\/authorize\?.*code_challenge_method=S256/);
  const url = new URL(page.url());
  expect(url.searchParams.get('response_type')).toBe('code');
  expect(url.searchParams.get('client_id')).toBe('sandbox-app');
  expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  await page.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByText(`Signed in with Clover as ${MERCHANT}.`)).toBeVisible();
  // The code and state are gone from the address bar.
  expect(page.url()).not.toContain('code=');
  expect(page.url()).not.toContain('state=');
}

/** Everything a later reader of this device or tab could find. */
async function traces(page: Page, consoleLines: string[]) {
  const storage = await page.evaluate(() => {
    const dump = (s: Storage) => Array.from({ length: s.length }, (_, i) => `${s.key(i)}=${s.getItem(s.key(i)!)}`).join('\n');
    return { local: dump(localStorage), session: dump(sessionStorage) };
  });
  return { ...storage, url: page.url(), console: consoleLines.join('\n') };
}

test('sign in with Clover: approve, export with the OAuth token refreshed mid-export, hygiene, sign out', async ({ page, request, consoleRecord }) => {
  test.setTimeout(120_000);
  // Short-lived tokens: the app must refresh them while the export runs.
  await request.post('/__sandbox/oauth', { data: { token_ttl_s: 4 } });
  await openApp(page);
  await signIn(page);
  await expect(page.getByLabel('Merchant ID')).toHaveValue(MERCHANT);
  await expect(page.getByLabel('API token', { exact: true })).toHaveCount(0);
  let stats = await oauthStats(request);
  expect(stats.issued).toBe(1);

  await submitRange(page, 45); // 2 exports, one after another: ~10 s
  const card = page.getByRole('article').first();
  await expect(card.getByText(/Running \d+%/).first()).toBeVisible({ timeout: 20_000 });
  // The sandbox's clock jumps past the token's expiry: the next call gets 401, the app
  // refreshes with its single-use refresh token and goes on.
  await expect.poll(async () => (await oauthStats(request)).refreshed, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
  await request.post('/__sandbox/clock', { data: { advance_ms: 10_000 } });
  await expect(card.getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 60_000 });
  stats = await oauthStats(request);
  expect(stats.refreshed).toBeGreaterThanOrEqual(2);
  expect(stats.expired_refusals).toBeGreaterThanOrEqual(1);
  const exports = await (await request.get('/__sandbox/exports')).json();
  expect(exports.created).toBe(2);

  // Hygiene: no code, token or key in storage, the URL or the console ("remember" is off).
  const found = await traces(page, consoleRecord.all);
  const secrets = [...stats.handed_out, DEMO_TOKEN];
  expect(secrets.length).toBeGreaterThan(4);
  for (const s of secrets) {
    for (const [where, text] of Object.entries(found)) {
      expect(text.includes(s), `${s.slice(0, 12)}… found in ${where}`).toBe(false);
    }
  }
  expect(found.session).not.toContain('mc-oauth-pending');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in with Clover' })).toBeVisible();
  // The browser logs the one expected 401 (expired token) itself; nothing else went wrong.
  expect(consoleRecord.errors.filter((e) => !e.includes('status of 401'))).toEqual([]);
});

test('a token refresh that hangs is given up in time, the sign-in is kept, and the export completes', async ({ page, request }) => {
  test.setTimeout(150_000);
  await request.post('/__sandbox/oauth', { data: { token_ttl_s: 4 } });
  await openApp(page);
  await signIn(page);
  // The next refresh call gets no answer at all (the sandbox closes it after 60 s).
  const fault = await request.post('/__sandbox/faults', { data: { route: 'token', kind: 'hang' } });
  expect(fault.ok()).toBeTruthy();
  await submitRange(page, 20); // one export
  const card = page.getByRole('article').first();
  // The refresh is given up within the poll's own timeout, and the card says why it waits.
  await expect(card.getByText(/can't reach clover since .*renewing the sign-in: no answer in time/i).first()).toBeVisible({ timeout: 40_000 });
  await expect(card.getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 60_000 });
  // The session was kept: no new sign-in was asked for, and the next refresh worked.
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  expect((await oauthStats(request)).refreshed).toBeGreaterThanOrEqual(1);
  expect((await (await request.get('/__sandbox/faults')).json()).faults).toEqual([]);
  expect((await (await request.get('/__sandbox/exports')).json()).created).toBe(1);
});

test('"remember" keeps a pasted token on the device, but never an OAuth token', async ({ page, request }) => {
  await openApp(page);
  await signIn(page);
  await page.getByRole('checkbox', { name: 'Remember credentials on this device' }).check();
  const stats = await oauthStats(request);
  expect(stats.handed_out.length).toBeGreaterThan(0);
  const local = await page.evaluate(() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage));
  expect(stats.handed_out.some((t) => local.includes(t))).toBe(false);
  // The opt-in is real for a pasted token of another merchant.
  await page.getByLabel('Merchant ID').fill('DEMOMERCHANT2');
  await page.getByLabel('API token', { exact: true }).fill('sandbox-token-2');
  await page.getByRole('button', { name: 'Request export' }).click();
  await expect.poll(() => page.evaluate(() => JSON.stringify(localStorage))).toContain('sandbox-token-2');
  await page.getByRole('button', { name: 'Forget saved credentials' }).click();
  const after = await page.evaluate(() => JSON.stringify(localStorage));
  expect(after).not.toContain('sandbox-token-2');
});

test('a tampered state is refused: no token exchange, a clear message, the URL cleaned', async ({ page, request }) => {
  await openApp(page);
  await page.getByRole('tab', { name: 'Exports' }).click();
  await page.getByLabel('Region').selectOption({ label: 'Sandbox' });
  await page.getByRole('button', { name: 'Sign in with Clover' }).click();
  await expect(page.getByRole('button', { name: 'Approve' })).toBeVisible();
  const authorize = new URL(page.url());
  // A real code, approved by the sandbox, but returned with someone else's state.
  const form = new URLSearchParams(authorize.searchParams);
  form.set('merchant_id', MERCHANT);
  const approved = await request.post(authorize.pathname, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    data: form.toString(),
    maxRedirects: 0,
  });
  expect(approved.status()).toBe(303);
  const back = new URL(approved.headers()['location']);
  back.searchParams.set('state', 'tampered-state');
  await page.goto(back.pathname + back.search);
  await expect(page.getByRole('alert')).toContainText('state mismatch');
  await expect(page.getByRole('button', { name: 'Sign in with Clover' })).toBeVisible();
  expect(page.url()).not.toContain('code=');
  const stats = await oauthStats(request);
  expect(stats.token_calls).toBe(0);
  expect(stats.issued).toBe(0);
});

test('proxy mode: the app sends no credentials, a proxy adds them', async ({ page, request }) => {
  test.setTimeout(60_000);
  const target = new URL(BASE_URL);
  let appSentAuthorization = 0;
  let proxiedCloverCalls = 0;
  // A stand-in for the portal's reverse proxy: adds the merchant's token server-side.
  const proxy = http.createServer((req, res) => {
    const headers = { ...req.headers };
    if (req.url?.startsWith('/clover/')) {
      if (headers.authorization) appSentAuthorization++;
      proxiedCloverCalls++;
      headers.authorization = `Bearer ${DEMO_TOKEN}`;
    }
    const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const port = (proxy.address() as AddressInfo).port;
  try {
    await openApp(page, `http://127.0.0.1:${port}/`);
    await page.getByRole('tab', { name: 'Exports' }).click();
    await page.getByLabel('Region').selectOption({ label: 'Sandbox' });
    await expect(page.getByLabel('Merchant ID')).toHaveValue(MERCHANT);
    await page.getByRole('checkbox', { name: 'Credentials held by the proxy' }).check();
    await expect(page.getByLabel('API token', { exact: true })).toHaveCount(0);
    await submitRange(page, 10);
    const card = page.getByRole('article').first();
    await expect(card.getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 40_000 });
    expect(proxiedCloverCalls).toBeGreaterThan(1);
    expect(appSentAuthorization).toBe(0);
    const exports = await (await request.get('/__sandbox/exports')).json();
    expect(exports.created).toBe(1);
  } finally {
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
  }
});
