// Merchant Console benchmarks (issue 8). Run through scripts/bench.sh; see BENCHMARKS.md.
//
// node scripts/bench.mjs --dist DIR --sandbox BIN --merge-bin BIN [--smoke] [--runs N]
//                        [--port P] [--out FILE]
//
// Prints one table and writes the same figures as JSON. Fails only when the benchmark
// itself breaks (a page never shows its result, a count is wrong), never on timing.
import { spawn, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { chromium } from 'playwright-core';

// ---------------------------------------------------------------- options
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
};
const SMOKE = argv.includes('--smoke');
const DIST = opt('--dist', 'dist-bench');
const SANDBOX = opt('--sandbox', 'target/debug/merchant-console-sandbox');
const MERGE_BIN = opt('--merge-bin', 'target/release/examples/bench_merge');
const POLL_BIN = opt('--poll-bin', 'target/release/examples/bench_polling');
const RUNS = Number(opt('--runs', SMOKE ? 1 : 5));
const HEAVY_RUNS = Number(opt('--heavy-runs', SMOKE ? 1 : 5));
const PORT = Number(opt('--port', 8797));
const OUT = opt('--out', 'bench-results.json');
const PER_DAY = 1000; // --purchases-per-day of the history sandbox
// Purchases in the selected range (the app also loads the previous period of equal length).
const HISTORY_SIZES = opt('--sizes', SMOKE ? '1000' : '10000,100000').split(',').map(Number);
// Opt-in: 500,000 in range (1M loaded, ~350 MB of JSON in 35 requests), --huge-runs times.
const HUGE = 500_000;
if (argv.includes('--huge') && !HISTORY_SIZES.includes(HUGE)) HISTORY_SIZES.push(HUGE);
const HUGE_RUNS = Number(opt('--huge-runs', 1));
// --history-only: skip start-up, merge and polling (quicker interleaved history runs).
const HISTORY_ONLY = argv.includes('--history-only');
const MERGE_FILES = SMOKE ? 5 : 100;
const EXPORT_PROCESSING_MS = SMOKE ? 20_000 : 300_000; // simulated; 5 minutes for the real run
const EXPORT_SCALE = 30;

const LAUNCH = {
  headless: true,
  executablePath: '/usr/bin/chromium',
  args: [
    ...(process.env.BENCH_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean),
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const DAY = 86_400_000;
const ymd = (ms) => new Date(ms).toISOString().slice(0, 10);
function check(cond, message) {
  if (!cond) throw new Error(`benchmark broken: ${message}`);
}

// ---------------------------------------------------------------- sandbox
async function startSandbox(port, extra) {
  const child = spawn(SANDBOX, ['--port', String(port), '--dist', DIST, '--quiet', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`sandbox did not start: ${stderr}`)), 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/sandbox listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`sandbox exited (${code}): ${stderr}`)); });
  });
  return { child, base, stop: () => child.kill('SIGTERM') };
}
const getJson = async (url, init) => {
  const r = await fetch(url, init);
  check(r.ok, `${url} answered ${r.status}`);
  return r.json();
};

// ---------------------------------------------------------------- bundle
function bundle() {
  const out = {};
  let raw = 0, gz = 0;
  for (const kind of ['wasm', 'js', 'css']) {
    let r = 0, g = 0;
    for (const f of readdirSync(DIST)) {
      if (!f.endsWith(`.${kind}`) || !statSync(join(DIST, f)).isFile()) continue;
      r += statSync(join(DIST, f)).size;
      // The gzip command itself, so the figure equals scripts/sizes.sh (zlib's differs slightly).
      g += execFileSync('gzip', ['-9', '-c', join(DIST, f)], { maxBuffer: 64 << 20 }).length;
    }
    out[kind] = { raw: r, gzip: g };
    raw += r; gz += g;
  }
  out.total = { raw, gzip: gz };
  check(out.wasm.raw > 0 && out.js.raw > 0, `no wasm/js in ${DIST}`);
  return out;
}

// ---------------------------------------------------------------- page helpers
// Keeps the app's wasm memory reachable (wasm memory only grows, so its size is the peak).
const HOOK_WASM = () => {
  const keep = (result) => {
    const instance = result && (result.instance || result);
    const memory = instance && instance.exports && instance.exports.memory;
    if (memory instanceof WebAssembly.Memory) window.__mcWasmMemory = memory;
    return result;
  };
  const streaming = WebAssembly.instantiateStreaming;
  if (streaming) WebAssembly.instantiateStreaming = (...a) => streaming(...a).then(keep);
  const plain = WebAssembly.instantiate;
  WebAssembly.instantiate = (...a) => plain(...a).then(keep);
};

async function openApp(page, base) {
  await page.goto(base + '/');
  await page.waitForFunction(() => performance.getEntriesByName('mc-interactive').length > 0, null, { timeout: 30_000 });
}

// ---------------------------------------------------------------- start-up
async function startup(browser, base) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await openApp(page, base);
    times.push(await page.evaluate(() => performance.getEntriesByName('mc-interactive')[0].startTime));
    await context.close();
  }
  return { runs: times.length, median_ms: median(times), all_ms: times };
}

// ---------------------------------------------------------------- purchase history
// The plain-JavaScript baseline: JSON.parse plus one loop building the totals, the sales and
// payment model splits and the daily UTC buckets of the span and of the previous period.
const JS_BASELINE = async ({ requests, spanStart, spanEnd, prevStart, reps }) => {
  const bodies = [];
  for (const r of requests) {
    const res = await fetch(r.url, { headers: { authorization: r.auth } });
    bodies.push(await res.text());
  }
  const bytes = bodies.reduce((a, b) => a + b.length, 0);
  const parseMs = [], totalMs = [];
  let count = 0;
  for (let rep = 0; rep < reps; rep++) {
    const t0 = performance.now();
    const docs = bodies.map((b) => JSON.parse(b));
    const t1 = performance.now();
    const periods = [spanStart, prevStart].map(() => ({
      revenue: 0, purchases: 0, buyers: new Set(), bySales: new Map(), byPayment: new Map(), days: new Map(),
    }));
    for (const doc of docs) {
      for (const p of doc.data) {
        const t = Date.parse(p.purchase_date);
        const period = t >= spanStart && t < spanEnd ? periods[0] : t >= prevStart && t < spanStart ? periods[1] : null;
        if (!period) continue;
        const price = p.price;
        period.revenue += price;
        period.purchases += 1;
        period.buyers.add(p.shared_user_id);
        period.bySales.set(p.sales_model, (period.bySales.get(p.sales_model) || 0) + price);
        period.byPayment.set(p.payment_model, (period.byPayment.get(p.payment_model) || 0) + price);
        const day = Math.floor(t / 86_400_000);
        const bucket = period.days.get(day) || period.days.set(day, { revenue: 0, purchases: 0 }).get(day);
        bucket.revenue += price;
        bucket.purchases += 1;
      }
    }
    const t2 = performance.now();
    parseMs.push(t1 - t0);
    totalMs.push(t2 - t0);
    count = periods[0].purchases;
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  // first_ms: the first repetition alone (the loop not yet optimised by the JIT), the
  // counterpart of our decode, which runs once per page.
  return { bytes, parse_ms: med(parseMs), total_ms: med(totalMs), first_ms: totalMs[0], span_count: count };
};

async function historyRun(browser, base, days, spanFrom, spanTo) {
  const context = await browser.newContext();
  await context.addInitScript(HOOK_WASM);
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => {
    if (r.url().includes('/merchant/purchase-history')) requests.push({ url: r.url(), auth: r.headers()['authorization'] });
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  let heapPeak = 0, sampling = true;
  const sampler = (async () => {
    while (sampling) {
      try {
        const { metrics } = await cdp.send('Performance.getMetrics');
        const used = metrics.find((m) => m.name === 'JSHeapUsedSize');
        if (used) heapPeak = Math.max(heapPeak, used.value);
      } catch { /* page closing */ }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();

  await openApp(page, base);
  await page.getByRole('tab', { name: 'Purchase history' }).click();
  await page.getByLabel('Region').selectOption({ label: 'Europe sandbox (EUR)' });
  await page.getByLabel('Time range').selectOption({ label: 'Custom range' });
  await page.getByLabel('From (first day)').fill(spanFrom);
  await page.getByLabel('To (last day, included)').fill(spanTo);
  await page.getByLabel('Time zone').selectOption('UTC');
  await page.evaluate(() => { performance.clearMeasures(); });
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Fetch purchases' }).click();
  await page.getByRole('heading', { name: `Purchases ${spanFrom} to ${spanTo}` }).waitFor({ timeout: 180_000 });
  await page.getByRole('figure', { name: 'Revenue over time' }).waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => performance.getEntriesByName('mc-history-render').length > 0, null, { timeout: 60_000 });
  // One more frame: the chart has been painted.
  const paintedAt = await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(Date.now()), 0))));
  const m = await page.evaluate(() => {
    const d = (name) => performance.getEntriesByName(name).map((e) => ({ start: e.startTime, end: e.startTime + e.duration, dur: e.duration }));
    return {
      fetch: d('mc-history-fetch'), body: d('mc-history-body'), decode: d('mc-history-decode'),
      aggregate: d('mc-history-aggregate'), render: d('mc-history-render'),
      wasm: window.__mcWasmMemory ? window.__mcWasmMemory.buffer.byteLength : null,
    };
  });
  sampling = false;
  await sampler;
  const cards = await page.getByRole('list', { name: 'Summary' }).getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name: 'Purchases', exact: true }) })
    .locator('[data-value]').getAttribute('data-value');

  const spanStart = Date.parse(spanFrom + 'T00:00:00Z');
  const spanEnd = Date.parse(spanTo + 'T00:00:00Z') + DAY;
  const appRequests = [...requests]; // the baseline's own fetches below are not the app's
  const baseline = await page.evaluate(JS_BASELINE, {
    requests: appRequests, spanStart, spanEnd, prevStart: spanStart - days * DAY, reps: SMOKE ? 1 : 3,
  });
  await context.close();

  const firstFetch = Math.min(...m.fetch.map((e) => e.start));
  const lastFetch = Math.max(...m.fetch.map((e) => e.end));
  const renderEnd = m.render[0].end;
  return {
    shown_purchases: Number(cards),
    requests: appRequests.length,
    fetch_ms: sum(m.fetch.map((e) => e.dur)),
    fetch_wall_ms: lastFetch - firstFetch,
    // Copying each body into wasm memory (absent from builds without that measure).
    body_ms: m.body.length ? sum(m.body.map((e) => e.dur)) : null,
    decode_ms: sum(m.decode.map((e) => e.dur)),
    aggregate_ms: sum(m.aggregate.map((e) => e.dur)),
    render_ms: m.render[0].dur,
    total_ms: renderEnd - firstFetch,
    click_to_paint_ms: paintedAt - t0,
    wasm_memory_bytes: m.wasm,
    js_heap_peak_bytes: heapPeak,
    js_baseline: baseline,
  };
}

async function history(browser, base, target) {
  const days = Math.max(1, Math.round(target / PER_DAY));
  const to = Date.now() - DAY; // yesterday: a finished day, never a partial one
  const spanTo = ymd(to), spanFrom = ymd(to - (days - 1) * DAY);
  const prevTo = ymd(to - days * DAY), prevFrom = ymd(to - (2 * days - 1) * DAY);
  const count = async (f, t) => (await getJson(`${base}/__sandbox/laterpay/count?merchant=demo-merchant&from_date=${f}&to_date=${t}`)).count;
  const inSpan = await count(spanFrom, spanTo);
  const loaded = inSpan + await count(prevFrom, prevTo);
  const runs = [];
  const n = target >= HUGE ? HUGE_RUNS : target >= 100_000 ? HEAVY_RUNS : RUNS;
  for (let i = 0; i < n; i++) {
    const r = await historyRun(browser, base, days, spanFrom, spanTo);
    check(r.shown_purchases === inSpan, `history shows ${r.shown_purchases} purchases, the sandbox has ${inSpan}`);
    check(r.js_baseline.span_count === inSpan, `JS baseline counted ${r.js_baseline.span_count}, the sandbox has ${inSpan}`);
    runs.push(r);
  }
  const med = (f) => median(runs.map(f));
  const ours = med((r) => r.decode_ms + r.aggregate_ms);
  const js = med((r) => r.js_baseline.total_ms);
  const bytes = runs[0].js_baseline.bytes; // UTF-16 code units = bytes here (ASCII bodies)
  return {
    target, days, range: [spanFrom, spanTo], purchases_in_range: inSpan, purchases_loaded: loaded,
    requests: runs[0].requests, body_bytes: bytes, runs: runs.length,
    fetch_ms: med((r) => r.fetch_ms), fetch_wall_ms: med((r) => r.fetch_wall_ms),
    body_ms: runs[0].body_ms == null ? null : med((r) => r.body_ms),
    decode_ms: med((r) => r.decode_ms), aggregate_ms: med((r) => r.aggregate_ms),
    render_ms: med((r) => r.render_ms), total_ms: med((r) => r.total_ms),
    click_to_paint_ms: med((r) => r.click_to_paint_ms),
    wasm_memory_bytes: Math.max(...runs.map((r) => r.wasm_memory_bytes ?? 0)) || null,
    js_heap_peak_bytes: Math.max(...runs.map((r) => r.js_heap_peak_bytes)),
    ours_decode_aggregate_ms: ours,
    js_decode_aggregate_ms: js,
    ratio_ours_to_js: ours / js,
    js_first_run_ms: med((r) => r.js_baseline.first_ms),
    json_parse_mb_per_s: bytes / 1e6 / (med((r) => r.js_baseline.parse_ms) / 1000),
    ours_decode_mb_per_s: bytes / 1e6 / (med((r) => r.decode_ms) / 1000),
    all: runs,
  };
}

// ---------------------------------------------------------------- export merge (native)
function merge() {
  const out = execFileSync(MERGE_BIN, ['--files', String(MERGE_FILES), '--per-file', '1000', '--runs', String(RUNS)], { encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop());
  check(r.rows === MERGE_FILES * 1000, `merge wrote ${r.rows} rows`);
  return r;
}

// ---------------------------------------------------------------- export polling
// At real speed, simulated natively with the app's own schedule (a 5-minute export).
function pollingNative() {
  const out = execFileSync(POLL_BIN, ['--pending-ms', '1000', '--processing-ms', '300000'], { encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop());
  check(r.polls > 0, 'polling simulation made no poll');
  return r;
}

// In the browser against the sandbox, time-scaled.
async function exportPolling(browser) {
  const sb = await startSandbox(PORT + 1, [
    '--pending-ms', '1000', '--processing-ms', String(EXPORT_PROCESSING_MS), '--time-scale', String(EXPORT_SCALE),
  ]);
  try {
    await getJson(`${sb.base}/__sandbox/reset`, { method: 'POST' });
    const context = await browser.newContext();
    const page = await context.newPage();
    await openApp(page, sb.base);
    await page.getByRole('tab', { name: 'Exports' }).click();
    await page.getByLabel('Region').selectOption({ label: 'Sandbox' });
    await page.getByRole('radio', { name: 'Orders' }).check();
    await page.getByLabel('Time range').selectOption({ label: 'Custom range' });
    const day = ymd(Date.now() - DAY);
    await page.getByLabel('From (first day)').fill(day);
    await page.getByLabel('To (last day, included)').fill(day);
    await page.getByLabel('Time zone').selectOption('UTC');
    await page.getByText(/: 1 export[ .]/).waitFor();
    await page.getByRole('button', { name: 'Request export' }).click();
    // The moment a leaf element of the request card reads "Done" (checked every frame).
    const doneAt = await page.waitForFunction(
      () => [...document.querySelectorAll('article *')].some((e) => e.childElementCount === 0 && e.textContent.trim() === 'Done') && Date.now(),
      null, { polling: 'raf', timeout: (EXPORT_PROCESSING_MS / EXPORT_SCALE) + 60_000 },
    ).then((h) => h.jsonValue());
    const before = Date.now();
    const clock = await getJson(`${sb.base}/__sandbox/clock`);
    const realAtClock = (before + Date.now()) / 2;
    const { exports } = await getJson(`${sb.base}/__sandbox/exports`);
    const stats = await getJson(`${sb.base}/__sandbox/stats`);
    await context.close();
    check(exports.length === 1 && exports[0].status === 'DONE', `expected one DONE export, got ${JSON.stringify(exports)}`);
    const finishSim = exports[0].createdTime + 1000 + EXPORT_PROCESSING_MS;
    const finishReal = realAtClock - (clock.now - finishSim) / clock.scale;
    const delay = doneAt - finishReal;
    return {
      simulated_ms: 1000 + EXPORT_PROCESSING_MS, time_scale: EXPORT_SCALE,
      creates: stats.by_route.create?.total ?? 0,
      polls: stats.by_route.poll?.total ?? 0,
      done_to_ui_ms: delay,
      done_to_ui_simulated_ms: delay * clock.scale,
    };
  } finally {
    sb.stop();
  }
}

// ---------------------------------------------------------------- main
const kib = (b) => (b == null ? 'n/a' : `${(b / 1024).toFixed(0)} KiB`);
const mib = (b) => (b == null ? 'n/a' : `${(b / 1048576).toFixed(1)} MiB`);
const ms = (x) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

const started = Date.now();
const results = {
  when: new Date().toISOString(), smoke: SMOKE, runs: RUNS,
  machine: {
    load_average_1m_at_start: os.loadavg()[0],
    cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', memory_bytes: os.totalmem(),
    chromium: execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
  },
};
results.bundle = bundle();
const browser = await chromium.launch(LAUNCH);
const sb = await startSandbox(PORT, ['--purchases-per-day', String(PER_DAY)]);
try {
  if (!HISTORY_ONLY) results.startup = await startup(browser, sb.base);
  results.history = [];
  for (const n of HISTORY_SIZES) results.history.push(await history(browser, sb.base, n));
} finally {
  sb.stop();
}
if (!HISTORY_ONLY) {
  results.merge = merge();
  results.polling_native = pollingNative();
}
try {
  if (!HISTORY_ONLY) results.export_polling = await exportPolling(browser);
} finally {
  await browser.close();
}
results.seconds = (Date.now() - started) / 1000;
results.machine.load_average_1m_at_end = os.loadavg()[0];

const rows = [];
const row = (what, value, note = '') => rows.push([what, value, note]);
const b = results.bundle;
for (const k of ['wasm', 'js', 'css', 'total']) row(`bundle ${k}`, `${b[k].raw} B`, `gzip -9 ${b[k].gzip} B`);
if (results.startup) row('start-up to interactive', ms(results.startup.median_ms), `median of ${results.startup.runs} cold loads`);
for (const h of results.history) {
  const tag = `history ${h.target.toLocaleString('en-US')}`;
  const note = `median of ${h.runs}`;
  row(`${tag}: fetch`, ms(h.fetch_ms), `${h.requests} requests (sum; ${ms(h.fetch_wall_ms)} wall), ${note}`);
  if (h.body_ms != null) {
    row(`${tag}: body into wasm`, ms(h.body_ms), `copy of the response bytes into wasm memory (sum), ${(h.body_bytes / 1e3 / h.body_ms).toFixed(0)} MB/s`);
  }
  row(`${tag}: decode`, ms(h.decode_ms), `${h.purchases_in_range.toLocaleString('en-US')} in range, ${h.purchases_loaded.toLocaleString('en-US')} loaded, ${(h.body_bytes / 1e6).toFixed(1)} MB, ${h.ours_decode_mb_per_s.toFixed(0)} MB/s`);
  row(`${tag}: aggregate`, ms(h.aggregate_ms), 'summarize(), both periods');
  row(`${tag}: render to first chart`, ms(h.render_ms), `total ${ms(h.total_ms)}; click to paint ${ms(h.click_to_paint_ms)}`);
  row(`${tag}: peak memory`, `wasm ${mib(h.wasm_memory_bytes)}`, `JS heap ${mib(h.js_heap_peak_bytes)} (highest idle sample)`);
  row(`${tag}: JS baseline`, ms(h.js_decode_aggregate_ms), `ours/JS = ${h.ratio_ours_to_js.toFixed(2)} (decode+aggregate ${ms(h.ours_decode_aggregate_ms)}); first of the repetitions ${ms(h.js_first_run_ms)}`);
  row(`${tag}: JSON.parse alone`, `${h.json_parse_mb_per_s.toFixed(0)} MB/s`, 'reference ceiling');
}
if (!HISTORY_ONLY) {
  const mg = results.merge;
  row(`export merge ${mg.files}×${mg.per_file} → CSV`, `${mg.mb_per_s.toFixed(1)} MB/s`,
    `native release, ${(mg.input_bytes / 1e6).toFixed(1)} MB in, ${(mg.output_bytes / 1e6).toFixed(1)} MB CSV, ${ms(mg.median_ms)}, peak heap ${mib(mg.peak_heap_bytes)}`);
  const ep = results.export_polling;
  row(`export polling (${+((ep.simulated_ms - 1000) / 60000).toFixed(2)} min export)`, `${ep.polls} polls`, `+${ep.creates} create; time scale ${ep.time_scale}`);
  row('export done → UI shows Done', ms(ep.done_to_ui_ms), `real time at scale ${ep.time_scale} (${(ep.done_to_ui_simulated_ms / 1000).toFixed(0)} s simulated)`);
  const pn = results.polling_native;
  row(`export polling (${pn.processing_ms / 60000} min export, real speed)`, `${pn.polls} polls`, `app's schedule simulated natively; Done seen ${ms(pn.done_to_seen_ms)} after finish`);
}

const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ['figure', 'value', 'notes'][i].length));
const line = (r) => `| ${r.map((c, i) => c.padEnd(w[i])).join(' | ')} |`;
console.log(line(['figure', 'value', 'notes']));
console.log(`|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
const mc = results.machine;
console.log(`\n${mc.cpus} × ${mc.cpu}, ${mc.chromium}; load average ${mc.load_average_1m_at_start.toFixed(1)} at start, ${mc.load_average_1m_at_end.toFixed(1)} at end; ${results.seconds.toFixed(0)} s`);
results.table = rows;
writeFileSync(OUT, JSON.stringify(results, null, 2) + '\n');
console.log(`written: ${OUT}`);
