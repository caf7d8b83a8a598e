// Content-Security-Policy (issue 7): every view works under the strict policy, with no
// violation reported, and the policy is really enforced.
import { test, expect, openApp } from './fixtures';
import type { Page } from '@playwright/test';

const POLICY_START = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self';";

/** Records CSP violations: the browser's console lines and the DOM events (shadow roots too). */
async function recordViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) seen.push(`console: ${m.text()}`);
  });
  await page.exposeFunction('__cspViolation', (text: string) => seen.push(`event: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { __cspViolation: (t: string) => void }).__cspViolation(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`), true);
  });
  return seen;
}

test.beforeEach(async ({ request }) => {
  const on = await request.post('/__sandbox/csp', { data: { enabled: true } });
  expect((await on.json()).enabled).toBe(true);
});

test('every view works under the strict CSP with no violation', async ({ page, consoleRecord }) => {
  test.setTimeout(90_000);
  const violations = await recordViolations(page);
  const response = await page.goto('/');
  expect(response!.headers()['content-security-policy']).toContain(POLICY_START);
  await openApp(page);
  // No inline script or style in the page itself.
  expect(await page.locator('script:not([src])').count()).toBe(0);
  expect(await page.locator('style, [style]').count()).toBe(0);

  // Exports: a request runs to the end (progress bars are styled through the CSSOM).
  await page.getByRole('button', { name: 'Request export' }).click();
  const card = page.getByRole('article').first();
  await expect(card.getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 30_000 });
  await expect(card.getByRole('link', { name: /^File \d+ of \d+$/ }).first()).toBeVisible();

  // Purchase history: charts positioned from data-css, a tooltip, the tables.
  await page.getByRole('tab', { name: 'Purchase history' }).click();
  await page.getByRole('button', { name: 'Fetch purchases' }).click();
  await expect(page.getByRole('list', { name: 'Summary' })).toBeVisible({ timeout: 30_000 });
  const label = page.locator('.mc-x-label').first();
  await expect.poll(() => label.evaluate((el) => (el as HTMLElement).style.left)).toMatch(/%$/);
  await page.getByRole('img', { name: / revenue, / }).first().focus();
  await expect(page.getByRole('tooltip')).toBeVisible();
  await expect.poll(() => page.getByRole('tooltip').evaluate((el) => (el as HTMLElement).style.left || (el as HTMLElement).style.right)).toMatch(/%$/);
  for (const toggle of await page.getByRole('button', { name: 'Show as table' }).all()) await toggle.click();

  // The embedding examples under the same policy.
  for (const example of ['hostile', 'portal', 'mount', 'static']) {
    const r = await page.goto(`/examples/${example}.html`);
    expect(r!.headers()['content-security-policy']).toContain(POLICY_START);
    await expect(page.getByRole('heading', { name: 'Merchant Console', level: 1 }).first()).toBeVisible();
  }
  expect(violations).toEqual([]);
  expect(consoleRecord.errors).toEqual([]);

  // The policy is enforced, so the above means something: an inline style is refused.
  await page.goto('/');
  await openApp(page);
  const color = await page.evaluate(() => {
    const probe = document.createElement('p');
    probe.setAttribute('style', 'color: rgb(1, 2, 3)');
    document.body.append(probe);
    return getComputedStyle(probe).color;
  });
  expect(color).not.toBe('rgb(1, 2, 3)');
  await expect.poll(() => violations.length).toBeGreaterThan(0);
});
