/**
 * Suppressions that are probably mistakes (issue 17): a catch-all (`*` rule and `*` resource), an
 * entry that suppresses nothing in the scan, and an unknown rule id. The first two are warnings on
 * the console and in results.json, located in the config file; the third stops the run (exit 2),
 * since the suppression it meant would silently not apply.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../src/results.js';
import { applySuppressions } from '../../src/policy/suppressions.js';
import { runCli } from '../support/cli-runner.js';

function configIn(lines: string[]): { dir: string; config: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'trailwarden-suppressions-'));
  const config = path.join(dir, 'trailwarden.config.yaml');
  writeFileSync(config, `${lines.join('\n')}\n`);
  return { dir, config };
}

describe('suppression warnings', () => {
  it('a catch-all and an entry that matches nothing: located warnings on stderr and in results.json; the used entry is quiet', async () => {
    const { dir, config } = configIn([
      'suppressions:',
      '  - rule: trail/log-file-validation',
      '    resource: "arn:aws:cloudtrail:*:333333333333:trail/*"',
      '    reason: Payments local trail is being decommissioned.',
      '  - rule: trail/kms-encryption',
      '    resource: "arn:aws:cloudtrail:*:999999999999:trail/gone"',
      '    reason: A trail deleted last year.',
      '  - rule: "*"',
      '    resource: "*"',
      '    reason: silence everything',
    ]);
    const r = await runCli(['scan', '--demo', '--config', config, '--out-dir', dir, '--format', 'json']);
    expect(r.code).not.toBe(2); // warnings never stop the run (the demo's exit is its findings' and scope's)
    const warnings = r.stderr.split('\n').filter((line) => line.includes('suppression/'));
    expect(warnings).toEqual([
      `warning: ${config}:8:5 suppression/catch-all rule '*' and resource '*' (silence everything) silences every failing finding of every rule`,
      `warning: ${config}:5:5 suppression/unused rule 'trail/kms-encryption' and resource 'arn:aws:cloudtrail:*:999999999999:trail/gone' match no failing or unevaluated finding of this scan; remove the entry if the finding is fixed or gone`,
    ]);
    const results = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as Results;
    expect(results.warnings).toEqual([
      { file: config, line: 8, column: 5, code: 'suppression/catch-all', message: "rule '*' and resource '*' (silence everything) silences every failing finding of every rule" },
      expect.objectContaining({ file: config, line: 5, column: 5, code: 'suppression/unused' }),
    ]);
  });

  it('validate warns about the catch-all with its location too', async () => {
    const { config } = configIn(['suppressions:', '  - { rule: "**", resource: "*", reason: all }']);
    const r = await runCli(['validate', '--config', config]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: ${config}:2:5 suppression/catch-all rule '**' and resource '*' (all) silences every failing finding of every rule\n`);
  });

  it('an unknown rule id is a located config error with the id meant, exit 2', async () => {
    const { dir, config } = configIn(['suppressions:', '  - rule: trail/log-file-validaton', '    resource: "*"', '    reason: typo']);
    const r = await runCli(['scan', '--demo', '--config', config, '--out-dir', dir, '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${config}:2:11 config/unknown-rule suppression names rule 'trail/log-file-validaton', which does not exist (did you mean 'trail/log-file-validation'?)`);
  });

  it('an expired entry is reported as expired, not as unused; an entry matching only passing findings is unused', () => {
    const finding = (status: 'pass' | 'fail') => ({ ruleId: 'trail/x', status, severity: 'low' as const, resource: { type: 'trail' as const, arn: 'arn:aws:cloudtrail:us-east-1:1:trail/t', accountId: '1' }, message: 'm', evidence: [], frameworks: [] });
    const entries = [
      { rule: 'trail/x', resource: '1', reason: 'old', expires: '2020-01-01' },
      { rule: 'trail/x', resource: '1', reason: 'live' },
    ];
    expect(applySuppressions([finding('fail')], entries, new Date('2026-01-01')).unused).toEqual([]);
    expect(applySuppressions([finding('pass')], entries, new Date('2026-01-01')).unused).toEqual([1]);
  });
});
