import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvCell, csvReporter, renderCsv } from '../../src/reporters/csv.js';
import { compareFindings } from '../../src/reporters/model.js';
import { findingIdentity, type Results } from '../../src/results.js';
import { createResults } from '../fixtures/results-factory.js';
import { smallOrgResults } from './fixtures/small-org.js';
import { HOSTILE_VALUES, hostileResults } from './interchange-support.js';

const ctx = { color: false, width: 80 };

/** RFC 4180 as a strict parser reads it: every row the same width, quotes balanced. */
function parseCsv(text: string): string[][] {
  return parse(text, { bom: false, relax_quotes: false, relax_column_count: false, record_delimiter: '\r\n' }) as string[][];
}

/** The text as UTF-8 can carry it: a lone surrogate becomes U+FFFD. */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** What a cell holds once the formula guard is taken off again. */
function unguarded(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

describe('CSV', () => {
  it('has the documented columns, in order, and the README lists every one', () => {
    const [header] = parseCsv(renderCsv(smallOrgResults()));
    expect(header).toEqual([
      'rule_id',
      'rule_title',
      'status',
      'severity',
      'account_id',
      'account_name',
      'region',
      'resource_type',
      'resource_arn',
      'resource_name',
      'message',
      'frameworks',
      'suppressed',
      'suppression_reason',
      'suppression_expires',
      'baseline_state',
      'evidence',
      'finding_id',
    ]);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const [name] of CSV_COLUMNS) expect(readme, `README documents ${name}`).toContain(`\`${name}\``);
  });

  it('reads back with a strict RFC 4180 parser to one row per finding with its values', () => {
    const results = smallOrgResults();
    const rows = parseCsv(renderCsv(results));
    expect(rows).toHaveLength(results.findings.length + 1);
    const [header, ...body] = rows;
    const column = (name: string) => header!.indexOf(name);
    const ordered = [...results.findings].sort(compareFindings);
    body.forEach((row, index) => {
      const finding = ordered[index]!;
      expect(row[column('rule_id')]).toBe(finding.ruleId);
      expect(row[column('status')]).toBe(finding.status);
      expect(row[column('resource_arn')]).toBe(finding.resource.arn);
      expect(row[column('message')]).toBe(finding.message);
      expect(row[column('frameworks')]).toBe(finding.frameworks.join(' '));
      expect(row[column('suppressed')]).toBe(finding.suppression ? 'yes' : 'no');
      expect(row[column('finding_id')]).toBe(findingIdentity(finding, results.partition));
    });
    // Failures first, worst first; the suppressed failure last of all.
    expect(body[0]!.slice(0, 4)).toEqual(['bucket/not-public', 'Trail log bucket is not public', 'fail', 'critical']);
    expect(body.at(-1)![column('suppressed')]).toBe('yes');
    expect(body.find((row) => row[column('rule_id')] === 'trail/log-file-validation')![column('account_name')]).toBe('management');
  });

  it('round-trips hostile values: quotes, commas, line breaks, markup and controls come back as they were', () => {
    const results = hostileResults();
    const [header, ...body] = parseCsv(renderCsv(results));
    const column = (name: string) => header!.indexOf(name);
    const byArnAndRule = new Map(body.map((row) => [`${row[column('rule_id')]} ${row[column('resource_arn')]} ${row[column('account_id')]}`, row]));
    for (const finding of results.findings) {
      const row = byArnAndRule.get(`${finding.ruleId} ${finding.resource.arn} ${finding.resource.accountId}`)!;
      expect(unguarded(row[column('message')]!)).toBe(wellFormed(finding.message));
      expect(unguarded(row[column('resource_name')]!)).toBe(wellFormed(finding.resource.name!));
      expect(unguarded(row[column('account_name')]!)).toBe(wellFormed(results.accounts.find((a) => a.id === finding.resource.accountId)!.name!));
      if (finding.suppression) expect(unguarded(row[column('suppression_reason')]!)).toBe(wellFormed(finding.suppression.reason));
    }
    // Every hostile value appears, whole, in some cell (lone surrogates as U+FFFD: UTF-8 cannot carry them).
    const cells = new Set(body.flat().map(unguarded));
    for (const value of HOSTILE_VALUES) expect(cells.has(wellFormed(value)), JSON.stringify(value)).toBe(true);
  });

  it('never lets a spreadsheet read a cell as a formula', () => {
    const rows = parseCsv(renderCsv(hostileResults()));
    const cells = rows.flat();
    expect(cells.filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
    expect(cells).toContain("'=cmd|' /C calc'!A0");
    expect(cells).toContain("'+SUM(1,2)");
    expect(cells).toContain("'-2+3");
    expect(cells).toContain("'@SUM(A1:A9)");
    expect(cells).toContain("'\t=tab first");
    expect(cells).toContain("'\r=CR first");
  });

  it('quotes exactly the fields RFC 4180 requires', () => {
    expect(csvCell('plain text')).toBe('plain text');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\ronly')).toBe('"cr\ronly"');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('')).toBe('');
    // A cell longer than Excel holds is cut, never split into a second row.
    expect(csvCell('x'.repeat(40_000))).toHaveLength(32_767);
  });

  it('ends every record with CRLF, starts without a byte-order mark, and writes UTF-8 text unchanged', () => {
    const text = renderCsv(hostileResults());
    expect(text.startsWith('rule_id,')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text).toContain('Ünïcödé 日本語 العربية 🚨');
  });

  it('streams one piece per finding, the same text as render', () => {
    const results: Results = createResults({ seed: 7, findings: 2_000, hostile: true });
    const pieces = [...csvReporter.renderChunks!(results, ctx)];
    expect(pieces).toHaveLength(results.findings.length + 1);
    expect(pieces.join('')).toBe(csvReporter.render(results, ctx));
    expect(parseCsv(pieces.join(''))).toHaveLength(results.findings.length + 1);
  });

  it('keeps only the rows of the statuses --status asks for, failures for --quiet alone, like the console', () => {
    const results = smallOrgResults();
    const statusesOf = (text: string) => parseCsv(text).slice(1).map((row) => row[2]);
    const all = statusesOf(renderCsv(results, ctx));
    expect(new Set(all).size).toBeGreaterThan(2);
    expect(statusesOf(renderCsv(results, { ...ctx, statuses: ['fail', 'error'] }))).toEqual(all.filter((s) => s === 'fail' || s === 'error'));
    expect(statusesOf(renderCsv(results, { ...ctx, quiet: true }))).toEqual(all.filter((s) => s === 'fail'));
    expect(statusesOf(renderCsv(results, { ...ctx, quiet: true, statuses: ['pass'] }))).toEqual(all.filter((s) => s === 'pass'));
    expect([...csvReporter.renderChunks!(results, { ...ctx, statuses: ['error'] })].join('')).toBe(renderCsv(results, { ...ctx, statuses: ['error'] }));
    expect(all.filter((s) => s === 'fail').length).toBeGreaterThan(0);
  });

  it('writes the header alone for a scan without findings', () => {
    const results = { ...smallOrgResults(), findings: [] };
    expect(parseCsv(renderCsv(results))).toEqual([CSV_COLUMNS.map(([name]) => name)]);
  });
});
