// Embedding (issue 7): the example host pages served by the sandbox under /examples/.
import { test, expect } from './fixtures';
import { sandboxExports } from './clover';
import { differingPixels } from './png';
import type { Locator, Page } from '@playwright/test';

/** A widget by its instance name (its host element's data-instance). */
const widget = (page: Page, instance: string) => page.locator(`[data-instance="${instance}"]`);

/** Waits until a widget's stylesheet applies (its app root has its themed background). */
async function styled(app: Locator) {
  await expect(app).toBeVisible();
  await expect.poll(() => app.evaluate((el) => getComputedStyle(el).containerType)).toBe('inline-size');
}

test('a widget in a page with hostile CSS renders exactly as in a neutral page', async ({ page, consoleRecord }) => {
  await page.setViewportSize({ width: 1200, height: 1400 });
  const seen: Record<string, { layout: unknown; shot: Buffer }> = {};
  for (const name of ['neutral', 'hostile']) {
    await page.goto(`/examples/${name}.html`);
    const sidebar = widget(page, 'sidebar');
    const app = sidebar.locator('.mc-app');
    await styled(app);
    // The configured zone has loaded (the select offers and picks it).
    await expect(sidebar.getByLabel('Time zone')).toHaveValue('Europe/Berlin');
    await expect(sidebar.getByRole('button', { name: 'Fetch purchases' })).toBeVisible();
    const layout = await app.evaluate((root) => {
      const box = (el: Element) => {
        const r = el.getBoundingClientRect();
        const base = root.getBoundingClientRect();
        return [r.x - base.x, r.y - base.y, r.width, r.height].map(Math.round);
      };
      const label = root.querySelector('label')!;
      const style = getComputedStyle(label);
      return {
        app: box(root),
        // Rendered ones only (a hidden element's box is all zeros, wherever the root is).
        fields: [...root.querySelectorAll('label, input, select, button, h1, h2, h3')]
          .filter((el) => el.getClientRects().length > 0)
          .map(box),
        label: [style.fontFamily, style.fontSize, style.textTransform, style.letterSpacing, style.color],
        background: getComputedStyle(root).backgroundColor,
      };
    });
    seen[name] = { layout, shot: await app.screenshot({ path: test.info().outputPath(`${name}.png`) }) };
  }
  const hostile = seen.hostile.layout as { app: number[]; label: string[]; background: string };
  // Nothing of the host's CSS got in: fonts, case, spacing, colours and every box are the same.
  expect(hostile.label[0]).not.toContain('Comic');
  expect(hostile.label[2]).toBe('none');
  expect(hostile.app[2]).toBe(320); // the narrow sidebar width
  expect(hostile.background).toBe('rgb(13, 17, 23)'); // data-theme="dark"
  expect(seen.hostile.layout).toEqual(seen.neutral.layout);
  // The same picture: the page shows through the rounded corners, and Chromium anti-aliases
  // a few pixels of rounded input corners differently between runs (35 of 334,000 seen);
  // any leaked font, colour or spacing rule changes tens of thousands.
  const differing = differingPixels(seen.hostile.shot, seen.neutral.shot, 8);
  expect(differing).not.toBeNull();
  expect(differing!).toBeLessThan(200);
  // At 320 px nothing overflows sideways.
  const overflow = await widget(page, 'sidebar').locator('.mc-app').evaluate((el) => el.scrollWidth - el.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  // And the widget's CSS does not leak out: the host page's own heading keeps its font.
  const hostFont = await page.getByRole('heading', { level: 1, name: /foreign page/ }).evaluate((el) => getComputedStyle(el).fontFamily);
  expect(hostFont).toContain('Comic');
  expect(consoleRecord.errors).toEqual([]);
});

test('two widgets on one page work independently', async ({ page, request, consoleRecord }) => {
  test.setTimeout(60_000);
  await page.goto('/examples/hostile.html');
  const sidebar = widget(page, 'sidebar');
  const main = widget(page, 'main');
  // Each shows only its configured section, without tabs.
  await expect(sidebar.getByRole('heading', { name: 'Purchase history', level: 2 })).toBeVisible();
  await expect(main.getByRole('heading', { name: 'Exports', level: 2 })).toBeVisible();
  await expect(page.getByRole('tab')).toHaveCount(0);
  await expect(sidebar.getByRole('heading', { name: 'Exports' })).toHaveCount(0);

  // The same label exists in both; each widget's field is its own.
  await sidebar.getByLabel('Time range').selectOption({ label: 'Last 7 days (incl. today)' });
  await main.getByLabel('Time range').selectOption({ label: 'Yesterday' });
  await expect(sidebar.getByLabel('Time range')).toHaveValue('last-7-days');
  await expect(main.getByLabel('Time range')).toHaveValue('yesterday');

  // Run both at once: an export in one, a purchase history fetch in the other.
  await expect(main.getByLabel('Merchant ID')).toHaveValue('DEMOMERCHANT1');
  await main.getByRole('button', { name: 'Request export' }).click();
  await sidebar.getByRole('button', { name: 'Fetch purchases' }).click();
  await expect(sidebar.getByRole('list', { name: 'Summary' })).toBeVisible();
  await expect(main.getByRole('list', { name: 'Summary' })).toHaveCount(0);
  // The whole dashboard fits the 320 px sidebar: wide parts scroll inside, the app does not.
  await expect(sidebar.getByRole('figure', { name: 'Revenue over time' })).toBeVisible();
  const overflow = await sidebar.locator('.mc-app').evaluate((el) => el.scrollWidth - el.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const card = main.getByRole('article').first();
  await expect(card.getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 30_000 });
  await expect(sidebar.getByRole('article')).toHaveCount(0);
  expect((await sandboxExports(request)).created).toBe(1);

  // Their saved state is kept apart, under each instance's name; nothing un-namespaced.
  const keys = await page.evaluate(() => Object.keys(localStorage).sort());
  expect(keys).toContain('merchant-console:sidebar:history-form');
  expect(keys).toContain('merchant-console:main:export-form');
  expect(keys).toContain('merchant-console:main:export-queue');
  expect(keys.filter((k) => k.startsWith('merchant-console:sidebar:export'))).toEqual([]);
  expect(keys.filter((k) => /^merchant-console:[a-z-]+$/.test(k))).toEqual([]);

  // After a reload each widget restores its own choice.
  await page.reload();
  await expect(widget(page, 'sidebar').getByLabel('Time range')).toHaveValue('last-7-days');
  await expect(widget(page, 'main').getByLabel('Time range')).toHaveValue('yesterday');
  await expect(widget(page, 'main').getByRole('article')).toHaveCount(1);
  expect(consoleRecord.errors).toEqual([]);
});

test('the portal page runs both sections through its proxy; the page never holds a credential', async ({ page, request, consoleRecord }) => {
  test.setTimeout(60_000);
  const apiCalls: { url: string; auth?: string }[] = [];
  page.on('request', (r) => {
    if (/\/(portal-api|clover|laterpay)\//.test(new URL(r.url()).pathname)) apiCalls.push({ url: r.url(), auth: r.headers()['authorization'] });
  });
  await page.goto('/examples/portal.html');
  const portal = widget(page, 'portal');
  await expect(portal.getByRole('checkbox', { name: 'Credentials held by the proxy' })).toBeChecked();
  await expect(portal.getByLabel('API token', { exact: true })).toHaveCount(0);
  await expect(portal.getByLabel('Merchant ID')).toHaveValue('DEMOMERCHANT1');
  // The portal's theme variables reach the widget (its accent colour on the main button).
  const accent = await portal.getByRole('button', { name: 'Request export' }).evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(accent).toBe('rgb(91, 45, 158)');

  await portal.getByRole('button', { name: 'Request export' }).click();
  const card = portal.getByRole('article').first();
  await expect(card.getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 30_000 });
  await expect(card.getByRole('link', { name: /^File \d+ of \d+$/ }).first()).toBeVisible();

  await portal.getByRole('tab', { name: 'Purchase history' }).click();
  await expect(portal.getByRole('checkbox', { name: /Credentials held by a proxy/ })).toBeChecked();
  await portal.getByRole('button', { name: 'Fetch purchases' }).click();
  await expect(portal.getByRole('list', { name: 'Summary' })).toBeVisible();

  const viaPortal = apiCalls.filter((c) => c.url.includes('/portal-api/'));
  expect(viaPortal.some((c) => c.url.includes('/portal-api/clover/v3/merchants/DEMOMERCHANT1/exports'))).toBe(true);
  expect(viaPortal.some((c) => c.url.includes('/portal-api/laterpay/merchant/purchase-history'))).toBe(true);
  // Only the file downloads go elsewhere; no request from the page carries credentials.
  expect(apiCalls.filter((c) => !c.url.includes('/portal-api/') && !c.url.includes('/clover/files/'))).toEqual([]);
  expect(apiCalls.filter((c) => c.auth !== undefined)).toEqual([]);
  expect((await sandboxExports(request)).created).toBe(1);
  expect(consoleRecord.errors).toEqual([]);
});

test('mount(element, config) from JavaScript applies its config, and unmount() removes the widget', async ({ page, consoleRecord }) => {
  await page.goto('/examples/mount.html');
  const mounted = page.locator('#console-here');
  await expect(mounted.getByRole('heading', { name: 'Purchase history', level: 2 })).toBeVisible();
  await expect(mounted.getByRole('tab')).toHaveCount(0);
  await expect(mounted.getByLabel('Region')).toHaveValue('eu-sandbox');
  const app = mounted.locator('.mc-app');
  await styled(app);
  expect(await app.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(13, 17, 23)');
  await expect(app).toHaveClass(/mc-compact/);

  await page.getByRole('button', { name: 'Remove the widget' }).click();
  await expect(mounted.getByRole('heading', { name: 'Purchase history' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Show the widget' }).click();
  // Mounting again into the same element works (the shadow root is reused cleanly).
  await expect(mounted.getByRole('heading', { name: 'Purchase history', level: 2 })).toBeVisible();
  expect(consoleRecord.errors).toEqual([]);
});

test('the static page example runs the whole app with the sandbox config', async ({ page, consoleRecord }) => {
  await page.goto('/examples/static.html');
  await expect(page.getByRole('heading', { name: 'Merchant Console', level: 1 })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Exports' })).toBeVisible();
  await expect(page.getByLabel('Merchant ID')).toHaveValue('DEMOMERCHANT1'); // demo block of /config.json
  await page.getByRole('tab', { name: 'Purchase history' }).click();
  await expect(page.getByLabel('Merchant ID')).toHaveValue('demo-merchant');
  expect(consoleRecord.errors).toEqual([]);
});
