// Accessibility (issue 7): axe-core on every view, and keyboard-only use.
import { readFileSync } from 'node:fs';
import { test, expect, openApp } from './fixtures';
import type { Page } from '@playwright/test';

const AXE_SOURCE = readFileSync('node_modules/axe-core/axe.min.js', 'utf8');

type Violation = { id: string; impact: string | null; help: string; nodes: string[] };

/** Runs axe-core on the whole page (open shadow roots included); serious and critical only. */
async function seriousViolations(page: Page): Promise<Violation[]> {
  await page.evaluate(AXE_SOURCE);
  const all: Violation[] = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)),
    }));
  });
  return all.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

async function fetchHistory(page: Page, scope: ReturnType<Page['locator']> | Page = page) {
  await scope.getByRole('button', { name: 'Fetch purchases' }).click();
  await expect(scope.getByRole('list', { name: 'Summary' })).toBeVisible({ timeout: 30_000 });
}

test('axe-core: no serious or critical violations on any view, in light and dark', async ({ page }) => {
  test.setTimeout(90_000);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    // Exports, with a finished export listed (progress, links, download controls).
    await openApp(page);
    await page.getByRole('button', { name: 'Request export' }).click();
    const card = page.getByRole('article').first();
    await expect(card.getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 30_000 });
    expect(await seriousViolations(page), `exports (${scheme})`).toEqual([]);
    await card.getByRole('button', { name: 'Remove from list' }).click();
    await expect(page.getByRole('article')).toHaveCount(0);

    // Purchase history: dashboard with charts, then every chart as a data table.
    await page.getByRole('tab', { name: 'Purchase history' }).click();
    await page.getByLabel('Time range').selectOption({ label: 'Last 90 days (incl. today)' });
    await fetchHistory(page);
    expect(await seriousViolations(page), `history (${scheme})`).toEqual([]);
    const toggles = page.getByRole('button', { name: 'Show as table' });
    await expect(toggles).toHaveCount(3);
    for (const toggle of await toggles.all()) await toggle.click();
    await expect(page.locator('[aria-pressed="true"]').filter({ hasText: 'Show as table' })).toHaveCount(3);
    await page.getByRole('img', { name: /revenue/ }).first().focus(); // a tooltip open
    expect(await seriousViolations(page), `history tables (${scheme})`).toEqual([]);
    // The range shortcuts' dialog over the dashboard, with the comparison choices.
    await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
    expect(await seriousViolations(page), `shortcuts dialog (${scheme})`).toEqual([]);
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeHidden();
    // The form with every error shown.
    await page.getByLabel('Merchant ID').fill('');
    await page.getByRole('button', { name: 'Fetch purchases' }).click();
    expect(await seriousViolations(page), `history errors (${scheme})`).toEqual([]);
    await page.getByRole('tab', { name: 'Exports' }).click();
    await page.evaluate(() => localStorage.clear());
  }
  // Widgets in a foreign page, and the portal.
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/examples/hostile.html');
  const sidebar = page.locator('[data-instance="sidebar"]');
  await expect(sidebar.getByRole('button', { name: 'Fetch purchases' })).toBeVisible();
  await fetchHistory(page, sidebar);
  const widgetViolations = (await seriousViolations(page))
    // The host page's own colours (magenta on yellow) are its business, not the widget's.
    .filter((v) => v.nodes.some((n) => n.includes('data-merchant-console') || n.includes('mc-')));
  expect(widgetViolations, 'widgets in the hostile page').toEqual([]);
  await page.goto('/examples/portal.html');
  await expect(page.locator('[data-instance="portal"]').getByRole('button', { name: 'Request export' })).toBeVisible();
  expect(await seriousViolations(page), 'portal').toEqual([]);
});

/** Presses Tab until `name` has focus, recording the accessible names passed on the way. */
async function tabTo(page: Page, name: RegExp, limit = 40): Promise<string[]> {
  const passed: string[] = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      let el = document.activeElement;
      while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
      if (!el) return null;
      const labelled = (el as HTMLInputElement).labels?.[0]?.textContent ?? '';
      const name = el.getAttribute('aria-label') || labelled || el.textContent || '';
      const style = getComputedStyle(el);
      // Visible focus: an outline, or (chart bars) the focus ring drawn by the hit area.
      const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
      return { name: name.trim().replace(/\s+/g, ' '), tag: el.tagName, ring };
    });
    if (!focused) continue;
    if (focused.tag !== 'g') expect(focused.ring, `visible focus on "${focused.name}"`).toBe(true);
    passed.push(focused.name);
    if (name.test(focused.name)) return passed;
  }
  throw new Error(`Tab never reached ${name}; passed: ${passed.join(' | ')}`);
}

test('keyboard only: request an export, then read a purchase-history chart value', async ({ page, consoleRecord }) => {
  test.setTimeout(60_000);
  await openApp(page);
  await expect(page.getByLabel('Merchant ID')).toHaveValue('DEMOMERCHANT1'); // demo prefill

  // Focus order follows the form from top to bottom.
  const order = await tabTo(page, /^Request export$/);
  const at = (re: RegExp) => order.findIndex((n) => re.test(n));
  expect(at(/^Exports$/)).toBeGreaterThanOrEqual(0);
  expect(at(/^Region$/)).toBeGreaterThan(at(/^Exports$/));
  expect(at(/^Merchant ID$/)).toBeGreaterThan(at(/^Region$/));
  expect(at(/^API token$/)).toBeGreaterThan(at(/^Merchant ID$/));
  expect(at(/^Time range$/)).toBeGreaterThan(at(/^API token$/));
  expect(at(/^Request export$/)).toBeGreaterThan(at(/^Time range$/));
  await page.keyboard.press('Enter');
  const card = page.getByRole('article').first();
  await expect(card.getByRole('progressbar', { name: 'Overall progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 30_000 });
  // Completion is announced in the live region.
  await expect(page.getByRole('status').filter({ hasText: 'its files are ready' })).toBeAttached();

  // To the other section with the arrow keys on the tab list.
  await page.getByRole('tab', { name: 'Exports' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Purchase history' })).toBeFocused();
  await expect(page.getByRole('heading', { name: 'Purchase history', level: 2 })).toBeVisible();
  await tabTo(page, /^Fetch purchases$/);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('list', { name: 'Summary' })).toBeVisible({ timeout: 30_000 });

  // Into the revenue chart: a focused bar shows its exact value in a tooltip.
  await tabTo(page, /: .* revenue, /, 60);
  const tooltip = page.getByRole('tooltip');
  await expect(tooltip).toBeVisible();
  const label = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
  const [period, money] = label.match(/^(.*?): (.*?) revenue, /)!.slice(1);
  await expect(tooltip).toContainText(`Revenue: ${money}`);
  await expect(tooltip).toContainText(period.replace(/ \(partial period\)$/, ''));
  await page.keyboard.press('ArrowRight');
  const next = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
  expect(next).not.toBe(label);
  await expect(tooltip).toContainText(`Revenue: ${next.match(/: (.*?) revenue, /)![1]}`);
  await page.keyboard.press('Escape');
  await expect(page.getByRole('tooltip')).toHaveCount(0);
  expect(consoleRecord.errors).toEqual([]);
});
