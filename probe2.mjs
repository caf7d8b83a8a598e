import { chromium } from '@playwright/test';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu'] });
const p = await b.newPage({ viewport: { width: 1200, height: 900 } });
p.on('console', m => { if (!m.text().includes('integrity')) console.log('console', m.type(), m.text()) });
p.on('pageerror', e => console.log('pageerror', e.message));
for (const name of process.argv.slice(2)) {
  await p.goto('http://127.0.0.1:8831/examples/' + name + '.html');
  await p.waitForTimeout(2000);
  await p.screenshot({ path: `/tmp/ex-${name}.png`, fullPage: true });
}
await b.close();
