// Shared test set-up: a clean sandbox per test and a record of browser console errors.
import { test as base, expect, type Page } from '@playwright/test';

export type ConsoleRecord = { errors: string[]; all: string[] };

export const test = base.extend<{ consoleRecord: ConsoleRecord }>({
  // auto: every test starts from a reset sandbox, whether or not it reads the record.
  consoleRecord: [async ({ page, request }, use) => {
    const res = await request.post('/__sandbox/reset');
    expect(res.ok()).toBeTruthy();
    const record: ConsoleRecord = { errors: [], all: [] };
    page.on('console', (msg) => {
      record.all.push(`${msg.type()}: ${msg.text()}`);
      if (msg.type() === 'error') record.errors.push(msg.text());
    });
    page.on('pageerror', (err) => record.errors.push(`pageerror: ${err.message}`));
    await use(record);
  }, { auto: true }],
});

/** Opens the app and waits until the wasm has rendered the shell. */
export async function openApp(page: Page, path = '/') {
  await page.goto(path);
  await expect(page.getByRole('heading', { name: 'Merchant Console', level: 1 })).toBeVisible();
}

export { expect };
