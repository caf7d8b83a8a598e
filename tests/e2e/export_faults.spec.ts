// The export flow under the faults of the real world (issue 12): an outage while polling,
// a create whose answer is lost after Clover made the export, Retry-After: 0 on every
// poll, a request that never answers. The sandbox produces the faults; the app talks to
// it as to Clover.
import type { APIRequestContext } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { test, expect, openApp, type ConsoleRecord } from './fixtures';
import { MERCHANT, csvRecords, requestCard, requestExport, sandboxExports } from './clover';

/** Requests the sandbox answered on `route` (create, poll, ...), with `status` if given. */
async function served(request: APIRequestContext, route: string, status?: number): Promise<number> {
  const stats = await (await request.get('/__sandbox/stats')).json();
  const r = stats.by_route[route];
  if (!r) return 0;
  return status === undefined ? r.total : (r.by_status[String(status)] ?? 0);
}

async function fault(request: APIRequestContext, data: object) {
  const res = await request.post('/__sandbox/faults', { data });
  expect(res.ok(), await res.text()).toBeTruthy();
}

/** Page errors and console errors other than the browser's own line per failed request. */
function appErrors(record: ConsoleRecord) {
  return record.errors.filter((e) => !/^Failed to load resource/.test(e));
}

const progress = (page: Parameters<typeof requestCard>[0]) =>
  requestCard(page).getByRole('progressbar', { name: 'Overall progress' });

test('a 15 s outage while polling ends Done with exactly one export', async ({ page, request, consoleRecord }) => {
  test.setTimeout(120_000);
  // A portal proxy restarting: every poll answers 502 until the outage is over.
  await fault(request, { route: 'poll', kind: '502', count: 1000 });
  await openApp(page);
  await requestExport(page, 5);
  const card = requestCard(page);
  await expect.poll(async () => (await sandboxExports(request)).created).toBe(1);
  const outage = Date.now();
  // The card says in words what is happening, and offers to look again at once.
  await expect(card.getByText(/can't reach Clover since \d\d:\d\d UTC \(HTTP 502: Bad Gateway\), next try in \d+ s/i).first())
    .toBeVisible({ timeout: 15_000 });
  await expect(card.getByRole('button', { name: 'Check now' })).toBeVisible();
  await page.waitForTimeout(Math.max(0, 15_000 - (Date.now() - outage)));
  const failedPolls = await served(request, 'poll', 502);
  await request.delete('/__sandbox/faults');
  // Over: the export we created is collected on the next try, none is created again.
  await expect(progress(page)).toHaveAttribute('aria-valuenow', '100', { timeout: 60_000 });
  await expect(card.getByRole('link', { name: /^File 1 of/ })).toBeVisible();
  expect((await sandboxExports(request)).created).toBe(1);
  // The backoff grew: never more than one poll per 2.5 s.
  expect(failedPolls).toBeGreaterThanOrEqual(2);
  expect(failedPolls).toBeLessThanOrEqual(7);
  expect(appErrors(consoleRecord)).toEqual([]);
});

for (const kind of ['commit-504', 'commit-drop'] as const) {
  test(`a create whose answer is lost after Clover made the export (${kind}) still completes, and "Download all" has every row`, async ({ page, request, consoleRecord }) => {
    test.setTimeout(120_000);
    // Half speed: the export the lost create made (10 s) is still running at the retry.
    await request.post('/__sandbox/clock', { data: { scale: 0.5 } });
    await fault(request, { route: 'create', kind });
    await openApp(page);
    await requestExport(page, 5);
    const card = requestCard(page);
    await expect(progress(page)).toHaveAttribute('aria-valuenow', '100', { timeout: 90_000 });
    // Two exports at the sandbox: the one whose answer was lost, and ours, for the same days.
    const { created, exports } = await sandboxExports(request);
    expect(created).toBe(2);
    expect(exports[1].startTime).toBe(exports[0].startTime);
    expect(exports[1].endTime).toBe(exports[0].endTime);
    if (kind === 'commit-drop') expect(await served(request, 'create', 444)).toBeGreaterThanOrEqual(1);
    // The retry met "busy" from that export: the request reports it.
    await expect(card.getByRole('note')).toContainText('may have been made at Clover although its answer was lost');

    await card.getByLabel('Format').selectOption({ label: 'CSV' });
    const downloadPromise = page.waitForEvent('download');
    await card.getByRole('button', { name: 'Download all' }).click();
    const download = await downloadPromise;
    const rows = csvRecords(readFileSync(await download.path(), 'utf8'));
    const { startTime, endTime } = exports[1];
    const count = await (await request.get(`/__sandbox/clover/count?merchant=${MERCHANT}&type=ORDERS&start=${startTime}&end=${endTime}`)).json();
    expect(count.count).toBeGreaterThan(0);
    expect(rows.length - 1).toBe(count.count);
    expect(new Set(rows.slice(1).map((r) => r[0])).size).toBe(count.count);
    expect(appErrors(consoleRecord)).toEqual([]);
  });
}

test('Retry-After: 0 on every poll for 20 s gives at most 10 polls, and "Check now" asks at once', async ({ page, request, consoleRecord }) => {
  test.setTimeout(90_000);
  await fault(request, { route: 'poll', kind: '429', retry_after_s: 0, count: 1000 });
  await openApp(page);
  await requestExport(page, 5);
  const card = requestCard(page);
  await expect.poll(async () => (await sandboxExports(request)).created).toBe(1);
  await page.waitForTimeout(20_000);
  const polls = await served(request, 'poll');
  expect(polls).toBeGreaterThanOrEqual(3);
  expect(polls).toBeLessThanOrEqual(10);
  await expect(card.getByText(/can't reach Clover since .*\(rate limited, HTTP 429\)/i).first()).toBeVisible();
  // Clover answers again; the person does not wait for the backoff.
  await request.delete('/__sandbox/faults');
  await card.getByRole('button', { name: 'Check now' }).click();
  await expect(progress(page)).toHaveAttribute('aria-valuenow', '100', { timeout: 15_000 });
  expect((await sandboxExports(request)).created).toBe(1);
  expect(appErrors(consoleRecord)).toEqual([]);
});

test('a poll that never answers times out, and the queue goes on', async ({ page, request, consoleRecord }) => {
  test.setTimeout(120_000);
  // The first poll hangs; the app gives up on it after its poll timeout (20 s).
  await fault(request, { route: 'poll', kind: 'hang' });
  await openApp(page);
  await requestExport(page, 31);
  const card = requestCard(page);
  await expect(card.getByText(/can't reach Clover since .*\(no answer in time\), next try in/i).first())
    .toBeVisible({ timeout: 30_000 });
  // Both exports of the request end Done: the hung request no longer holds the slot.
  await expect(progress(page)).toHaveAttribute('aria-valuenow', '100', { timeout: 60_000 });
  expect((await sandboxExports(request)).created).toBe(2);
  expect(appErrors(consoleRecord)).toEqual([]);
});
