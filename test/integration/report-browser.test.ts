import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/eval/html.js';
import { evaluate } from '../../src/eval/run.js';

/**
 * The HTML evaluation report in a real browser (Debian's chromium, driven by playwright-core): every
 * chart renders, nothing is logged to the console as an error, and the page asks for nothing outside
 * itself. Needs `apt-get install -y --no-install-recommends chromium`; run by `npm run test:integration`.
 */
const CHROMIUM = process.env.RAQIB_CHROMIUM ?? ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));

let browser: Browser;
let file: string;

beforeAll(async () => {
  if (!CHROMIUM) throw new Error('chromium not found: apt-get install -y --no-install-recommends chromium');
  const report = await evaluate({ files: [new URL('../fixtures/eval-small.jsonl', import.meta.url).pathname], bootstrap: 100 });
  file = join(mkdtempSync(join(tmpdir(), 'raqib-report-')), 'report.html');
  writeFileSync(file, renderHtml(report));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60000);

afterAll(async () => {
  await browser?.close();
});

describe('HTML evaluation report', () => {
  it('renders its charts with no console errors and no outside requests', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    const outside: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) outside.push(r.url());
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-charts-ready]');
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    expect(Number(await page.getAttribute('body', 'data-charts-ready'))).toBe(4);
    // each canvas was drawn on: some pixels are not transparent
    const drawn = await page.$$eval('canvas', (cs) =>
      cs.map((c) => {
        const ctx = (c as HTMLCanvasElement).getContext('2d')!;
        const { data } = ctx.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height);
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
        return n;
      }),
    );
    expect(drawn).toHaveLength(4);
    for (const n of drawn) expect(n).toBeGreaterThan(500);
    expect(await page.locator('table.errors').count()).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: file.replace(/\.html$/, '.png'), fullPage: false });
  }, 60000);

  it('a forbidden outside load is caught (the check can fail)', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const bad = file.replace(/report\.html$/, 'bad.html');
    const { readFileSync } = await import('node:fs');
    writeFileSync(bad, readFileSync(file, 'utf8').replace('</body>', '<img src="http://127.0.0.1:9/x.png"></body>'));
    await page.goto(pathToFileURL(bad).href);
    await page.waitForSelector('body[data-charts-ready]');
    expect(errors.join('\n')).toMatch(/Content Security Policy|Refused/);
  }, 60000);
});
