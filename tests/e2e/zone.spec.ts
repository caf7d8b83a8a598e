import { test, expect, openApp } from './fixtures';

test.describe('in a browser set to Europe/Berlin', () => {
  test.use({ timezoneId: 'Europe/Berlin' });

  test('the browser zone is offered once its rules load, and a DST day spans 23 hours', async ({ page, request, consoleRecord }) => {
    await openApp(page);
    const zone = page.getByLabel('Time zone');
    await expect(zone.getByRole('option', { name: 'Europe/Berlin (this browser)' })).toHaveCount(1);
    await page.getByLabel('Region').selectOption({ label: 'Sandbox' });
    await page.getByLabel('Time range').selectOption({ label: 'Custom range' });
    // 2026-03-29: clocks go from 02:00 to 03:00 in Berlin.
    await page.getByLabel('From (first day)').fill('2026-03-29');
    await page.getByLabel('To (last day, included)').fill('2026-03-29');
    await zone.selectOption('Europe/Berlin');
    await expect(page.getByText('2026-03-29 to 2026-03-29 (1 day, Europe/Berlin): 1 export.')).toBeVisible();
    await page.getByRole('button', { name: 'Request export' }).click();
    await expect.poll(async () => (await (await request.get('/__sandbox/exports')).json()).created).toBe(1);
    const { exports } = await (await request.get('/__sandbox/exports')).json();
    expect(new Date(exports[0].startTime).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(new Date(exports[0].endTime).toISOString()).toBe('2026-03-29T21:59:59.999Z');
    expect(exports[0].endTime - exports[0].startTime + 1).toBe(23 * 3_600_000);

    // The choice survives a reload (restored even though the zone loads after the form).
    await page.reload();
    await expect(page.getByLabel('Time zone')).toHaveValue('Europe/Berlin');
    expect(consoleRecord.errors).toEqual([]);
  });
});
