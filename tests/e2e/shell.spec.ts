import { test, expect, openApp } from './fixtures';

test('the shell loads, both sections are reachable by their tabs, no console errors', async ({ page, consoleRecord }) => {
  await openApp(page);
  const exportsTab = page.getByRole('tab', { name: 'Exports' });
  const historyTab = page.getByRole('tab', { name: 'Purchase history' });
  await expect(exportsTab).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('heading', { name: 'Exports', level: 2 })).toBeVisible();

  const urlBefore = page.url();
  await historyTab.click();
  await expect(historyTab).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('heading', { name: 'Purchase history', level: 2 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Exports', level: 2 })).toHaveCount(0);
  expect(page.url()).toBe(urlBefore); // switched without navigation

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
