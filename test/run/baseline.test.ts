/**
 * --baseline and --fail-on-new: the demo organization against its earlier snapshot
 * (examples/demo/snapshot-earlier.json, test/demo/demo-earlier.ts), through the CLI as users run it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareWithBaseline } from '../../src/engine/baseline.js';
import { findingFingerprint, resultFingerprint } from '../../src/reporters/sarif.js';
import { findingIdentity, type Finding, type Results } from '../../src/results.js';
import { githubUploadProblems, schemaErrors } from '../reporters/sarif-checks.js';
import { runCli } from '../support/cli-runner.js';
import { monitoring } from '../support/monitoring.js';
import { buildSnapshot, type SnapshotFragment } from '../support/snapshot-builder.js';
import { readResultsJson } from '../support/results-json.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EARLIER = path.join(ROOT, 'examples/demo/snapshot-earlier.json');
const PAYMENTS_TRAIL = 'arn:aws:cloudtrail:eu-west-1:333333333333:trail/fail-payments-local-trail';
const SANDBOX_TRAIL = 'arn:aws:cloudtrail:us-east-1:444444444444:trail/fail-sandbox-trail';
const SANDBOX_LOG_GROUP = 'arn:aws:logs:us-east-1:444444444444:log-group:fail-sandbox-trail-log-group';
const ORG_TRAIL = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/acme-org-trail';
const SCRATCH_TRAIL = 'arn:aws:cloudtrail:us-west-2:666666666666:trail/fail-analytics-scratch-trail';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'trailwarden-baseline-'));
const find = (results: Results, ruleId: string, arn: string): Finding => {
  const found = results.findings.find((f) => f.ruleId === ruleId && f.resource.arn === arn);
  if (!found) throw new Error(`no finding ${ruleId} ${arn}`);
  return found;
};

/** The demo scanned without a baseline: today's reports, the baseline of later tests. */
let plainDir: string;
let plain: Results;
beforeAll(async () => {
  plainDir = tempDir();
  const { code } = await runCli(['scan', '--demo', '--format', 'json,sarif', '--out-dir', plainDir]);
  expect(code).toBe(1);
  plain = readResultsJson(path.join(plainDir, 'results.json'));
});

describe('scan --demo --baseline examples/demo/snapshot-earlier.json', () => {
  let dir: string;
  let results: Results;
  let stdout: string;
  beforeAll(async () => {
    dir = tempDir();
    const run = await runCli(['scan', '--demo', '--baseline', EARLIER, '--format', 'console,json,sarif,html,summary', '--out-dir', dir]);
    expect(run.code).toBe(1);
    stdout = run.stdout;
    results = readResultsJson(path.join(dir, 'results.json'));
  });

  it('classifies each known change: new, updated, unchanged, absent (fixed / removed)', () => {
    // Validation turned off on the payments trail: a failure that was a pass.
    expect(find(results, 'trail/log-file-validation', PAYMENTS_TRAIL).baselineState).toBe('new');
    // Retention shortened from 400 days to 7.
    expect(find(results, 'logs/retention', SANDBOX_LOG_GROUP).baselineState).toBe('new');
    // A digest deleted and another edited in payments' eu-west-1 chain.
    expect(find(results, 'integrity/digest-chain-continuous', ORG_TRAIL).baselineState).toBe('new');
    // The sandbox log group still fails KMS encryption, with other evidence (its details changed).
    expect(find(results, 'logs/kms-encryption', SANDBOX_LOG_GROUP).baselineState).toBe('updated');
    // The sandbox trail was stopped in both runs.
    expect(find(results, 'trail/delivery-healthy', SANDBOX_TRAIL).baselineState).toBe('unchanged');
    // Passing findings carry no state; the fixed ones are listed under absent.
    expect(find(results, 'trail/log-file-validation', ORG_TRAIL).baselineState).toBeUndefined();
    const absent = results.baseline!.absent.map((a) => `${a.reason} ${a.ruleId} ${a.resource.arn}`);
    expect(absent).toContain('fixed bucket/retention arn:aws:s3:::acme-org-cloudtrail-logs');
    expect(absent).toContain(`removed trail/log-file-validation ${SCRATCH_TRAIL}`);
    expect(results.baseline).toMatchObject({ file: EARLIER, kind: 'snapshot', time: '2026-10-31T12:00:00.000Z' });
    const counts = results.baseline!.counts;
    const states = results.findings.filter((f) => f.baselineState).map((f) => f.baselineState);
    expect(counts.new).toBe(states.filter((s) => s === 'new').length);
    expect(counts.unchanged).toBe(states.filter((s) => s === 'unchanged').length);
    expect(counts.updated).toBe(states.filter((s) => s === 'updated').length);
    expect(counts.absent).toBe(absent.length);
  });

  it('calls nothing of the account the earlier run did not scan new or fixed, and says so', () => {
    const acquired = results.findings.filter((f) => f.resource.accountId === '777777777777' && (f.status === 'fail' || f.status === 'error'));
    expect(acquired.length).toBeGreaterThan(0);
    expect(acquired.every((f) => f.baselineState === undefined)).toBe(true);
    expect(results.baseline!.outsideScope).toMatchObject({ rules: [], accounts: ['777777777777'] });
    expect(stdout).toContain('The baseline covered other accounts than this run (accounts in one run only: 777777777777)');
  });

  it('writes baselineState on every SARIF result, valid against SARIF 2.1.0 and GitHub’s upload rules', () => {
    const text = readFileSync(path.join(dir, 'results.sarif'), 'utf8');
    const log = JSON.parse(text) as { runs: { results: { baselineState?: string; partialFingerprints: Record<string, string>; properties: { arn: string; accountId: string } }[] }[] };
    expect(schemaErrors(log)).toEqual([]);
    expect(githubUploadProblems(text)).toEqual([]);
    const sarifResults = log.runs[0]!.results;
    const inScope = sarifResults.filter((r) => r.properties.accountId !== '777777777777');
    expect(inScope.length).toBeGreaterThan(0);
    expect(inScope.every((r) => ['new', 'unchanged', 'updated'].includes(r.baselineState!))).toBe(true);
    // The state on each result is its finding's, matched through the fingerprint.
    const byFingerprint = new Map(results.findings.map((f) => [resultFingerprint(f, results.partition), f]));
    for (const r of sarifResults) expect(r.baselineState).toBe(byFingerprint.get(r.partialFingerprints['trailwarden/v1']!)!.baselineState);
  });

  it('leads the console, job summary and HTML report with what changed since the last run', () => {
    const newFailures = results.baseline!.newFailures;
    const fixed = results.baseline!.absent.filter((a) => a.reason === 'fixed').length;
    const headline = `${newFailures} new failures, ${fixed} fixed since 2026-10-31T12:00:00.000Z`;
    expect(stdout.indexOf('Since the last run')).toBeLessThan(stdout.indexOf('Fail '));
    expect(stdout).toContain(headline);
    expect(stdout).toMatch(/New failures:\n.*integrity\/digest-chain-continuous/);
    const summary = readFileSync(path.join(dir, 'summary.md'), 'utf8');
    expect(summary.indexOf('### Since the last run')).toBeLessThan(summary.indexOf('| Severity | Fail |'));
    expect(summary).toContain(`**${headline}**`);
    expect(summary).toContain('| `trail/log-file-validation` | `arn:aws:cloudtrail:eu-west-1:333333333333:trail/fail-payments-local-trail` | new |');
    expect(summary).toContain('| `bucket/retention` | `arn:aws:s3:::acme-org-cloudtrail-logs` | fixed |');
    expect(summary).toContain(`| \`trail/log-file-validation\` | \`${SCRATCH_TRAIL}\` | resource removed |`);
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html.indexOf('id="since"')).toBeLessThan(html.indexOf('id="summary"'));
    expect(html).toContain(headline);
    expect(html).toContain('Resource removed');
  });
});

describe('a results.json baseline', () => {
  it('keeps every failure of an identical run unchanged, and nothing new or absent', async () => {
    const dir = tempDir();
    const { code } = await runCli(['scan', '--demo', '--baseline', path.join(plainDir, 'results.json'), '--format', 'json', '--out-dir', dir]);
    expect(code).toBe(1);
    const results = readResultsJson(path.join(dir, 'results.json'));
    expect(results.baseline).toMatchObject({ kind: 'results', counts: { new: 0, updated: 0, absent: 0 }, newFailures: 0 });
    expect(results.baseline!.counts.unchanged).toBe(results.findings.filter((f) => !f.suppression && (f.status === 'fail' || f.status === 'error')).length);
    expect(results.baseline!.outsideScope).toBeUndefined();
  });

  it('matches on the SARIF fingerprint identity', () => {
    for (const f of plain.findings.slice(0, 50)) expect(findingIdentity(f, plain.partition)).toBe(findingFingerprint(f, plain.partition));
    // Messages and evidence key order are not part of the identity or the outcome.
    const reworded = plain.findings.map((f) => ({ ...f, message: `${f.message} (reworded)`, evidence: f.evidence.map((e) => ({ value: e.value, path: e.path })) }));
    const { comparison } = compareWithBaseline({ ...plain, findings: reworded }, plain, { file: 'x', kind: 'results' });
    expect(comparison.counts).toMatchObject({ new: 0, updated: 0, absent: 0 });
  });

  it('says which rules only one run evaluated, and calls none of their findings new or fixed', async () => {
    const dir = tempDir();
    const { code } = await runCli(['scan', '--demo', '--pack', 'cis-aws-foundations-v5.0', '--baseline', path.join(plainDir, 'results.json'), '--format', 'json', '--out-dir', dir]);
    expect([0, 1]).toContain(code);
    const results = readResultsJson(path.join(dir, 'results.json'));
    expect(results.baseline!.outsideScope!.rules.length).toBeGreaterThan(0);
    expect(results.baseline!.counts).toMatchObject({ new: 0, absent: 0 });
  });

  it('applies to merge of results.json parts, and refuses a snapshot baseline there with exit 2', async () => {
    const dir = tempDir();
    const part = path.join(plainDir, 'results.json');
    const merged = await runCli(['merge', '--baseline', part, '--fail-on-new', '--format', 'json', '--out-dir', dir, part]);
    expect(merged.code).toBe(3); // the demo's errors: partial, never 1 (nothing is new)
    expect(readResultsJson(path.join(dir, 'results.json')).baseline).toMatchObject({ counts: { new: 0, absent: 0 }, newFailures: 0 });
    const refused = await runCli(['merge', '--baseline', EARLIER, '--format', 'json', '--out-dir', dir, part]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('merging results.json files compares only with a results.json');
  });

  it('treats a baseline that does not exist yet as the first run: every failure is new, said plainly', async () => {
    const dir = tempDir();
    const missing = path.join(dir, 'previous', 'results.json');
    const { code, stderr, stdout } = await runCli(['scan', '--demo', '--baseline', missing, '--fail-on-new', '--format', 'console,json', '--out-dir', dir]);
    expect(code).toBe(1);
    expect(stderr).toContain(`--baseline ${missing} does not exist yet: treating this as the first run, every failure is new`);
    expect(stdout).toContain('First run: there is no baseline yet');
    const results = readResultsJson(path.join(dir, 'results.json'));
    expect(results.baseline).toMatchObject({ kind: 'none', firstRun: true, absent: [] });
    expect(results.baseline!.newFailures).toBe(results.findings.filter((f) => f.status === 'fail' && !f.suppression).length);
  });

  it('refuses a malformed baseline with exit 2 and the JSON path of the problem', async () => {
    const dir = tempDir();
    const bad = path.join(dir, 'results.json');
    const broken = structuredClone(plain) as unknown as { findings: Record<string, unknown>[] };
    broken.findings[3]!.status = 'maybe';
    writeFileSync(bad, JSON.stringify(broken));
    const { code, stderr } = await runCli(['scan', '--demo', '--baseline', bad, '--format', 'json', '--out-dir', path.join(dir, 'out')]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${bad}:0:0 baseline/results $.findings[3].status must be one of fail, error, pass, not_applicable`);
    writeFileSync(bad, '{ "schemaVersion": ');
    const notJson = await runCli(['scan', '--demo', '--baseline', bad, '--format', 'json', '--out-dir', path.join(dir, 'out')]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/results\.json:1:\d+ snapshot\/json/);
  });
});

describe('--fail-on-new', () => {
  const ORG = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail';
  const TEAM = 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/team-trail';
  const TOPIC = 'arn:aws:sns:us-east-1:111111111111:alerts';
  /** An organization with an old high failure (a stopped team trail) and nothing it cannot evaluate. */
  const organization = (orgTrail: Record<string, unknown> = {}): SnapshotFragment => ({
    trails: [
      { arn: ORG, isOrganizationTrail: true, ...orgTrail },
      { arn: TEAM, isMultiRegion: false, status: { isLogging: false, stopLoggingTime: '2026-10-01T00:00:00.000Z' } },
    ],
    logGroups: [monitoring('arn:aws:logs:us-east-1:111111111111:log-group:org-trail-log-group', TOPIC)],
    snsTopics: [{ arn: TOPIC, confirmedSubscriptions: 1 }],
  });
  let dir: string;
  let before: string;
  let sameAgain: string;
  let regressed: string;
  beforeAll(async () => {
    dir = tempDir();
    before = path.join(dir, 'before.json');
    sameAgain = path.join(dir, 'same.json');
    regressed = path.join(dir, 'regressed.json');
    writeFileSync(before, JSON.stringify(buildSnapshot(organization())));
    writeFileSync(sameAgain, JSON.stringify(buildSnapshot({ ...organization(), scanTime: '2026-11-02T12:00:00.000Z' })));
    // The organization trail stops logging: a new high failure.
    writeFileSync(regressed, JSON.stringify(buildSnapshot({ ...organization({ status: { isLogging: false, stopLoggingTime: '2026-11-02T03:12:00.000Z' } }), scanTime: '2026-11-02T12:00:00.000Z' })));
    const { code } = await runCli(['scan', '--snapshot', before, '--format', 'json', '--out-dir', path.join(dir, 'before')]);
    expect(code).toBe(1);
  });

  it('exits 0 on an organization whose failures are all old, and 1 without the flag', async () => {
    const baseline = path.join(dir, 'before', 'results.json');
    expect((await runCli(['scan', '--snapshot', sameAgain, '--baseline', baseline, '--format', 'json', '--out-dir', path.join(dir, 'a')])).code).toBe(1);
    expect((await runCli(['scan', '--snapshot', sameAgain, '--baseline', baseline, '--fail-on-new', '--format', 'json', '--out-dir', path.join(dir, 'b')])).code).toBe(0);
    // A snapshot baseline is evaluated with the same rules and says the same.
    expect((await runCli(['scan', '--snapshot', sameAgain, '--baseline', before, '--fail-on-new', '--format', 'json', '--out-dir', path.join(dir, 'c')])).code).toBe(0);
  });

  it('exits 1 when one new high failure appears', async () => {
    const out = path.join(dir, 'd');
    const run = await runCli(['scan', '--snapshot', regressed, '--baseline', path.join(dir, 'before', 'results.json'), '--fail-on-new', '--format', 'json', '--out-dir', out]);
    expect(run.code).toBe(1);
    const results = readResultsJson(path.join(out, 'results.json'));
    const fresh = results.findings.filter((f) => f.status === 'fail' && (f.baselineState === 'new' || f.baselineStatus !== undefined));
    expect(fresh.some((f) => f.severity === 'high' && f.resource.arn === ORG)).toBe(true);
    expect(find(results, 'trail/delivery-healthy', TEAM).baselineState).toBe('unchanged');
    // Below the threshold it passes: --fail-on critical.
    expect((await runCli(['scan', '--snapshot', regressed, '--baseline', path.join(dir, 'before', 'results.json'), '--fail-on-new', '--fail-on', 'critical', '--format', 'json', '--out-dir', out])).code).toBe(0);
  });

  it('needs --baseline', async () => {
    const { code, stderr } = await runCli(['scan', '--demo', '--fail-on-new', '--format', 'json', '--out-dir', tempDir()]);
    expect(code).toBe(2);
    expect(stderr).toContain('--fail-on-new needs --baseline FILE');
  });
});
