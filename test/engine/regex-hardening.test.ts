/**
 * Nothing a snapshot or a policy contains may make evaluation super-linear: regular expressions
 * from metric filters and `matches` run on RE2 (or are refused as unparseable), parentheses nest
 * boundedly, and wildcard globs (IAM statements, suppressions) match without backtracking.
 * These cases hung a scan (or took seconds) with the backtracking engines they replace.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_REGEX_PROGRAM_SIZE, MAX_REGEX_SOURCE_LENGTH, cloudWatchRegexProblem, compileSafeRegex } from '../../src/engine/safe-regex.js';
import { MAX_CONDITIONS, MAX_NESTING_DEPTH, parseFilterPattern } from '../../src/engine/analysis/filter-pattern.js';
import { checkMetricFilter } from '../../src/engine/analysis/cis-monitoring.js';
import { matchesSomeValueStartingWith, wildcardMatch } from '../../src/aws-policy/policy-document.js';
import { OPERATORS } from '../../src/engine/operators.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadRule } from '../../src/policy/loader.js';
import { applySuppressions } from '../../src/policy/suppressions.js';
import type { Finding } from '../../src/results.js';
import { buildSnapshot } from '../support/snapshot-builder.js';
import { builtinFragments } from '../support/fragments.js';

const HOSTILE_FILTER = '{ ($.eventName = %((\\w+)+)+!%) }';
const lenient = { strict: false };

describe('safe regular expressions (RE2)', () => {
  it('matches like RegExp#test for ordinary patterns', () => {
    const cases: [string, string, boolean][] = [
      ['Delete', 'DeleteTrail', true],
      ['^Delete', 'DeleteTrail', true],
      ['^Trail', 'DeleteTrail', false],
      ['Trail$', 'DeleteTrail', true],
      ['^DeleteTrail$', 'DeleteTrail', true],
      ['^Delete$', 'DeleteTrail', false],
      ['^$', '', true],
      ['^(Create|Delete)Trail$', 'CreateTrail', true],
      ['^[A-Z][a-z]+Trail$', 'UpdateTrail', true],
      ['\\d{3}', 'abc123', true],
      ['a.c', 'abc', true],
      ['a\\.c', 'abc', false],
      ['colou?r', 'color', true],
    ];
    for (const [source, text, expected] of cases) {
      const compiled = compileSafeRegex(source);
      expect(compiled.ok).toBe(true);
      if (compiled.ok) expect([source, text, compiled.regex.test(text)]).toEqual([source, text, expected]);
      expect(new RegExp(source).test(text)).toBe(expected);
    }
  });

  it('runs nested quantifiers in linear time instead of backtracking', () => {
    const compiled = compileSafeRegex('^(a+)+$');
    if (!compiled.ok) throw new Error(compiled.message);
    expect(compiled.regex.test(`${'a'.repeat(100_000)}!`)).toBe(false);
    expect(compiled.regex.test('a'.repeat(100_000))).toBe(true);
    const cis = compileSafeRegex('((\\w+)+)+!');
    if (!cis.ok) throw new Error(cis.message);
    expect(cis.regex.test('x'.repeat(50_000))).toBe(false);
  });

  it('refuses what RE2 cannot run, with a reason, and never throws', () => {
    expect(compileSafeRegex('(a)\\1')).toMatchObject({ ok: false, message: expect.stringMatching(/invalid escape sequence/) });
    expect(compileSafeRegex('a(?!b)')).toMatchObject({ ok: false, message: expect.stringMatching(/unsupported Perl syntax/) });
    expect(compileSafeRegex('(')).toMatchObject({ ok: false, message: expect.stringMatching(/missing closing \)/) });
    expect(compileSafeRegex('x'.repeat(MAX_REGEX_SOURCE_LENGTH + 1))).toMatchObject({ ok: false, message: expect.stringMatching(/at most 4096/) });
    expect(compileSafeRegex('('.repeat(1500) + ')'.repeat(1500))).toMatchObject({ ok: false, message: expect.stringMatching(/nests too deeply/) });
    // Every repeat is within RE2's 1000, but together they would compile to a huge program.
    const huge = compileSafeRegex('[a-z]{1000}'.repeat(60));
    expect(huge).toMatchObject({ ok: false, message: expect.stringMatching(new RegExp(`at most ${MAX_REGEX_PROGRAM_SIZE}`)) });
  });

  it('compiles each distinct pattern once', () => {
    expect(compileSafeRegex('^cache-me-[0-9]+$')).toBe(compileSafeRegex('^cache-me-[0-9]+$'));
  });
});

describe('the CloudWatch regex subset', () => {
  it.each(['^DisableKey$|^ScheduleKeyDeletion$', '\\d{1,3}\\.\\d{1,3}', '[Ee]rror|[Ff]ail', 'ERROR [0-9]+', 'a:b_c#d=e@f/g;h,i-j', 'x\\!'])('accepts %s', (source) => {
    expect(cloudWatchRegexProblem(source)).toBeUndefined();
  });

  it.each([
    ['((\\w+)+)+!', 0, /no parentheses/],
    ['something!', 9, /'!' is not allowed/],
    ['caf\u00e9', 3, /U\+00E9 is not allowed/],
    ['tab\there', 3, /U\+0009/],
    ['a\\', 1, /lone backslash/],
    ['[z-a]', 0, /invalid character class range/],
  ])('refuses %j at offset %i', (source, offset, message) => {
    expect(cloudWatchRegexProblem(source)).toEqual({ offset, message: expect.stringMatching(message) });
  });
});

describe('metric filters with hostile regular expressions', () => {
  it(`refuses ${HOSTILE_FILTER} as unparseable, with the offset of the first parenthesis`, () => {
    const parsed = parseFilterPattern(HOSTILE_FILTER);
    expect(parsed).toEqual({ ok: false, error: { offset: 18, message: expect.stringMatching(/unsupported regular expression %\(\(\\w\+\)\+\)\+!%: '\(' is not allowed/) } });
    expect(checkMetricFilter(HOSTILE_FILTER, 'cloudtrail-changes', '5.0', lenient)).toMatchObject({ verdict: 'unparseable', offset: 18 });
  });

  it('gives an error finding that names the filter, promptly, when that filter is on a monitored log group', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const file = 'policies/monitoring/cloudtrail-changes.yaml';
    const { rule, diagnostics } = loadRule({ file, text: readFileSync(path.join(root, file), 'utf8'), builtin: true }, undefined, builtinFragments());
    expect(diagnostics).toEqual([]);
    const topic = 'arn:aws:sns:us-east-1:111111111111:security-alarms';
    const metric = { name: 'CloudTrailConfigChanges', namespace: 'CISBenchmark' };
    const snapshot = buildSnapshot({
      trails: [{ arn: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/audit' }],
      logGroups: [
        {
          arn: 'arn:aws:logs:us-east-1:111111111111:log-group:audit-log-group',
          metricFilters: [{ name: 'hostile-filter', pattern: HOSTILE_FILTER, metrics: [metric] }],
          alarms: [{ name: 'a', metricName: metric.name, namespace: metric.namespace, actionsEnabled: true, alarmActions: [topic] }],
        },
      ],
      snsTopics: [{ arn: topic }],
    });
    const [finding] = evaluate(snapshot, [rule!], { now: new Date(snapshot.scanTime) });
    expect(finding!.status).toBe('error');
    expect(finding!.errors).toEqual([expect.objectContaining({ code: 'UnparseableFilterPattern', message: expect.stringContaining("'(' is not allowed") })]);
    expect(finding!.evidence.map((e) => e.path)).toContainEqual(expect.stringContaining('metricFilters[hostile-filter].pattern'));
  });

  it('still analyses regular expressions inside the subset', () => {
    const pattern = '{ $.eventSource = kms.amazonaws.com && $.eventName = %^DisableKey$|^ScheduleKeyDeletion$% }';
    expect(checkMetricFilter(pattern, 'kms-key-disable-or-deletion', '5.0', lenient).verdict).toBe('covers');
    expect(checkMetricFilter('{ $.eventName = %^Disable% }', 'kms-key-disable-or-deletion', '1.2', lenient).verdict).toBe('missing-events');
  });

  it('turns parentheses nested beyond the limit into a syntax error, not a stack overflow', () => {
    const deep = (n: number) => `{ ${'('.repeat(n)}$.eventName = CreateTrail${')'.repeat(n)} }`;
    expect(parseFilterPattern(deep(MAX_NESTING_DEPTH)).ok).toBe(true);
    const tooDeep = parseFilterPattern(deep(100_000));
    expect(tooDeep).toEqual({ ok: false, error: { offset: 2 + MAX_NESTING_DEPTH, message: `parentheses nest more than ${MAX_NESTING_DEPTH} deep` } });
    expect(checkMetricFilter(deep(100_000), 'cloudtrail-changes', '5.0', lenient).verdict).toBe('unparseable');
  });

  it('bounds the work of the normal form: many conditions, or many alternatives times many conjuncts', () => {
    const many = `{ ${Array.from({ length: MAX_CONDITIONS + 1 }, (_, i) => `$.eventName = E${i}`).join(' || ')} }`;
    expect(parseFilterPattern(many)).toMatchObject({ ok: false, error: { message: `more than ${MAX_CONDITIONS} conditions` } });
    // 2^11 alternatives, each with 490 more conjuncts: it took minutes to expand.
    const wide = `{ ${Array.from({ length: 11 }, (_, i) => `($.eventName = CreateTrail || $.x${i} = ${i})`).join(' && ')} && ${Array.from({ length: 490 }, (_, i) => `$.eventSource = s${i}`).join(' && ')} }`;
    expect(checkMetricFilter(wide, 'cloudtrail-changes', '5.0', lenient)).toMatchObject({ verdict: 'unparseable', detail: expect.stringMatching(/expands to too many conditions/) });
  });

  it('the coversCis operator reports the refused pattern as a collection error', () => {
    const verdict = OPERATORS.coversCis.test(HOSTILE_FILTER, { control: 'cloudtrail-changes', version: '5.0' });
    expect(verdict).toMatchObject({ $error: { code: 'UnparseableFilterPattern' } });
  });
});

describe('wildcard globs without backtracking', () => {
  const adversarial = 'a*'.repeat(40) + 'b';
  const long = 'a'.repeat(20_000);

  it('wildcardMatch decides a*a*…a*b against a long run of a in quadratic time at worst', () => {
    expect(wildcardMatch(adversarial, long)).toBe(false);
    expect(wildcardMatch(adversarial, `${long}b`)).toBe(true);
  });

  it('matchesSomeValueStartingWith is one pass over the prefix (it tried every prefix of the pattern)', () => {
    const pattern = `${'a*'.repeat(2000)}b`;
    expect(matchesSomeValueStartingWith(pattern, 'a'.repeat(2000))).toBe(true);
    expect(matchesSomeValueStartingWith(`${'a?'.repeat(2000)}b`, `${'a'.repeat(500)}c`)).toBe(false);
    expect(matchesSomeValueStartingWith(pattern, `c${'a'.repeat(2000)}`)).toBe(false);
    expect(matchesSomeValueStartingWith(`${'a*'.repeat(2000)}b`, `${'a'.repeat(2000)}c`)).toBe(true); // a `*` absorbs the c
  });

  it.each([
    ['arn:aws:s3:::logs/*', 'arn:aws:s3:::logs/AWSLogs/', true],
    ['arn:aws:s3:::logs/AWSLogs/111111111111/*', 'arn:aws:s3:::logs/', true],
    ['arn:aws:s3:::other/*', 'arn:aws:s3:::logs/', false],
    ['arn:aws:s3:::log?/x', 'arn:aws:s3:::logs/', true],
    ['*', 'anything', true],
    ['', 'x', false],
    ['', '', true],
    ['S3:Put*', 's3:', true],
  ] as const)('matchesSomeValueStartingWith(%s, %s) is %s', (pattern, prefix, expected) => {
    expect(matchesSomeValueStartingWith(pattern, prefix, true)).toBe(expected);
  });

  it('suppressions match a*a*…a*b against a long resource promptly (the glob library took 17 s at 100 characters)', () => {
    const finding = { ruleId: 'trail/x', status: 'fail', resource: { arn: `arn:aws:cloudtrail:us-east-1:111111111111:trail/${'a'.repeat(5000)}`, accountId: '111111111111' } } as unknown as Finding;
    const entries = [{ rule: 'trail/*', resource: `arn:aws:cloudtrail:*:trail/${'a*'.repeat(12)}b`, reason: 'r' }];
    expect(applySuppressions([finding], entries, new Date('2026-01-01')).findings[0]!.suppression).toBeUndefined();
    const matching = [{ rule: 'trail/*', resource: `arn:aws:cloudtrail:*:trail/${'a*'.repeat(12)}`, reason: 'r' }];
    expect(applySuppressions([finding], matching, new Date('2026-01-01')).findings[0]!.suppression).toEqual({ reason: 'r' });
  });
});
