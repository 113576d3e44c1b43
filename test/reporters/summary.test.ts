import { describe, expect, it } from 'vitest';
import { codeSpan, inline } from '../../src/reporters/markdown.js';
import { renderSummary, SUMMARY_LIMITS } from '../../src/reporters/summary.js';
import { createResults, HOSTILE_STRINGS } from '../fixtures/results-factory.js';
import { smallOrgResults } from './fixtures/small-org.js';
import { expectedPassingPercent, OUTSIDE_ACCOUNT, outsideAccountResults, packResults } from './fixtures/honest-counts.js';

/** Cell delimiters of a GFM table row: pipes not escaped with a backslash. */
function cellCount(row: string): number {
  return row.match(/(?<!\\)\|/g)?.length ?? 0;
}

/** Every markdown table in `text`, as lists of rows. */
function tables(text: string): string[][] {
  const found: string[][] = [];
  let current: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('|')) current.push(line);
    else if (current.length > 0) {
      found.push(current);
      current = [];
    }
  }
  if (current.length > 0) found.push(current);
  return found;
}

describe('job summary', () => {
  const hostile = renderSummary(createResults({ seed: 21, findings: 3_000, accounts: 40, regions: 6, hostile: true }));

  it('keeps every table row as wide as its header, whatever the AWS strings hold', () => {
    const found = tables(hostile);
    expect(found.length).toBeGreaterThanOrEqual(4);
    for (const rows of found) {
      const width = cellCount(rows[0]!);
      for (const row of rows) expect(cellCount(row), row).toBe(width);
    }
  });

  it('lets no AWS string open HTML or start markdown syntax', () => {
    const withoutOwnMarkup = hostile.replace(/<\/?sub>/g, '');
    expect(withoutOwnMarkup).not.toMatch(/<[a-z!/]/i);
    expect(hostile).not.toContain('[link](https://evil.example)');
    expect(hostile).not.toContain('\u001b');
    expect(hostile).not.toMatch(/[\u2028\u2029]/);
  });

  it('bounds the matrix and the lists, and says what it left out', () => {
    expect(hostile).toMatch(/Showing the 15 accounts with the most failures of 40/);
    const matrixRows = tables(hostile).find((rows) => rows[0]!.startsWith('| Account |'))!;
    expect(matrixRows).toHaveLength(2 + SUMMARY_LIMITS.matrixAccounts);
    expect(cellCount(matrixRows[0]!)).toBe(SUMMARY_LIMITS.matrixRules + 2);
  });

  it('stays under 1 MiB for 20,000 findings across 1,000 accounts', () => {
    const text = renderSummary(createResults({ seed: 22, findings: 20_000, accounts: 1_000, regions: 17, hostile: true }));
    expect(Buffer.byteLength(text)).toBeLessThan(1024 * 1024);
    expect(text).toContain('### Top failures');
  });

  it('cuts at a line break with a note when it would exceed its byte limit', () => {
    const text = renderSummary(smallOrgResults(), { ...SUMMARY_LIMITS, maxBytes: 1_500 });
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1_500);
    expect(text).toMatch(/cut to stay under GitHub's 1 MiB job summary limit/);
    expect(text).not.toContain('\uFFFD');
  });

  it('links remediation only over https, and names the permission to grant', () => {
    const text = renderSummary(smallOrgResults());
    expect(text).toContain('[How to fix](https://github.com/trailwarden/trailwarden/blob/main/policies/bucket/not-public.yaml)');
    expect(text).toContain('Grant kms:GetKeyRotationStatus to the scanning role');
    const results = smallOrgResults();
    results.rules = results.rules.map((rule) => ({ ...rule, helpUri: 'javascript:alert(1)' }));
    expect(renderSummary(results)).not.toContain('javascript:');
  });

  it('reports no failures plainly', () => {
    const results = smallOrgResults();
    results.findings = results.findings.filter((finding) => finding.status !== 'fail');
    const text = renderSummary(results);
    expect(text).toContain('🟢 **No failing findings**');
    expect(text).not.toContain('### Top failures');
  });
});

describe('markdown escaping', () => {
  it('escapes syntax, HTML and line breaks in inline text', () => {
    expect(inline('a|b `c` *d* <e> & [f](g)')).toBe('a\\|b \\`c\\` \\*d\\* &lt;e&gt; &amp; \\[f\\](g)');
    expect(inline('# title\nnext')).toBe('\\# title next');
    expect(inline('- item')).toBe('\\- item');
    expect(inline('1. item')).toBe('1\\. item');
  });

  it('makes code spans that survive backticks, and escapes pipes in tables only', () => {
    expect(codeSpan('a`b')).toBe('``a`b``');
    expect(codeSpan('`a')).toBe('`` `a ``');
    expect(codeSpan('a|b', 'table')).toBe('`a\\|b`');
    expect(codeSpan('a|b')).toBe('`a|b`');
  });

  it('escapes every hostile string so it renders as itself', () => {
    for (const hostileString of HOSTILE_STRINGS) {
      const escaped = inline(hostileString);
      expect(escaped).not.toMatch(/(?<!\\)[|`*[\]<>]/);
    }
  });
});

describe('job summary counts, as every output counts them', () => {
  it('counts the accounts of the scan and names those outside it apart; the passing share counts unevaluated checks', () => {
    const results = outsideAccountResults();
    const { honest } = expectedPassingPercent(results);
    const text = renderSummary(results);
    expect(text).toContain(`2 accounts (+1 outside the scan: ${OUTSIDE_ACCOUNT})`);
    expect(text).toContain(`passing (${honest}% of the checks, counting those not evaluated)`);
  });
});

describe('job summary per-control rollup', () => {
  it('has a table of the pack’s controls with passing, failing and not evaluated shares', () => {
    const results = packResults();
    const text = renderSummary(results);
    expect(text).toContain('### Controls of CIS test benchmark (2 accounts each)');
    expect(text).toContain('| Control | Title | Passing | Failing | Not evaluated | N/A |');
    const kms = results.controls!.controls.find((control) => control.id === '3.5')!;
    expect(text).toContain(`| \`3.5\` | Ensure CloudTrail logs are encrypted at rest using KMS CMKs | ${kms.passing} of 2 (${Math.floor((kms.passing / 2) * 100)}%) | ${kms.failing} of 2 (${Math.floor((kms.failing / 2) * 100)}%) | ${kms.unevaluated} of 2 (${Math.floor((kms.unevaluated / 2) * 100)}%) | ${kms.notApplicable} |`);
    expect(renderSummary(smallOrgResults())).not.toContain('### Controls of');
  });
});
