/**
 * HTML report benchmark: render report.html for tens of thousands of findings and open it from
 * file:// in headless Chromium (Debian's /usr/bin/chromium or CHROMIUM_PATH), as a user would,
 * until the page marks itself ready with its first page of findings drawn.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { packageRoot } from '../src/package-root.js';
import { renderHtml } from '../src/reporters/html.js';
import { createResults } from '../test/fixtures/results-factory.js';

/** As test/reporters/html.browser.test.ts launches it. */
const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface HtmlMeasurement {
  findings: number;
  accounts: number;
  fileMb: number;
  renderSeconds: number;
  loads: number;
  /** Best of the loads: navigation until `body[data-ready]`, the first page of rows drawn. */
  loadSeconds: number;
  loadSecondsMedian: number;
  domContentLoadedSeconds: number;
  firstContentfulPaintSeconds: number;
}

export type HtmlOutcome = HtmlMeasurement | { skipped: string };

interface PaintTiming {
  getEntriesByName(name: string): { startTime: number }[];
  getEntriesByType(type: string): { domContentLoadedEventEnd?: number }[];
}

export async function benchHtmlReport(findings: number, loads: number): Promise<HtmlOutcome> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) return { skipped: `no Chromium at ${executablePath} (set CHROMIUM_PATH)` };
  const accounts = 1_000;
  const results = createResults({ seed: 50, findings, accounts, regions: 17 });
  const renderStarted = performance.now();
  const html = renderHtml(results);
  const renderSeconds = (performance.now() - renderStarted) / 1000;
  const dir = path.join(packageRoot(), '.trailwarden-tmp', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `report-${findings}.html`);
  writeFileSync(file, html);

  const browser = await chromium.launch({ executablePath, args: LAUNCH_ARGS });
  try {
    const timings: { load: number; domContentLoaded: number; firstContentfulPaint: number }[] = [];
    for (let index = 0; index < loads; index++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      try {
        const page = await context.newPage();
        const started = performance.now();
        await page.goto(pathToFileURL(file).href);
        await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
        const load = (performance.now() - started) / 1000;
        const paint = await page.evaluate(() => {
          const timing = globalThis.performance as unknown as PaintTiming;
          return {
            firstContentfulPaint: timing.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
            domContentLoaded: timing.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? Number.NaN,
          };
        });
        const rows = await page.locator('#findings-body tr.finding').count();
        if (rows === 0) throw new Error('report.html opened with no finding rows');
        timings.push({ load, domContentLoaded: paint.domContentLoaded / 1000, firstContentfulPaint: paint.firstContentfulPaint / 1000 });
      } finally {
        await context.close();
      }
    }
    const best = timings.reduce((a, b) => (b.load < a.load ? b : a));
    const sorted = timings.map((timing) => timing.load).sort((a, b) => a - b);
    return {
      findings,
      accounts,
      fileMb: statSync(file).size / 1048576,
      renderSeconds,
      loads,
      loadSeconds: best.load,
      loadSecondsMedian: sorted[Math.floor(sorted.length / 2)]!,
      domContentLoadedSeconds: best.domContentLoaded,
      firstContentfulPaintSeconds: best.firstContentfulPaint,
    };
  } finally {
    await browser.close();
  }
}
