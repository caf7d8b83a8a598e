import { defineConfig } from '@playwright/test';

// One sandbox for the whole run; tests change its clock and faults, so they run one at a time
// and each starts with POST /__sandbox/reset (see tests/e2e/fixtures.ts).
const PORT = Number(process.env.SANDBOX_PORT ?? 8799);
const DIST = process.env.DIST_DIR ?? 'dist';
export const BASE_URL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  forbidOnly: !!process.env.CI,
  use: {
    baseURL: BASE_URL,
    headless: true,
    trace: 'off',
    launchOptions: {
      // Playwright cannot download browsers here: use Debian's Chromium.
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  webServer: {
    // --files-port 0: a second origin without CORS for export files (tests switch to it).
    command: `target/debug/merchant-console-sandbox --port ${PORT} --files-port 0 --dist ${DIST} --quiet`,
    url: `${BASE_URL}/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'ignore',
  },
});
