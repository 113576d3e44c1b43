/**
 * report.html as text: escaping, the JSON payload, the CSP and self-containment. What the page
 * does when it runs is tested in real Chromium by html.browser.test.ts.
 */
import { displayText } from '../../src/reporters/text-safety.js';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FINDING_FIELDS, HTML_MAX_DETAIL_ROWS, jsonForScript, MATRIX_MAX_ACCOUNTS, renderHtml, resourceText, TOP_FAILURES } from '../../src/reporters/html.js';
import { SEVERITY_RANK, type Severity } from '../../src/results.js';
import { createResults, HOSTILE_STRINGS } from '../fixtures/results-factory.js';
import { smallOrgResults } from './fixtures/small-org.js';
import { expectedPassingPercent, OUTSIDE_ACCOUNT, outsideAccountResults, packResults } from './fixtures/honest-counts.js';

function payloadOf(html: string): { fields: string[]; findings: unknown[][]; accounts: { id: string; name: string | null }[] } {
  const match = /<script type="application\/json" id="trailwarden-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error('no payload');
  return JSON.parse(match[1]!);
}

function hash(text: string): string {
  return `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
}

describe('report.html', () => {
  const hostileResults = createResults({ seed: 41, findings: 2_000, accounts: 30, hostile: true });
  const hostile = renderHtml(hostileResults);

  it('never writes a hostile string as markup', () => {
    // Inside the JSON payload `onerror=` is inert string content; everywhere else it must not appear.
    const markup = hostile.replace(/<script type="application\/json"[\s\S]*?<\/script>/, '');
    for (const pattern of [/<img/i, /<svg\/onload/i, /<script>window/i, /onerror=/i, /onload=/i, /<!--</]) expect(markup).not.toMatch(pattern);
    expect(hostile).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
  });

  it('has exactly the two script elements it wrote', () => {
    expect(hostile.match(/<script/g)).toHaveLength(2);
    expect(hostile.match(/<\/script>/g)).toHaveLength(2);
  });

  it('embeds every finding as JSON that cannot break out of its script element', () => {
    const block = /<script type="application\/json" id="trailwarden-data">([\s\S]*?)<\/script>/.exec(hostile)![1]!;
    expect(block).not.toMatch(/[<>&\u2028\u2029]/);
    const payload = payloadOf(hostile);
    expect(payload.fields).toEqual([...FINDING_FIELDS]);
    expect(payload.findings).toHaveLength(hostileResults.findings.length);
    const messages = new Set(payload.findings.map((row) => row[FINDING_FIELDS.indexOf('message')]));
    // Shown text is neutralized (controls, bidi and invisible characters made visible); everything else is kept.
    for (const finding of hostileResults.findings) expect(messages.has(displayText(finding.message))).toBe(true);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(JSON.stringify(payload)).not.toMatch(/[\u0000-\u001f\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]/);
  });

  it('escapes script-breaking characters in JSON and keeps the value', () => {
    const value = { text: '</script><!-- & \u2028\u2029 >' };
    const escaped = jsonForScript(value);
    expect(escaped).toBe('{"text":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029 \\u003e"}');
    expect(JSON.parse(escaped)).toEqual(value);
  });

  it('loads nothing: no external src, href, url() or import', () => {
    expect(hostile).not.toMatch(/\s(src|href|action|formaction|xlink:href)="(?!#)/i);
    // URL.createObjectURL( and revokeObjectURL( are the CSV export's in-page Blob download, not a load; any other url( is.
    expect(hostile).not.toMatch(/(?<!(create|revoke)Object)url\(|@import|<link|<iframe|<object|<embed/i);
    expect(hostile.match(/(create|revoke)ObjectURL\(/g)).toHaveLength(2);
  });

  it('allows exactly its own style and script by hash', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(hostile)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(hostile)![1]!;
    const script = /<script>([\s\S]*?)<\/script>/.exec(hostile)![1]!;
    expect(csp).toBe(`default-src 'none'; style-src ${hash(style)}; script-src ${hash(script)}; img-src data:; base-uri 'none'; form-action 'none'`);
  });

  it('uses no inline style attribute or event handler, which the CSP would block', () => {
    expect(hostile).not.toMatch(/\sstyle="/i);
    expect(hostile).not.toMatch(/\son[a-z]+="/i);
  });

  it('bounds the matrix and says so', () => {
    const many = renderHtml(createResults({ seed: 42, findings: 3_000, accounts: MATRIX_MAX_ACCOUNTS + 20 }));
    const body = /<table class="matrix">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(many)![1]!;
    expect(body.match(/<tr>/g)).toHaveLength(MATRIX_MAX_ACCOUNTS);
    expect(many).toContain(`Showing the ${MATRIX_MAX_ACCOUNTS} accounts with the most failures of ${MATRIX_MAX_ACCOUNTS + 20}`);
  });

  it('names the missing permission of each collection error', () => {
    const html = renderHtml(smallOrgResults());
    expect(html).toMatch(/<code>kms:GetKeyRotationStatus<\/code><div class="hint">Grant this action to the scanning role.<\/div>/);
  });

  it('renders 20,000 findings into a page of bounded size', () => {
    const results = createResults({ seed: 43, findings: 20_000, accounts: 200, regions: 17 });
    const started = performance.now();
    const html = renderHtml(results);
    const elapsed = performance.now() - started;
    const bytes = Buffer.byteLength(html);
    console.info(`report.html with 20,000 findings: ${(bytes / 1024 / 1024).toFixed(2)} MiB rendered in ${elapsed.toFixed(0)} ms`);
    expect(payloadOf(html).findings).toHaveLength(20_000);
  });

  it('uses no triple-stash in any template: data is always escaped', () => {
    const dir = new URL('../../reports/', import.meta.url);
    const templates = readdirSync(dir).filter((name) => name.endsWith('.hbs'));
    expect(templates.length).toBeGreaterThanOrEqual(3);
    for (const name of templates) expect(readFileSync(new URL(name, dir), 'utf8'), name).not.toContain('{{{');
  });

  it('shows every hostile string as text somewhere in the explorer data', () => {
    const payload = JSON.stringify(payloadOf(hostile));
    const shown = HOSTILE_STRINGS.filter((text) => payload.includes(JSON.stringify(text).slice(1, -1)));
    expect(shown.length).toBeGreaterThan(HOSTILE_STRINGS.length / 2);
  });
});

describe('what to fix first', () => {
  const verdictOf = (html: string) => /<div class="verdict-word">([^<]*)<\/div>\s*<div class="verdict-text">\s*<p class="verdict-headline">([^<]*)<\/p>\s*<p class="verdict-threshold mono">([^<]*)</.exec(html)?.slice(1);

  it('states the verdict of the gate it is given, with the threshold, and none when it is given none', () => {
    const results = smallOrgResults();
    expect(verdictOf(renderHtml(results, { gate: { exitCode: 1, failOn: 'high' } }))).toEqual(['Failed', '1 failing finding at High severity or above', '--fail-on high · exit code 1']);
    expect(verdictOf(renderHtml(results, { gate: { exitCode: 3, failOn: 'critical' } }))?.[0]).toBe('Incomplete');
    expect(verdictOf(renderHtml(results, { gate: { exitCode: 3, failOn: 'critical' } }))?.[1]).toBe('Nothing fails at Critical or above, but the scan is incomplete: 1 finding could not be evaluated');
    expect(verdictOf(renderHtml(results, { gate: { exitCode: 0, failOn: 'none' } }))).toEqual(['Passed', 'Findings do not gate this run', '--fail-on none · exit code 0']);
    expect(verdictOf(renderHtml(results, { gate: { exitCode: 1, failOn: 'medium', newOnly: true } }))?.[2]).toBe('--fail-on medium --fail-on-new · exit code 1');
    expect(renderHtml(results)).not.toContain('id="gate"');
  });

  it('lists the failing rules most severe first, marking those that fail the gate', () => {
    const html = renderHtml(createResults({ seed: 44, findings: 1_500, accounts: 12 }), { gate: { exitCode: 1, failOn: 'critical' } });
    const items = [...html.matchAll(/<li class="top-item">\s*<span class="sev sev-(\w+)">[\s\S]*?<\/li>/g)];
    expect(items).toHaveLength(TOP_FAILURES);
    const ranks = items.map((item) => SEVERITY_RANK[item[1] as Severity]);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    for (const item of items) expect(item[0].includes('fails the gate')).toBe(item[1] === 'critical');
  });

  it('gives every rule with a failure a matrix column, however many there are', () => {
    const base = createResults({ seed: 45, findings: 400, accounts: 6 });
    const template = base.findings.find((finding) => finding.status === 'fail')!;
    const extra = Array.from({ length: 60 }, (_, index) => `extra/rule-${String(index).padStart(2, '0')}`);
    const results = {
      ...base,
      rules: [...base.rules, ...extra.map((id) => ({ ...base.rules[0]!, id, severity: 'info' as const }))],
      findings: [...base.findings, ...extra.map((ruleId) => ({ ...template, ruleId, severity: 'info' as const }))],
    };
    const html = renderHtml(results);
    const columns = [...html.matchAll(/<th scope="col" class="matrix-rule" title="([^"]+?) — /g)].map((match) => match[1]);
    const failing = new Set(results.findings.filter((finding) => finding.status === 'fail').map((finding) => finding.ruleId));
    expect(failing.size).toBeGreaterThan(60);
    for (const rule of failing) expect(columns).toContain(rule);
  });

  it('names an account resource as the account, not by its :root ARN', () => {
    const results = smallOrgResults();
    const account = results.findings.find((finding) => finding.resource.type === 'account')!;
    const names = new Map(results.accounts.map((entry) => [entry.id, entry.name]));
    const name = names.get(account.resource.accountId);
    expect(account.resource.arn).toMatch(/:root$/);
    expect(resourceText(account.resource, names)).toBe(displayText(`account ${account.resource.accountId}${name ? ` (${name})` : ''}`));
    const trail = results.findings.find((finding) => finding.resource.type === 'trail')!;
    expect(resourceText(trail.resource, names)).toBe(displayText(trail.resource.arn));
    // The payload keeps the ARN itself, for search and the CSV export; report.js shows the account.
    const arns = payloadOf(renderHtml(results)).findings.map((row) => row[FINDING_FIELDS.indexOf('arn')]);
    expect(arns).toContain(account.resource.arn);
  });
});

describe('very large results', () => {
  it('lists every failing and error finding but leaves passes out of the detail rows past the limit, and says so', () => {
    const results = createResults({ seed: 7, findings: HTML_MAX_DETAIL_ROWS + 5_000, accounts: 300, regions: 17 });
    const html = renderHtml(results);
    const payload = JSON.parse(html.match(/<script type="application\/json" id="trailwarden-data">([\s\S]*?)<\/script>/)![1]!) as { findings: unknown[] };
    const actionable = results.findings.filter((f) => f.status === 'fail' || f.status === 'error').length;
    expect(payload.findings.length).toBe(HTML_MAX_DETAIL_ROWS);
    expect(payload.findings.length).toBeGreaterThanOrEqual(actionable);
    expect(html).toContain('5,000 passing or not-applicable findings are counted above but not listed row by row');
  });
});

describe('report.html counts, as every output counts them', () => {
  it('counts the accounts of the scan and names those outside it apart; the passing share counts unevaluated checks', () => {
    const results = outsideAccountResults();
    const { honest } = expectedPassingPercent(results);
    const html = renderHtml(results);
    expect(html).toContain(`<dd>2 accounts (+1 outside the scan: ${OUTSIDE_ACCOUNT}) · `);
    expect(html).toContain(`${honest}% of checks, counting those not evaluated`);
    expect(html).toMatch(new RegExp(`class="donut-value"[^>]*>${honest}%<`));
    // The outside account still has its findings in the explorer.
    expect(payloadOf(html).accounts.map((account) => account.id)).toContain(OUTSIDE_ACCOUNT);
  });
});

describe('report.html per-control rollup', () => {
  it('has a table of the pack’s controls, one row each, and none without a pack', () => {
    const results = packResults();
    const html = renderHtml(results);
    expect(html).toContain('<h2 class="card-title">Controls of CIS test benchmark</h2>');
    const rows = [...html.matchAll(/<tr><th scope="row" class="mono">([^<]+)<\/th><td>([^<]*)<\/td><td class="num tone-text-pass">([^<]+)<\/td><td class="num tone-text-fail">([^<]+)<\/td><td class="num tone-text-error">([^<]+)<\/td>/g)];
    expect(rows.map((row) => row[1])).toEqual(results.controls!.controls.map((control) => control.id));
    const first = results.controls!.controls[0]!;
    expect(rows[0]![3]).toBe(`${first.passing} of 2 (${Math.floor((first.passing / 2) * 100)}%)`);
    expect(renderHtml(smallOrgResults())).not.toContain('id="controls"');
  });
});
