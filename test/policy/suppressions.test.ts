import { describe, expect, it } from 'vitest';
import { applySuppressions, suppressionMatcher, suppressionWarnings } from '../../src/policy/suppressions.js';
import type { Finding } from '../../src/results.js';

const NOW = new Date('2026-06-01T00:00:00Z');

function failing(ruleId: string, arn: string, accountId: string): Finding {
  return { ruleId, status: 'fail', severity: 'high', resource: { type: 'trail', arn, accountId, region: 'us-east-1' }, message: `${arn} fails.`, evidence: [], frameworks: [] };
}

const FINDINGS = [
  failing('trail/log-file-validation', 'arn:aws:cloudtrail:us-east-1:111111111111:trail/main', '111111111111'),
  failing('trail/log-file-validation', 'arn:aws:cloudtrail:us-east-1:222222222222:trail/other', '222222222222'),
];

describe('suppression resource patterns', () => {
  it('treats a leading ! literally instead of negating the pattern (which would suppress every other resource)', () => {
    const out = applySuppressions(FINDINGS, [{ rule: 'trail/log-file-validation', resource: '!arn:aws:cloudtrail:*:111111111111:trail/*', reason: 'typo' }], NOW);
    expect(out.findings.filter((f) => f.suppression)).toEqual([]);
    expect(suppressionMatcher('!abc')('!abc')).toBe(true);
    expect(suppressionMatcher('!abc')('xyz')).toBe(false);
    expect(suppressionMatcher('!*')('anything')).toBe(false);
  });

  it('keeps braces, extglobs and groups literal; * spans / and :', () => {
    expect(suppressionMatcher('arn:{a,b}')('arn:a')).toBe(false);
    expect(suppressionMatcher('arn:{a,b}')('arn:{a,b}')).toBe(true);
    expect(suppressionMatcher('+(a)')('a')).toBe(false);
    expect(suppressionMatcher('@(a|b)')('a')).toBe(false);
    expect(suppressionMatcher('arn:aws:cloudtrail:*:111111111111:trail/*')('arn:aws:cloudtrail:us-east-1:111111111111:trail/a/b')).toBe(true);
    const out = applySuppressions(FINDINGS, [{ rule: 'trail/*', resource: '111111111111', reason: 'ok' }], NOW);
    expect(out.findings.map((f) => Boolean(f.suppression))).toEqual([true, false]);
  });

  it('warns about catch-all suppressions only', () => {
    expect(suppressionWarnings([{ rule: '*', resource: '*', reason: 'silence' }])).toEqual([
      expect.objectContaining({ code: 'suppression/catch-all', message: expect.stringMatching(/rule '\*' and resource '\*' \(silence\) silences every failing finding/) as unknown }),
    ]);
    expect(suppressionWarnings([{ rule: '**', resource: '*', reason: 'x' }])).toHaveLength(1);
    expect(suppressionWarnings([{ rule: '*', resource: '111111111111', reason: 'x' }, { rule: 'trail/*', resource: '*', reason: 'y' }])).toEqual([]);
  });
});
