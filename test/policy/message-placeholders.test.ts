/**
 * Rule messages interpolate fact values (issue 17): `{trail.s3BucketName}` is checked at load like a
 * condition path (an unknown placeholder is a located error, exit 2), filled per finding, and shown
 * safely: SARIF doubles the braces its message strings reserve for placeholders.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-runner.js';
import { loadRule } from '../../src/policy/loader.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { buildSnapshot } from '../support/snapshot-builder.js';
import { formatValue, parseMessage } from '../../src/engine/message-template.js';
import { REPORTERS } from '../../src/reporters/index.js';
import { smallOrgResults } from '../reporters/fixtures/small-org.js';

function ruleText(messages: { pass: string; fail: string }): string {
  return [
    'id: acme/bucket-named',
    'title: Trail bucket {is} named',
    'severity: low',
    'scope: trail',
    'description: Buckets are named acme-*.',
    'remediation: { cli: x }',
    'condition: { path: trail.s3BucketName, op: startsWith, value: acme- }',
    'messages:',
    `  pass: ${JSON.stringify(messages.pass)}`,
    `  fail: ${JSON.stringify(messages.fail)}`,
    '',
  ].join('\n');
}

describe('fact placeholders in messages', () => {
  it('an unknown placeholder is exit 2, located at the placeholder, with the name meant', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trailwarden-placeholders-'));
    mkdirSync(path.join(dir, 'acme'));
    writeFileSync(
      path.join(dir, 'acme/bucket-named.yaml'),
      ruleText({ pass: 'The {resource} delivers to {trail.s3BucketName}.', fail: 'The {resorce} delivers to {trail.s3Bucket} in {param.region}.' }),
    );
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(2);
    const lines = r.stdout.split('\n').filter(Boolean).map((l) => l.replace(`${dir}/`, ''));
    expect(lines.slice(0, 3)).toEqual([
      "acme/bucket-named.yaml:10:14 policy/unknown-placeholder unknown placeholder {resorce}: 'resorce' is not in the snapshot schema for this scope: no 'resorce' (did you mean 'resource'?); available here: trail",
      expect.stringMatching(/^acme\/bucket-named\.yaml:10:36 policy\/unknown-placeholder unknown placeholder \{trail\.s3Bucket\}: 'trail\.s3Bucket' is not in the snapshot schema for this scope: no 's3Bucket' \(did you mean 's3BucketName'\?\); available here: /),
      'acme/bucket-named.yaml:10:56 policy/unknown-param message uses {param.region}, which is not declared in params',
    ]);
  });

  it('fills facts per finding: strings, lists, nothing and a missing fact; literal braces and the title stay text', () => {
    const { rule, diagnostics } = loadRule({
      file: 'acme/bucket-named.yaml',
      text: ruleText({ pass: 'The {resource} delivers to {trail.s3BucketName} ({trail.tags[].key}).', fail: 'The {resource} delivers to {trail.s3BucketName}, not { acme-* }: {evidence}.' }),
      builtin: false,
    });
    expect(diagnostics).toEqual([]);
    const snapshot = buildSnapshot({
      trails: [
        { arn: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/good', s3BucketName: 'acme-logs', tags: [{ key: 'team', value: 'a' }, { key: 'cost', value: 'b' }] },
        { arn: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/bad', s3BucketName: 'other-logs' },
      ],
    });
    const messages = evaluate(snapshot, [rule!], { now: new Date(snapshot.scanTime) }).map((f) => f.message);
    expect(messages).toContain('The trail good (arn:aws:cloudtrail:us-east-1:111111111111:trail/good) delivers to acme-logs (team, cost).');
    expect(messages).toContain('The trail bad (arn:aws:cloudtrail:us-east-1:111111111111:trail/bad) delivers to other-logs, not { acme-* }: trail.s3BucketName = "other-logs".');
    expect(formatValue({ $error: { action: 's3:GetBucketAcl', code: 'AccessDenied' } })).toBe('unknown');
    expect(formatValue([])).toBe('none');
    expect(formatValue(null)).toBe('none');
    expect(formatValue(Array.from({ length: 12 }, (_, i) => `g${i}`))).toBe('g0, g1, g2, g3, g4, g5, g6, g7, g8, g9 and 2 more');
    expect(formatValue('x'.repeat(5000))).toHaveLength(300);
    expect(parseMessage('{ not a placeholder } and {"json": 1}').placeholders).toEqual([]);
  });

  it('SARIF message text doubles braces, so a value with {0} is not read as a placeholder', () => {
    const results = smallOrgResults();
    results.findings.find((f) => f.status === 'fail')!.message = 'Tag {0} of bucket {acme} is set.';
    const sarif = JSON.parse(REPORTERS.sarif.render(results, { color: false, width: 80 })) as { runs: { results: { message: { text: string } }[] }[] };
    const texts = sarif.runs[0]!.results.map((r) => r.message.text);
    expect(texts.some((t) => t.startsWith('Tag {{0}} of bucket {{acme}} is set'))).toBe(true);
    for (const text of texts) expect(text.replace(/\{\{|\}\}/g, '')).not.toMatch(/[{}]/);
  });
});
