import { test, expect, openApp } from './fixtures';

test('the shell loads, both sections are reachable by their tabs, no console errors', async ({ page, consoleRecord }) => {
  await openApp(page);
  const exportsTab = page.getByRole('tab', { name: 'Exports' });
  const historyTab = page.getByRole('tab', { name: 'Purchase history' });
  await expect(exportsTab).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('heading', { name: 'Exports', level: 2 })).toBeVisible();

  const urlBefore = new URL(page.url());
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
  await historyTab.click();
  await expect(historyTab).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('heading', { name: 'Purchase history', level: 2 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Exports', level: 2 })).toHaveCount(0);
  // Switched without navigation: same page and path, only the view in the query changed.
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
  const urlAfter = new URL(page.url());
  expect(urlAfter.pathname).toBe(urlBefore.pathname);
  expect(urlAfter.searchParams.get('section')).toBe('history');

  await exportsTab.click();
  await expect(page.getByRole('heading', { name: 'Exports', level: 2 })).toBeVisible();
  expect(consoleRecord.errors).toEqual([]);
});

test('arrow keys move between tabs and the open section survives a reload', async ({ page, consoleRecord }) => {
  await openApp(page);
  await page.getByRole('tab', { name: 'Exports' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Purchase history' })).toBeFocused();
  await expect(page.getByRole('heading', { name: 'Purchase history', level: 2 })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('tab', { name: 'Purchase history' })).toHaveAttribute('aria-selected', 'true');
  expect(consoleRecord.errors).toEqual([]);
});
