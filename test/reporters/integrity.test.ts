/**
 * The integrity summary of a --verify-integrity scan in every human-facing report, on the demo
 * organization: an intact organization trail chain set with one broken chain, a trail whose
 * bucket is gone, one whose bucket is outside the scan, and one stopped long ago.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-runner.js';
import { buildSnapshot } from '../support/snapshot-builder.js';
import { parseResultsJson } from '../support/results-json.js';

const BROKEN_KEY = 'org/AWSLogs/o-acme0example/333333333333/CloudTrail-Digest/eu-west-1/2026/11/01/333333333333_CloudTrail-Digest_eu-west-1_acme-org-trail_us-east-1_20261101T043107Z.json.gz';

describe('integrity summary in the reports (scan --demo)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-integrity-report-'));
  const run = await runCli(['scan', '--demo', '--out-dir', dir, '--format', 'console,json,html,summary', '--fail-on', 'none']);
  const results = parseResultsJson(readFileSync(path.join(dir, 'results.json'), 'utf8'));

  it('results.json sums up each trail: chains verified, broken with the first broken S3 key, unreadable', () => {
    const byName = Object.fromEntries(results.integrity!.trails.map((trail) => [trail.trailName, trail]));
    expect(byName['acme-org-trail']).toMatchObject({ chains: 7, verified: 6, broken: 1, unreadable: 0 });
    expect(byName['acme-org-trail']!.brokenChains).toEqual([
      expect.objectContaining({ chain: '333333333333/eu-west-1', firstBrokenKey: BROKEN_KEY, problems: 4 }),
    ]);
    expect(byName['fail-sandbox-trail']).toMatchObject({ chains: 1, verified: 0, broken: 0, unreadable: 1 });
    expect(byName['fail-startup-trail']).toMatchObject({ verified: 1, explainedGaps: 1 });
  });

  it('the console prints one line per broken chain', () => {
    const lines = run.stdout.split('\n').filter((line) => line.includes('BROKEN'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('acme-org-trail 333333333333/eu-west-1');
    expect(lines[0]).toContain(BROKEN_KEY);
  });

  it('the job summary has a row per broken chain, and the HTML report a section per trail', () => {
    const summary = readFileSync(path.join(dir, 'summary.md'), 'utf8');
    expect(summary).toContain('### Log file integrity');
    expect(summary.split('\n').filter((line) => line.startsWith('| acme-org-trail |'))).toHaveLength(1);
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<section id="integrity"');
    expect(html).toContain(BROKEN_KEY);
    expect(html.match(/<tr class="integrity-(pass|fail|error)">/g)?.length).toBe(results.integrity!.trails.length);
  });

  it('a scan that did not verify has no integrity section anywhere', async () => {
    const plainDir = mkdtempSync(path.join(tmpdir(), 'tw-plain-report-'));
    const file = path.join(plainDir, 'snapshot.json');
    writeFileSync(file, JSON.stringify(buildSnapshot({ trails: [{ arn: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/pass-trail' }] })));
    const plain = await runCli(['scan', '--snapshot', file, '--out-dir', plainDir, '--format', 'console,json,html,summary', '--fail-on', 'none']);
    expect(plain.code, plain.stderr).not.toBe(2);
    expect(plain.stdout).not.toContain('Log file integrity');
    const plainResults = parseResultsJson(readFileSync(path.join(plainDir, 'results.json'), 'utf8'));
    expect(plainResults.integrity).toBeUndefined();
    expect(plainResults.findings.some((finding) => finding.ruleId.startsWith('integrity/'))).toBe(false);
    expect(readFileSync(path.join(plainDir, 'summary.md'), 'utf8')).not.toContain('Log file integrity');
    expect(readFileSync(path.join(plainDir, 'report.html'), 'utf8')).not.toContain('id="integrity"');
  });
});
