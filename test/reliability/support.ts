/**
 * The reliability suite's harness: a fake AWS on loopback that misbehaves on purpose
 * (test/fake-aws), a scan through the CLI's own entry point with the real SDK that writes every
 * report, and the checks every faulted scan must pass against a clean scan of the same world.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { run, type CliIo } from '../../src/cli/main.js';
import { scanRun } from '../../src/run/scan.js';
import { runIo } from '../../src/cli/io.js';
import { toolVersion } from '../../src/package-root.js';
import { DEFAULT_MAX_ATTEMPTS } from '../../src/collectors/gateway.js';
import { collectSnapshot, type CollectOptions } from '../../src/collectors/index.js';
import { findApiOperation, type ServiceId } from '../../src/collectors/permissions.js';
import type { Finding, Results } from '../../src/results.js';
import { collectionErrors } from '../../src/snapshot/errors.js';
import { readSnapshot } from '../../src/snapshot/io.js';
import { isCollectionError, type CollectionError, type Snapshot } from '../../src/snapshot/schema.js';
import { SCENARIO_TIME, type Scenario } from '../fake-aws/scenarios.js';
import { isReadOnlyAction, startFakeAws, type CallRecord, type FakeAwsOptions } from '../fake-aws/server.js';
import { parseResultsJson } from '../support/results-json.js';

export interface ScanOutcome {
  code: number;
  stderr: string;
  snapshot: Snapshot;
  results: Results;
  sarif: SarifLog;
  html: string;
  calls: CallRecord[];
  secret: string;
}

interface SarifLog {
  runs: [
    {
      results: { ruleId: string; kind?: string }[];
      invocations: [{ executionSuccessful: boolean; toolExecutionNotifications: { descriptor: { id: string }; properties: { code: string; count: number } }[] }];
    },
  ];
}

export interface ScanRequest {
  fake?: FakeAwsOptions;
  /** Collect options the CLI has no flag for (the request timeout); the scan then starts from runScan. */
  collect?: Partial<CollectOptions>;
}

type ErrorDetail = CollectionError['$error'];

const NOW = new Date(SCENARIO_TIME);

/** The environment a scan of the fake sees: its caller's keys, its URL, no shared config files. */
function useFakeEnvironment(url: string, scenario: Scenario): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: scenario.caller.accessKeyId,
    AWS_SECRET_ACCESS_KEY: scenario.caller.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  });
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_REGION']) delete process.env[name];
  return () => {
    process.env = saved;
  };
}

/**
 * `trailwarden scan` of the scenario's world with every file format and `--fail-on none`, so the
 * exit code says only whether facts are missing (3) or not (0).
 */
export async function scanScenario(scenario: Scenario, request: ScanRequest = {}): Promise<ScanOutcome> {
  const fake = await startFakeAws(scenario.model, { now: () => NOW, ...request.fake });
  const restore = useFakeEnvironment(fake.url, scenario);
  const dir = await mkdtemp(path.join(tmpdir(), 'trailwarden-reliability-'));
  try {
    const org = scenario.model.organization !== null;
    const snapshotFile = path.join(dir, 'snapshot.json');
    const outDir = path.join(dir, 'out');
    let stderr = '';
    const io: CliIo = { stdout: () => undefined, stderr: (text) => void (stderr += text), isTTY: false, env: {}, columns: 120, now: () => NOW };
    let code: number;
    if (request.collect === undefined) {
      code = await run(
        ['scan', ...(org ? ['--org'] : []), '--role-name', scenario.scanRoleName, '--save-snapshot', snapshotFile, '--out-dir', outDir, '--format', 'json,sarif,html', '--fail-on', 'none'],
        io,
      );
    } else {
      // Collect options the CLI has no flag for: collect here, then evaluate as scan does.
      const snapshot = await collectSnapshot({ org, roleName: scenario.scanRoleName, regions: 'all', now: () => NOW, ...request.collect });
      const outcome = await scanRun({ saveSnapshot: snapshotFile, outDir, format: ['json', 'sarif', 'html'], failOn: 'none' }, runIo(io), {
        snapshot: { ...snapshot, tool: { name: 'trailwarden', version: toolVersion() } },
      });
      code = outcome.exitCode;
    }
    expect(fake.unexpectedErrors).toEqual([]);
    if (![0, 1, 3].includes(code)) throw new Error(`the scan exited with ${code}:\n${stderr}`);
    return {
      code,
      stderr,
      snapshot: await readSnapshot(snapshotFile),
      results: parseResultsJson(await readFile(path.join(outDir, 'results.json'), 'utf8')),
      sarif: JSON.parse(await readFile(path.join(outDir, 'results.sarif'), 'utf8')) as ScanOutcome['sarif'],
      html: await readFile(path.join(outDir, 'report.html'), 'utf8'),
      calls: [...fake.calls],
      secret: scenario.caller.secretAccessKey,
    };
  } finally {
    restore();
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export function findingKey(finding: Finding): string {
  return `${finding.ruleId} ${finding.resource.arn}`;
}

/** The IAM action an error names for a call the fake saw (`cloudtrail:ListTrails`, `s3:GetLifecycleConfiguration`, …). */
export function iamActionOf(call: Pick<CallRecord, 'service' | 'action'>): string {
  return findApiOperation(call.service as ServiceId, call.action)?.iamAction ?? `${call.service}:${call.action}`;
}

function callKey(call: CallRecord): string {
  return `${call.service}:${call.action} ${call.accountId ?? '?'} ${call.region}`;
}

function counts(calls: readonly CallRecord[]): Map<string, number> {
  const result = new Map<string, number>();
  for (const call of calls) result.set(callKey(call), (result.get(callKey(call)) ?? 0) + 1);
  return result;
}

/**
 * What every scan must honour, faulted or not (SPEC §1, §9): the snapshot validates (readSnapshot
 * checks it), every call was read-only, no secret reached a report, and the reports carry every
 * collection error: results.json all of the snapshot's, SARIF a notification per action and code
 * and an open result per error finding, report.html each failed action. The exit code follows the
 * error findings (`--fail-on none`).
 */
export function expectWellBehaved(outcome: ScanOutcome): void {
  expect(outcome.calls.filter((call) => !isReadOnlyAction(call.action)).map(callKey)).toEqual([]);
  for (const text of [JSON.stringify(outcome.snapshot), JSON.stringify(outcome.results), JSON.stringify(outcome.sarif), outcome.html]) {
    expect(text).not.toContain(outcome.secret);
    expect(text).not.toMatch(/ASIA\d{12}[0-9A-Z]{4}|FakeSessionToken|X-Amz-Signature/);
  }
  const errors = collectionErrors(outcome.snapshot);
  expect(outcome.results.collectionErrors).toEqual(errors);
  // Scope gaps have notifications of their own (error level), one per kind, exactly when the results say the scan is incomplete.
  const notifications = outcome.sarif.runs[0].invocations[0].toolExecutionNotifications;
  const scopeNotes = notifications.filter((note) => note.descriptor.id.startsWith('trailwarden/scan-scope/'));
  expect(scopeNotes.map((note) => note.descriptor.id.slice('trailwarden/scan-scope/'.length)).sort()).toEqual(
    [...new Set((outcome.results.incomplete?.gaps ?? []).map((gap) => gap.kind))].sort(),
  );
  expect(outcome.sarif.runs[0].invocations[0].executionSuccessful).toBe(outcome.results.incomplete === undefined);
  const notified = notifications.filter((note) => !scopeNotes.includes(note)).map((note) => `${note.descriptor.id} ${note.properties.code} ×${note.properties.count}`);
  const groups = new Map<string, number>();
  for (const error of errors) groups.set(`${error.action} ${error.code}`, (groups.get(`${error.action} ${error.code}`) ?? 0) + 1);
  expect(notified.sort()).toEqual([...groups].map(([group, count]) => `${group} ×${count}`).sort());
  for (const error of errors) expect(outcome.html).toContain(error.action);
  const errorFindings = outcome.results.findings.filter((finding) => finding.status === 'error' && !finding.suppression);
  const openResults = outcome.sarif.runs[0].results.filter((result) => result.kind === 'open');
  // Each under its own could-not-evaluate rule: never the control's severity in code scanning.
  expect(openResults.map((result) => result.ruleId).sort()).toEqual(errorFindings.map((finding) => `${finding.ruleId}/could-not-evaluate`).sort());
  // Any fact that could not be collected makes the scan incomplete: exit 3 (nothing here fails).
  expect(outcome.code).toBe(errorFindings.length > 0 || errors.length > 0 ? 3 : 0);
}

/**
 * A fault may make a verdict unknowable, never different: every finding that is not an error has
 * the clean scan's status, and a finding of the clean scan may be missing only where the fault hid
 * the resource itself, and the reports say so: the rule has an error finding on the same account
 * (the regions of an account could not be listed), or the resource is a trail of an account whose
 * trails could not be listed, or one it lists whose configuration could not be read (a recorded
 * error names it).
 */
export function expectNoVerdictChanged(faulted: ScanOutcome, clean: ScanOutcome): void {
  const cleanStatus = new Map(clean.results.findings.map((finding) => [findingKey(finding), finding.status]));
  const changed = faulted.results.findings
    .filter((finding) => finding.status !== 'error' && cleanStatus.get(findingKey(finding)) !== finding.status)
    .map((finding) => `${findingKey(finding)}: ${cleanStatus.get(findingKey(finding)) ?? 'absent'} -> ${finding.status}`);
  expect(changed).toEqual([]);

  const present = new Set(faulted.results.findings.map(findingKey));
  const unknownRuleAccounts = new Set(faulted.results.findings.filter((finding) => finding.status === 'error').map((finding) => `${finding.ruleId} ${finding.resource.accountId}`));
  const described = new Set(faulted.snapshot.trails.map((trail) => trail.arn));
  const listed = faulted.snapshot.accounts.flatMap((account) => (Array.isArray(account.trailArns) ? account.trailArns : []));
  const errorMessages = faulted.results.collectionErrors.map((error) => error.message ?? '');
  const unreadableTrails = new Set(listed.filter((arn) => !described.has(arn) && errorMessages.some((message) => message.includes(arn))));
  const unlistedTrailsOf = new Set(faulted.snapshot.accounts.filter((account) => isCollectionError(account.trailArns)).map((account) => account.id));
  const hidden = (finding: Finding) =>
    unknownRuleAccounts.has(`${finding.ruleId} ${finding.resource.accountId}`) ||
    (finding.resource.type === 'trail' && (unreadableTrails.has(finding.resource.arn) || unlistedTrailsOf.has(finding.resource.accountId)));
  const unaccounted = clean.results.findings.filter((finding) => !present.has(findingKey(finding)) && !hidden(finding));
  expect(unaccounted.map(findingKey)).toEqual([]);
}

/** A fault the SDK's retries absorb leaves the snapshot and every verdict exactly as a clean scan's. */
export function expectRecovered(faulted: ScanOutcome, clean: ScanOutcome): void {
  const { scanTime: _faultedTime, ...faultedSnapshot } = faulted.snapshot;
  const { scanTime: _cleanTime, ...cleanSnapshot } = clean.snapshot;
  expect(faultedSnapshot).toEqual(cleanSnapshot);
  expect(faulted.results.findings).toEqual(clean.results.findings);
  expect(faulted.code).toBe(0);
}

/**
 * No call is sent more often than the SDK's attempts allow: per (action, account, region), at most
 * DEFAULT_MAX_ATTEMPTS times what the clean scan sent (once for a call the clean scan never made).
 */
export function expectBoundedRetries(faulted: ScanOutcome, clean: ScanOutcome): void {
  const cleanCounts = counts(clean.calls);
  const excessive = [...counts(faulted.calls)]
    .filter(([key, count]) => count > DEFAULT_MAX_ATTEMPTS * Math.max(1, cleanCounts.get(key) ?? 0))
    .map(([key, count]) => `${key} ×${count}`);
  expect(excessive).toEqual([]);
}

type ErrorMatch = Partial<ErrorDetail> & { action: string };

function matcher(match: ErrorMatch): (error: ErrorDetail) => boolean {
  return (error) => Object.entries(match).every(([field, value]) => error[field as keyof ErrorDetail] === value);
}

/** The errors recorded for `action` (an IAM action), in the snapshot and in results.json alike. */
export function recordedErrors(outcome: ScanOutcome, match: ErrorMatch): ErrorDetail[] {
  const matches = matcher(match);
  const inSnapshot = collectionErrors(outcome.snapshot).filter(matches);
  expect(outcome.results.collectionErrors.filter(matches)).toEqual(inSnapshot);
  return inSnapshot;
}

/** Error findings that name a collection error matching `match`: what the reports show as unknown. */
export function errorFindingsFor(outcome: ScanOutcome, match: ErrorMatch): Finding[] {
  const matches = matcher(match);
  return outcome.results.findings.filter((finding) => finding.status === 'error' && (finding.errors ?? []).some(matches));
}
