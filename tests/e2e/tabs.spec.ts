import { test, expect, openApp } from './fixtures';
import { requestCard, requestExport, sandboxExports } from './clover';

test('with two tabs open only one drives the exports; the other follows and takes over when it closes', async ({ page, context, request }) => {
  test.setTimeout(120_000);
  await openApp(page);
  await requestExport(page, 45);
  const second = await context.newPage();
  await openApp(second);
  await second.getByRole('tab', { name: 'Exports' }).click();
  await expect(second.getByText(/running in another tab/)).toBeVisible();
  await expect(second.getByRole('button', { name: 'Request export' })).toBeDisabled();
  // The follower shows the leader's progress as it is saved.
  await expect(requestCard(second).getByRole('progressbar', { name: 'Overall progress' }))
    .toHaveAttribute('aria-valuenow', '100', { timeout: 90_000 });
  expect((await sandboxExports(request)).created).toBe(2); // not 4: one tab created them

  await page.close();
  await expect(second.getByText(/running in another tab/)).toHaveCount(0);
  await expect(second.getByRole('button', { name: 'Request export' })).toBeEnabled();
});
