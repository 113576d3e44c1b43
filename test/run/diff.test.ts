/**
 * `trailwarden diff OLD NEW` on the demo pair (test/demo/demo-earlier.ts lists what changed):
 * every changed fact is named, and so is each verdict it changed.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SnapshotDrift } from '../../src/results.js';
import { runCli } from '../support/cli-runner.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EARLIER = path.join(ROOT, 'examples/demo/snapshot-earlier.json');
const NOW = path.join(ROOT, 'examples/demo/snapshot.json');

describe('trailwarden diff on the demo pair', () => {
  let text: string;
  let drift: SnapshotDrift;
  beforeAll(async () => {
    const run = await runCli(['diff', EARLIER, NOW]);
    expect(run.code).toBe(0);
    text = run.stdout;
    const json = await runCli(['diff', EARLIER, NOW, '--format', 'json']);
    expect(json.code).toBe(0);
    drift = JSON.parse(json.stdout) as SnapshotDrift;
  });

  const resource = (arn: string) => {
    const found = drift.resources.find((r) => r.arn === arn);
    if (!found) throw new Error(`no drift for ${arn}`);
    return found;
  };

  it('names each changed fact of the demo pair, grouped by account and region', () => {
    expect(resource('arn:aws:cloudtrail:eu-west-1:333333333333:trail/fail-payments-local-trail').changes.map((c) => c.text)).toContain('log file validation turned off');
    expect(resource('arn:aws:s3:::fail-payments-trail-logs').changes.map((c) => c.text)).toContain(
      'bucket policy statement LegacyPublicRead rewritten: was LegacyPublicRead: Allow {"AWS":"arn:aws:iam::333333333333:root"} s3:GetObject, now LegacyPublicRead: Allow * s3:GetObject',
    );
    expect(resource('arn:aws:cloudtrail:us-east-1:444444444444:trail/fail-sandbox-trail').changes.map((c) => c.text)).toEqual([
      'management events of kms.amazonaws.com no longer recorded in any region',
      'management events of rdsdata.amazonaws.com no longer recorded in any region',
    ]);
    expect(resource('arn:aws:kms:us-east-1:444444444444:key/9a8b7c6d-sandbox-pending-deletion').changes.map((c) => c.text)).toEqual(['key policy statement added: AnyoneMayDecrypt: Allow * kms:Decrypt']);
    expect(resource('arn:aws:logs:us-east-1:444444444444:log-group:fail-sandbox-trail-log-group').changes.map((c) => c.text)).toEqual(['retention shortened from 400 days to 7 days']);
    const monitoring = resource('arn:aws:logs:us-east-1:111111111111:log-group:aws-cloudtrail-logs-acme-org').changes.map((c) => c.text);
    expect(monitoring.some((t) => t.startsWith('metric filter cis-route-table-changes pattern changed'))).toBe(true);
    expect(monitoring).toContain('alarm cis-root-account-usage-alarm now notifies ["arn:aws:sns:us-east-1:111111111111:acme-unconfirmed-alerts"] (was ["arn:aws:sns:us-east-1:111111111111:acme-security-alerts"])');
    expect(resource('arn:aws:s3:::acme-org-cloudtrail-logs').changes.map((c) => c.fact)).toEqual(['lifecycleRules']);
    expect(resource('arn:aws:cloudtrail:us-west-2:666666666666:trail/fail-analytics-scratch-trail')).toMatchObject({ state: 'removed' });
    expect(resource('arn:aws:iam::777777777777:root')).toMatchObject({ state: 'added' });
    // Grouped: account, then region.
    const order = drift.resources.map((r) => `${r.accountId} ${r.region}`);
    expect([...order].sort()).toEqual(order);
    expect(text).toContain('account 444444444444 · us-east-1\n');
    expect(text).toContain('    - retention shortened from 400 days to 7 days\n');
  });

  it('shows which verdicts each drift changed, with both snapshots evaluated by the same rules', () => {
    const verdict = (arn: string, ruleId: string) => resource(arn).verdicts.find((v) => v.ruleId === ruleId);
    expect(verdict('arn:aws:cloudtrail:eu-west-1:333333333333:trail/fail-payments-local-trail', 'trail/log-file-validation')).toMatchObject({ before: 'pass', after: 'fail' });
    expect(verdict('arn:aws:logs:us-east-1:444444444444:log-group:fail-sandbox-trail-log-group', 'logs/retention')).toMatchObject({ before: 'pass', after: 'fail' });
    expect(verdict('arn:aws:s3:::acme-org-cloudtrail-logs', 'bucket/retention')).toMatchObject({ before: 'fail', after: 'pass' });
    expect(verdict('arn:aws:iam::111111111111:root', 'monitoring/route-table-changes')).toMatchObject({ before: 'pass', after: 'fail' });
    expect(text).toContain('verdict trail/log-file-validation (medium): Pass → Fail');
    expect(drift.verdictTotals.fixed).toBeGreaterThan(0);
  });

  it('writes markdown and a self-contained HTML page with AWS strings escaped', async () => {
    const md = await runCli(['diff', EARLIER, NOW, '--format', 'markdown']);
    expect(md.stdout).toContain('### Account 444444444444 · us-east-1');
    expect(md.stdout).toContain('  - retention shortened from 400 days to 7 days');
    const html = await runCli(['diff', EARLIER, NOW, '--format', 'html']);
    expect(html.stdout).toMatch(/^<!doctype html>/);
    expect(html.stdout).toContain("default-src 'none'");
    expect(html.stdout).not.toMatch(/<script|https?:\/\/(?!www\.w3)/);
    expect(html.stdout).toContain('LegacyPublicRead: Allow {&quot;AWS&quot;');
  });

  it('reports no drift between a snapshot and itself, and exit 2 for a missing snapshot', async () => {
    const same = await runCli(['diff', NOW, NOW]);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('no drift');
    const missing = await runCli(['diff', EARLIER, path.join(ROOT, 'no-such-snapshot.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no-such-snapshot.json');
  });
});
