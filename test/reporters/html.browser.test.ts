/**
 * report.html in real headless Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH), driven
 * by playwright-core. Set SKIP_BROWSER_TESTS=1 where no Chromium is installed.
 *
 * Pages are written to test-artifacts/ (git-ignored) and opened from file://, as a user would.
 * The screenshot of a realistic report lands in test-artifacts/report.png.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding, Results } from '../../src/results.js';
import { renderHtml } from '../../src/reporters/html.js';
import { frameworkKey, regionOf } from '../../src/reporters/model.js';
import { createResults, XSS_FLAG } from '../fixtures/results-factory.js';
import { smallOrgResults } from './fixtures/small-org.js';
import { watchedPage } from '../support/report-page.js';
import { expectedPassingPercent, OUTSIDE_ACCOUNT, outsideAccountResults } from './fixtures/honest-counts.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The few browser globals the page callbacks use; tsconfig has no DOM library, and should not get one for this file. */
interface BrowserGlobals {
  document: { createElement(tag: string): { textContent: string }; body: { append(node: unknown): void } };
}
interface BrowserPerformance {
  getEntriesByName(name: string): { startTime: number }[];
  getEntriesByType(type: string): { domContentLoadedEventEnd?: number }[];
}

/** Waits for an element's text to match, as the page updates after debounced input. */
async function waitForText(page: Page, selector: string, expected: RegExp): Promise<void> {
  await expect.poll(async () => (await page.textContent(selector)) ?? '', { timeout: 10_000 }).toMatch(expected);
}

interface Opened {
  page: Page;
  context: BrowserContext;
  /** Console errors and warnings (CSP violations among them) and uncaught exceptions. */
  problems: string[];
  dialogs: string[];
  /** Every request that was not for the file itself or a data: URI. */
  network: string[];
  loadMs: number;
  bytes: number;
}

describe.skipIf(process.env.SKIP_BROWSER_TESTS === '1')('report.html in Chromium', () => {
  let browser: Browser;
  const opened: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: LAUNCH_ARGS });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await Promise.all(opened.map((context) => context.close()));
    await browser?.close();
  });

  /** `bypassCSP` takes the report's Content-Security-Policy away, to prove the escaping alone keeps data inert. */
  async function open(name: string, results: Results, options: { bypassCSP?: boolean; width?: number } = {}): Promise<Opened> {
    const file = `${ARTIFACTS}${name}.html`;
    writeFileSync(file, renderHtml(results));
    const context = await browser.newContext({ viewport: { width: options.width ?? 1440, height: 900 }, bypassCSP: options.bypassCSP ?? false });
    opened.push(context);
    const { page, problems, dialogs, network } = await watchedPage(context, /^(file|data):/);
    page.on('request', (request) => {
      if (!/^(file|data):/.test(request.url())) network.push(request.url());
    });
    const started = performance.now();
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    return { page, context, problems, dialogs, network, loadMs: performance.now() - started, bytes: statSync(file).size };
  }

  /** "N of M findings match" or "M findings" -> N. */
  async function matchCount(page: Page): Promise<number> {
    const text = (await page.textContent('#result-count')) ?? '';
    return Number(/^([\d,]+)/.exec(text)![1]!.replace(/,/g, ''));
  }

  async function renderedRows(page: Page): Promise<number> {
    return page.locator('#findings-body tr.finding').count();
  }

  describe('a realistic organization', () => {
    const results = createResults({ seed: 61, findings: 1_200, accounts: 24, regions: 6 });
    let view: Opened;

    beforeAll(async () => {
      view = await open('realistic', results);
    });

    it('opens with no console error, no CSP violation and no network request', () => {
      expect(view.problems).toEqual([]);
      expect(view.network).toEqual([]);
      expect(view.dialogs).toEqual([]);
    });

    it('shows the first page of findings, worst first', async () => {
      expect(await matchCount(view.page)).toBe(results.findings.length);
      expect(await renderedRows(view.page)).toBe(50);
      const firstStatus = await view.page.locator('#findings-body tr.finding').first().locator('.status').textContent();
      expect(firstStatus).toBe('Fail');
    });

    const expectations: { filter: string; label: string; value: (page: Page) => Promise<string>; keep: (finding: Finding) => boolean }[] = [
      { filter: 'severity', label: 'critical', value: async () => 'critical', keep: (finding) => finding.severity === 'critical' },
      { filter: 'status', label: 'error', value: async () => 'error', keep: (finding) => finding.status === 'error' },
      {
        filter: 'account',
        label: 'the third account',
        value: async (page) => page.locator('#filter-account option').nth(3).getAttribute('value').then(String),
        keep: (finding) => finding.resource.accountId === [...new Set([...results.accounts.map((account) => account.id)])].sort()[2],
      },
      {
        filter: 'region',
        label: 'eu-west-1',
        value: async (page) => page.locator('#filter-region option', { hasText: /^eu-west-1$/ }).getAttribute('value').then(String),
        keep: (finding) => regionOf(finding) === 'eu-west-1',
      },
      {
        filter: 'framework',
        label: 'cis-aws-foundations-v5.0',
        value: async () => 'cis-aws-foundations-v5.0',
        keep: (finding) => finding.frameworks.some((control) => frameworkKey(control) === 'cis-aws-foundations-v5.0'),
      },
    ];

    it.each(expectations)('filters by $filter ($label)', async ({ filter, value, keep }) => {
      const { page } = view;
      await page.click('#filter-reset');
      await page.selectOption(`#filter-${filter}`, await value(page));
      const expected = results.findings.filter(keep).length;
      expect(expected).toBeGreaterThan(0);
      expect(await matchCount(page)).toBe(expected);
      expect(await renderedRows(page)).toBe(Math.min(50, expected));
    });

    it('combines filters and hides suppressed findings', async () => {
      const { page } = view;
      await page.click('#filter-reset');
      await page.selectOption('#filter-status', 'fail');
      await page.selectOption('#filter-severity', 'medium');
      const failingMedium = results.findings.filter((finding) => finding.status === 'fail' && finding.severity === 'medium');
      expect(await matchCount(page)).toBe(failingMedium.length);
      await page.check('#filter-suppressed');
      expect(await matchCount(page)).toBe(failingMedium.filter((finding) => !finding.suppression).length);
      await page.click('#filter-reset');
      await waitForText(page, '#result-count', new RegExp(`^${results.findings.length.toLocaleString('en-US')} findings$`));
    });

    it('searches ARNs, messages and rule ids', async () => {
      const { page } = view;
      const target = results.findings.find((finding) => finding.resource.type === 'trail')!;
      await page.fill('#filter-query', target.resource.arn.toUpperCase());
      await waitForText(page, '#result-count', /match$/);
      const expected = results.findings.filter((finding) => finding.resource.arn === target.resource.arn).length;
      expect(await matchCount(page)).toBe(expected);
      const arns = await page.locator('#findings-body tr.finding .arn').allTextContents();
      expect(arns.every((arn) => arn === target.resource.arn)).toBe(true);

      await page.fill('#filter-query', 'no such thing anywhere');
      await waitForText(page, '#result-count', /^0 of/);
      expect(await page.textContent('#findings-body')).toContain('No findings match these filters.');

      await page.fill('#filter-query', 'kms/key-rotation does not rotate');
      await waitForText(page, '#result-count', /^[1-9][\d,]* of/);
      const rotating = results.findings.filter((finding) => finding.ruleId === 'kms/key-rotation' && finding.message.includes('does not rotate')).length;
      expect(await matchCount(page)).toBe(rotating);
      await page.click('#filter-reset');
    });

    it('pages through the findings', async () => {
      const { page } = view;
      await page.click('#filter-reset');
      await waitForText(page, '#page-label', /^1–50 of/);
      await page.click('#page-next');
      expect(await page.textContent('#page-label')).toMatch(/^51–100 of 1,200 · page 2 of 24$/);
      await page.click('#page-last');
      expect(await page.textContent('#page-label')).toMatch(/^1,151–1,200 of 1,200 · page 24 of 24$/);
      expect(await page.isDisabled('#page-next')).toBe(true);
      await page.selectOption('#page-size', '250');
      expect(await renderedRows(page)).toBe(250);
    });

    it('opens the explorer filtered to an account and a rule from the matrix', async () => {
      const { page } = view;
      const cell = page.locator('.matrix td.state-fail .cell-button').first();
      const [account, rule] = await Promise.all([cell.getAttribute('data-account'), cell.getAttribute('data-rule')]);
      const expected = Number(await cell.textContent());
      await cell.click();
      expect(await page.inputValue('#filter-account')).toBe(account);
      expect(await page.inputValue('#filter-rule')).toBe(rule);
      const statuses = await page.locator('#findings-body tr.finding .status').allTextContents();
      expect(statuses.filter((status) => status === 'Fail').length).toBeGreaterThanOrEqual(expected);
      expect(await page.isVisible('#account-detail')).toBe(true);
      expect(await page.textContent('#account-detail')).toMatch(/^Account /);
    });

    it('expands a finding into its evidence, remediation and controls', async () => {
      const { page } = view;
      await page.click('#filter-reset');
      await page.selectOption('#filter-status', 'fail');
      await page.locator('#findings-body tr.finding').first().click();
      const detail = page.locator('#findings-body tr.detail').first();
      await detail.waitFor();
      const text = (await detail.textContent()) ?? '';
      expect(text).toContain('Evidence');
      expect(text).toContain('Fix in the AWS console');
      expect(text).toContain('Fix with the AWS CLI');
      expect(await page.locator('#findings-body .toggle[aria-expanded="true"]').count()).toBe(1);
    });

    it('writes a screenshot of the report to test-artifacts/report.png', async () => {
      const { page } = await open('screenshot', createResults({ seed: 62, findings: 900, accounts: 14, regions: 6 }));
      await page.locator('#findings-body tr.finding').nth(1).click();
      await page.screenshot({ path: `${ARTIFACTS}report.png`, fullPage: true });
      expect(statSync(`${ARTIFACTS}report.png`).size).toBeGreaterThan(50_000);
    });
  });

  describe('a report full of hostile strings', () => {
    const results = createResults({ seed: 63, findings: 1_500, accounts: 18, hostile: true });
    let view: Opened;

    beforeAll(async () => {
      view = await open('hostile', results, { bypassCSP: true });
    });

    async function assertInert(page: Page, dialogs: string[], problems: string[]): Promise<void> {
      expect(await page.evaluate((flag) => (globalThis as unknown as Record<string, unknown>)[flag], XSS_FLAG)).toBeUndefined();
      expect(dialogs).toEqual([]);
      expect(problems).toEqual([]);
      expect(await page.locator('img, iframe, object, embed, form[action], a[href^="javascript"]').count()).toBe(0);
    }

    it('runs no script from the data when it opens, even without its CSP', async () => {
      await assertInert(view.page, view.dialogs, view.problems);
      expect(view.network).toEqual([]);
    });

    it('stays inert while every hostile row is expanded, searched and filtered', async () => {
      const { page } = view;
      await page.selectOption('#page-size', '250');
      for (const query of ['onerror', 'script', 'constructor', '__proto__', 'javascript:', 'svg']) {
        await page.fill('#filter-query', query);
        await page.waitForTimeout(200);
        const rows = page.locator('#findings-body tr.finding');
        const count = Math.min(await rows.count(), 12);
        for (let index = 0; index < count; index += 1) await rows.nth(index).click();
      }
      await page.fill('#filter-query', '');
      for (const index of [1, 2, 3, 4, 5]) {
        await page.selectOption('#filter-account', String(index));
      }
      for (const details of await page.locator('details.rule').all()) await details.locator('summary').click();
      await assertInert(page, view.dialogs, view.problems);
    });

    it('shows hostile strings as text', async () => {
      const { page } = view;
      await page.click('#filter-reset');
      await page.fill('#filter-query', 'onerror=alert(1)');
      await waitForText(page, '#result-count', /match$/);
      expect(await matchCount(page)).toBeGreaterThan(0);
      const text = (await page.textContent('body')) ?? '';
      expect(text).toContain('<img src=x onerror=alert(1)>');
      await assertInert(page, view.dialogs, view.problems);
    });
  });

  it('blocks any script its CSP did not hash', async () => {
    const { page, problems } = await open('csp-probe', smallOrgResults());
    const ran = await page.evaluate(() => {
      const { document } = globalThis as unknown as BrowserGlobals;
      const script = document.createElement('script');
      script.textContent = 'window.cspProbe = 1';
      document.body.append(script);
      return (globalThis as unknown as { cspProbe?: number }).cspProbe;
    });
    expect(ran).toBeUndefined();
    expect(problems.join('\n')).toMatch(/Content Security Policy/);
  });

  it('renders the small-org golden report with its hostile account name as text', async () => {
    const { page, problems, dialogs, network } = await open('small-org', smallOrgResults());
    expect(problems).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(network).toEqual([]);
    expect(await page.locator('.matrix-account .account-name').allTextContents()).toContain('Prod <img src=x onerror=alert(1)> | `payments`');
  });

  it('opens 20,000 findings and paints the first page (time logged, not asserted)', async () => {
    const results = createResults({ seed: 64, findings: 20_000, accounts: 200, regions: 17 });
    const { page, problems, loadMs, bytes } = await open('large', results);
    const paint = await page.evaluate(() => {
      const timing = globalThis.performance as unknown as BrowserPerformance;
      return {
        firstContentfulPaint: timing.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1,
        domContentLoaded: timing.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? -1,
      };
    });
    console.info(
      `report.html, 20,000 findings: ${(bytes / 1024 / 1024).toFixed(2)} MiB; ready with first page rendered after ${loadMs.toFixed(0)} ms ` +
        `(DOMContentLoaded ${paint.domContentLoaded.toFixed(0)} ms, first contentful paint ${paint.firstContentfulPaint.toFixed(0)} ms)`,
    );
    expect(problems).toEqual([]);
    expect(await page.textContent('#result-count')).toBe('20,000 findings');
    expect(await renderedRows(page)).toBe(50);
    const started = performance.now();
    await page.selectOption('#filter-severity', 'high');
    await page.fill('#filter-query', 'trail');
    await waitForText(page, '#result-count', /match$/);
    console.info(`report.html, 20,000 findings: filter and first search took ${(performance.now() - started).toFixed(0)} ms`);
  }, 120_000);
  it('shows a failure its own commands, one code block each with a copy button, its Terraform, and an error how to get the fact; hostile text stays text', async () => {
    const results = createResults({ seed: 63, findings: 40, accounts: 2, regions: 1 });
    const failing = results.findings.find((f) => f.status === 'fail')!;
    const unevaluated = results.findings.find((f) => f.status === 'error')!;
    const hostile = `<img src=x onerror="window.__fixXss=1">`;
    failing.fix = {
      commands: 'aws s3api put-bucket-versioning --bucket logs-1 --versioning-configuration Status=Enabled\naws s3api get-bucket-versioning --bucket logs-1',
      terraform: `resource "aws_s3_bucket_versioning" "v" {\n  bucket = "${hostile}"\n}`,
    };
    unevaluated.fix = { collect: ['Allow s3:GetBucketAcl for the scanning role in account 111111111111, then scan again.'] };
    results.findings = [failing, unevaluated];
    const { page, problems, context } = await open('fixes', results);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    expect(problems).toEqual([]);
    await page.selectOption('#filter-status', 'fail');
    await page.locator('#findings-body tr.finding').first().click();
    const detail = page.locator('#findings-body tr.detail').first();
    await detail.waitFor();
    const cli = detail.locator('.detail-block', { hasText: 'Fix with the AWS CLI' });
    expect(await cli.locator('pre.cli code').allTextContents()).toEqual([
      'aws s3api put-bucket-versioning --bucket logs-1 --versioning-configuration Status=Enabled',
      'aws s3api get-bucket-versioning --bucket logs-1',
    ]);
    expect(await cli.locator('button.copy').count()).toBe(2);
    await cli.locator('button.copy').nth(1).click();
    await expect.poll(() => cli.locator('button.copy').nth(1).textContent()).toBe('Copied');
    expect(await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText())).toBe('aws s3api get-bucket-versioning --bucket logs-1');
    const terraform = detail.locator('.detail-block', { hasText: 'Terraform' });
    expect(await terraform.locator('pre.cli code').allTextContents()).toEqual([failing.fix.terraform]);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __fixXss?: number }).__fixXss)).toBeUndefined();

    await page.selectOption('#filter-status', 'error');
    await page.locator('#findings-body tr.finding').first().click();
    const errorDetail = page.locator('#findings-body tr.detail').first();
    await errorDetail.waitFor();
    expect(await errorDetail.locator('.detail-block', { hasText: 'How to get the missing fact' }).locator('li').allTextContents()).toEqual(unevaluated.fix.collect);
    // How to fix the control is not what an unevaluated finding needs.
    expect(await errorDetail.locator('.detail-block', { hasText: 'Fix with the AWS CLI' }).count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('shows the honest counts: accounts of the scan with those outside apart, and a passing share that counts unevaluated checks', async () => {
    const results = outsideAccountResults();
    const { honest } = expectedPassingPercent(results);
    const { page, problems } = await open('honest-counts', results);
    expect(problems).toEqual([]);
    expect(await page.locator('.masthead dd', { hasText: 'accounts' }).first().textContent()).toContain(`2 accounts (+1 outside the scan: ${OUTSIDE_ACCOUNT})`);
    expect((await page.locator('.kpi-pass .kpi-hint').textContent())?.trim()).toBe(`${honest}% of checks, counting those not evaluated`);
    expect((await page.locator('.donut-value').textContent())?.trim()).toBe(`${honest}%`);
  });
});
