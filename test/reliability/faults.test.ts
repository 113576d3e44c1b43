/**
 * Every fault the fake AWS can inject, under a full `trailwarden scan` with the real SDK: the scan
 * finishes, retries what is transient (and then reads exactly what a clean scan reads), records
 * what persists as an error in the snapshot and every report, never turns a fault into a pass or
 * a fail, never sends a call more often than the SDK's attempts allow, and stays read-only.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_ATTEMPTS } from '../../src/collectors/gateway.js';
import type { CollectOptions } from '../../src/collectors/index.js';
import type { FaultRule, RateLimitTable } from '../fake-aws/behaviour.js';
import { ORG_ACCOUNTS, SCENARIOS, type Scenario } from '../fake-aws/scenarios.js';
import type { CallRecord } from '../fake-aws/server.js';
import {
  errorFindingsFor,
  expectBoundedRetries,
  expectNoVerdictChanged,
  expectRecovered,
  expectWellBehaved,
  iamActionOf,
  recordedErrors,
  scanScenario,
  type ScanOutcome,
} from './support.js';

const ORGANIZATION = 'org-trail-with-log-archive';
const REGIONAL_TRAILS = 'stopped-and-second-trail';
/** The client timeout of scans whose fake answers late; the slow answers come this much later still. */
const SHORT_TIMEOUT: Partial<CollectOptions> = { requestTimeoutMs: 300 };
const SLOW = { kind: 'slowResponse', delayMs: 1_000 } as const;

function scenario(name: string): Scenario {
  const make = SCENARIOS[name];
  if (!make) throw new Error(`no scenario ${name}`);
  return make();
}

const clean = new Map<string, ScanOutcome>();

beforeAll(async () => {
  for (const name of [ORGANIZATION, REGIONAL_TRAILS]) {
    const outcome = await scanScenario(scenario(name));
    expectWellBehaved(outcome);
    expect(outcome.results.collectionErrors).toEqual([]);
    clean.set(name, outcome);
  }
}, 60_000);

function cleanScan(name: string): ScanOutcome {
  const outcome = clean.get(name);
  if (!outcome) throw new Error(`no clean scan of ${name}`);
  return outcome;
}

it('a clean scan signs each account’s calls with that account’s own session: one AssumeRole each, its own reads once', () => {
  const { calls } = cleanScan(ORGANIZATION);
  const others = Object.values(ORG_ACCOUNTS).filter((id) => id !== ORG_ACCOUNTS.management);
  expect(calls.filter((call) => call.action === 'AssumeRole')).toHaveLength(others.length);
  for (const accountId of Object.values(ORG_ACCOUNTS)) {
    expect(calls.filter((call) => call.accountId === accountId && ['DescribeRegions', 'ListTrails'].includes(call.action)).map((call) => call.action).sort(), accountId).toEqual([
      'DescribeRegions',
      'ListTrails',
    ]);
  }
});

function attemptsOf(outcome: ScanOutcome, action: string, accountId?: string, region?: string): CallRecord[] {
  return outcome.calls.filter((call) => call.action === action && (accountId === undefined || call.accountId === accountId) && (region === undefined || call.region === region));
}

describe('a transient fault is retried and leaves the scan exactly as a clean one', () => {
  const transient: { name: string; faults?: FaultRule[]; throttling?: RateLimitTable; collect?: Partial<CollectOptions>; expectedFaults: number }[] = [
    {
      name: 'a burst of 500 and 503 answers',
      faults: [
        { match: { action: 'GetTrailStatus' }, fault: { kind: 'serverError', status: 500 }, times: 2 },
        { match: { action: 'ListAccountsForParent' }, fault: { kind: 'serverError', status: 503 }, times: 2 },
      ],
      expectedFaults: 4,
    },
    { name: 'connections reset before any answer', faults: [{ match: { action: 'DescribeRegions' }, fault: { kind: 'connectionReset' }, times: 3 }], expectedFaults: 3 },
    {
      name: 'bodies cut off halfway (XML and JSON)',
      faults: [
        { match: { action: 'GetBucketPolicy' }, fault: { kind: 'truncatedBody' }, times: 1 },
        { match: { action: 'GetTrailStatus' }, fault: { kind: 'truncatedBody' }, times: 1 },
      ],
      expectedFaults: 2,
    },
    { name: 'an answer slower than the client timeout', faults: [{ match: { action: 'ListTrails', accountId: ORG_ACCOUNTS.workloadA }, fault: SLOW, times: 1 }], collect: SHORT_TIMEOUT, expectedFaults: 1 },
    {
      name: 'empty pages with a token for the same position',
      faults: [
        { match: { action: 'ListAccountsForParent' }, fault: { kind: 'emptyPage' }, times: 1 },
        { match: { action: 'ListTrails', accountId: ORG_ACCOUNTS.workloadB }, fault: { kind: 'emptyPage' }, times: 1 },
      ],
      expectedFaults: 2,
    },
    // Tighter than AWS (10 TPS) and than the scan's own budget (5 TPS), so ThrottlingException must be met and outlived.
    { name: 'CloudTrail throttling at 4 requests per second', throttling: { cloudtrail: { ratePerSecond: 4, burst: 2 } }, expectedFaults: 1 },
  ];

  it.each(transient)('$name', async ({ faults, throttling, collect, expectedFaults }) => {
    const outcome = await scanScenario(scenario(ORGANIZATION), { fake: { ...(faults ? { faults } : {}), ...(throttling ? { throttling } : {}) }, ...(collect ? { collect } : {}) });
    expectWellBehaved(outcome);
    expectRecovered(outcome, cleanScan(ORGANIZATION));
    expectBoundedRetries(outcome, cleanScan(ORGANIZATION));
    const hit = outcome.calls.filter((call) => call.fault !== undefined || call.throttled);
    if (throttling) {
      expect(hit.length).toBeGreaterThanOrEqual(expectedFaults);
      expect(new Set(hit.map((call) => call.errorCode))).toEqual(new Set(['ThrottlingException']));
    } else {
      expect(hit).toHaveLength(expectedFaults);
    }
  });
});

interface PersistentCase {
  name: string;
  world: string;
  faults?: FaultRule[];
  throttling?: RateLimitTable;
  collect?: Partial<CollectOptions>;
  /** What the snapshot and results.json must record, and how often the failing call may be sent. */
  recorded: { action: string; accountId?: string; region?: string; code: string; attempts: number }[];
}

const RETRIED = DEFAULT_MAX_ATTEMPTS;
const NOT_RETRIED = 1;

const persistent: PersistentCase[] = [
  {
    name: '503 on every ListTrails of one account',
    world: ORGANIZATION,
    faults: [{ match: { action: 'ListTrails', accountId: ORG_ACCOUNTS.workloadA }, fault: { kind: 'serverError', status: 503 } }],
    recorded: [{ action: 'ListTrails', accountId: ORG_ACCOUNTS.workloadA, code: 'ServiceUnavailable', attempts: RETRIED }],
  },
  {
    name: 'a reset connection on every GetKeyRotationStatus',
    world: ORGANIZATION,
    faults: [{ match: { action: 'GetKeyRotationStatus' }, fault: { kind: 'connectionReset' } }],
    recorded: [{ action: 'GetKeyRotationStatus', accountId: ORG_ACCOUNTS.logArchive, code: 'TimeoutError', attempts: RETRIED }],
  },
  {
    name: 'every GetBucketVersioning slower than the client timeout',
    world: ORGANIZATION,
    faults: [{ match: { action: 'GetBucketVersioning' }, fault: SLOW }],
    collect: SHORT_TIMEOUT,
    recorded: [{ action: 'GetBucketVersioning', accountId: ORG_ACCOUNTS.logArchive, code: 'TimeoutError', attempts: RETRIED }],
  },
  {
    name: 'malformed answers (EC2 XML for one account, CloudTrail JSON for every trail)',
    world: ORGANIZATION,
    faults: [
      { match: { action: 'DescribeRegions', accountId: ORG_ACCOUNTS.workloadB }, fault: { kind: 'malformedBody' } },
      { match: { action: 'GetTrailStatus' }, fault: { kind: 'malformedBody' } },
    ],
    recorded: [
      { action: 'DescribeRegions', accountId: ORG_ACCOUNTS.workloadB, code: 'MalformedResponse', attempts: NOT_RETRIED },
      { action: 'GetTrailStatus', accountId: ORG_ACCOUNTS.management, code: 'MalformedResponse', attempts: NOT_RETRIED },
    ],
  },
  {
    name: 'every GetBucketPolicy answer cut off halfway',
    world: ORGANIZATION,
    faults: [{ match: { action: 'GetBucketPolicy' }, fault: { kind: 'truncatedBody' } }],
    recorded: [{ action: 'GetBucketPolicy', accountId: ORG_ACCOUNTS.logArchive, code: 'MalformedResponse', attempts: RETRIED }],
  },
  {
    name: 'AccessDenied on one API (GetKeyPolicy)',
    world: ORGANIZATION,
    faults: [{ match: { action: 'GetKeyPolicy' }, fault: { kind: 'accessDenied' } }],
    recorded: [{ action: 'GetKeyPolicy', accountId: ORG_ACCOUNTS.logArchive, code: 'AccessDeniedException', attempts: NOT_RETRIED }],
  },
  {
    name: 'AccessDenied on every call of one account',
    world: ORGANIZATION,
    faults: [{ match: { accountId: ORG_ACCOUNTS.workloadB }, fault: { kind: 'accessDenied' } }],
    recorded: [
      { action: 'DescribeRegions', accountId: ORG_ACCOUNTS.workloadB, code: 'UnauthorizedOperation', attempts: NOT_RETRIED },
      { action: 'ListTrails', accountId: ORG_ACCOUNTS.workloadB, code: 'AccessDeniedException', attempts: NOT_RETRIED },
    ],
  },
  {
    name: 'AccessDenied in one region (us-west-2)',
    world: REGIONAL_TRAILS,
    faults: [{ match: { region: 'us-west-2' }, fault: { kind: 'accessDenied' } }],
    recorded: [{ action: 'GetTrailStatus', region: 'us-west-2', code: 'AccessDeniedException', attempts: NOT_RETRIED }],
  },
  {
    name: 'a region whose endpoint refuses the account (eu-west-1)',
    world: REGIONAL_TRAILS,
    faults: [{ match: { region: 'eu-west-1' }, fault: { kind: 'regionDisabled' } }],
    // Two reads, each sent once: the account's trail discovery, then the trail's own configuration read.
    recorded: [{ action: 'DescribeTrails', region: 'eu-west-1', code: 'UnrecognizedClientException', attempts: 2 }],
  },
  {
    // The SDK waits up to 1, 2, 4, 8 and 16 s before its retries of a throttled call (~15 s in all,
    // on average); two attempts prove the same bound in a second.
    name: 'every GetTrailStatus throttled, beyond every retry',
    world: ORGANIZATION,
    throttling: { 'cloudtrail:GetTrailStatus': { ratePerSecond: 0.001, burst: 0 } },
    collect: { maxAttempts: 2 },
    recorded: [{ action: 'GetTrailStatus', accountId: ORG_ACCOUNTS.management, code: 'ThrottlingException', attempts: 2 }],
  },
  {
    name: 'every ListTrails page of one account empty, with the same token',
    world: ORGANIZATION,
    faults: [{ match: { action: 'ListTrails', accountId: ORG_ACCOUNTS.workloadB }, fault: { kind: 'emptyPage' } }],
    recorded: [{ action: 'ListTrails', accountId: ORG_ACCOUNTS.workloadB, code: 'MalformedResponse', attempts: 2 }],
  },
];

describe('a persistent fault is recorded as an error, never as a verdict', () => {
  it.each(persistent)('$name', async ({ world, faults, throttling, collect, recorded }) => {
    const outcome = await scanScenario(scenario(world), { fake: { ...(faults ? { faults } : {}), ...(throttling ? { throttling } : {}) }, ...(collect ? { collect } : {}) });
    expectWellBehaved(outcome);
    expectNoVerdictChanged(outcome, cleanScan(world));
    expectBoundedRetries(outcome, cleanScan(world));
    for (const expected of recorded) {
      const attempts = attemptsOf(outcome, expected.action, expected.accountId, expected.region);
      const action = iamActionOf(attempts[0] ?? { service: 'unknown', action: expected.action });
      const match = { action, code: expected.code, ...(expected.accountId ? { accountId: expected.accountId } : {}), ...(expected.region ? { region: expected.region } : {}) };
      expect(recordedErrors(outcome, match), JSON.stringify(match)).not.toEqual([]);
      expect(errorFindingsFor(outcome, match), `error findings naming ${JSON.stringify(match)}`).not.toEqual([]);
      expect(attempts.length, `${expected.action} attempts`).toBe(expected.attempts);
    }
    expect(outcome.code).toBe(3);
  });
});

describe('an account listing that never ends', () => {
  const faults: FaultRule[] = [{ match: { action: 'ListAccountsForParent' }, fault: { kind: 'emptyPage' } }];

  it('stops at the repeated token and records where the listing stopped', async () => {
    const outcome = await scanScenario(scenario(ORGANIZATION), { fake: { faults } });
    expectWellBehaved(outcome);
    expect(attemptsOf(outcome, 'ListAccountsForParent')).toHaveLength(2);
    expect(recordedErrors(outcome, { action: 'organizations:ListAccountsForParent', code: 'MalformedResponse' })).toEqual([
      expect.objectContaining({ message: expect.stringContaining('accounts after it were not scanned') }),
    ]);
    expect(outcome.stderr).toContain('1 fact(s) could not be collected');
  });

  // An error that stands for no single fact (the accounts never listed) makes no error finding, yet
  // the scan is incomplete: collection errors count for exit code 3 too.
  it('exits 3, because the accounts it never listed are facts it could not collect', async () => {
    const outcome = await scanScenario(scenario(ORGANIZATION), { fake: { faults } });
    expect(outcome.code).toBe(3);
  });
});

describe('an account listing cut after its first page', () => {
  // Two accounts per page; every later page fails beyond the SDK's retries. The scan walks the
  // organization's tree (ListAccountsForParent); a role that may not walk it lists with ListAccounts.
  const listings = [
    {
      name: 'walking the tree',
      action: 'ListAccountsForParent',
      fake: {
        pageSizes: { 'organizations:ListAccountsForParent': 2 },
        faults: [{ match: { action: 'ListAccountsForParent' }, fault: { kind: 'serverError', status: 503 }, skip: 1 } satisfies FaultRule],
      },
      message: /^The account list of organization o-\w+ is incomplete: organizations:ListAccountsForParent failed with ServiceUnavailable \(some accounts of r-\w+ could not be listed \(.+\); accounts there were not scanned\); 2 accounts were read and scanned, the accounts where the listing failed were not\.$/,
    },
    {
      name: 'with ListAccounts, the tree not readable',
      action: 'ListAccounts',
      fake: {
        pageSizes: { 'organizations:ListAccounts': 2 },
        faults: [
          { match: { action: 'ListRoots' }, fault: { kind: 'accessDenied' } } satisfies FaultRule,
          { match: { action: 'ListAccounts' }, fault: { kind: 'serverError', status: 503 }, skip: 1 } satisfies FaultRule,
        ],
      },
      message:
        /^The account list of organization o-\w+ is incomplete: organizations:ListAccounts failed with ServiceUnavailable \(the account listing stopped after 1 page\(s\), 2 account\(s\) read; accounts after them were not scanned\); 2 accounts were read and scanned, the accounts after them were not\.$/,
    },
  ];

  it.each(listings)('never looks complete ($name): an organization-scope error finding, SARIF executionSuccessful false, the incomplete line in every report', async ({ action, fake, message }) => {
    const outcome = await scanScenario(scenario(ORGANIZATION), { fake });
    expectWellBehaved(outcome);
    const all = Object.values(ORG_ACCOUNTS).length;
    expect(outcome.snapshot.accounts).toHaveLength(2);
    expect(all).toBeGreaterThan(2);
    expect(outcome.code).toBe(3);

    const scope = outcome.results.findings.filter((finding) => finding.ruleId === 'trailwarden/scan-scope');
    expect(scope).toHaveLength(1);
    expect(scope[0]).toMatchObject({ status: 'error', resource: { type: 'organization' } });
    expect(scope[0]!.message).toMatch(message);
    expect(outcome.results.rules.map((rule) => rule.id)).toContain('trailwarden/scan-scope');
    expect(outcome.results.incomplete?.summary).toMatch(/^Incomplete scan: 1 part of the scope \(accounts\) could not be enumerated/);
    expect(outcome.results.incomplete?.gaps).toEqual([expect.objectContaining({ kind: 'accounts', action: `organizations:${action}`, code: 'ServiceUnavailable' })]);

    const run = outcome.sarif.runs[0] as unknown as {
      invocations: [{ executionSuccessful: boolean; toolExecutionNotifications: { level: string; descriptor: { id: string }; message: { text: string } }[] }];
      results: { ruleId: string; kind?: string; message: { text: string } }[];
    };
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(run.invocations[0].toolExecutionNotifications).toContainEqual(
      expect.objectContaining({
        level: 'error',
        descriptor: { id: 'trailwarden/scan-scope/accounts' },
        message: { text: expect.stringMatching(new RegExp(`^Incomplete scan: accounts of the scan could not be listed or accessed \\(1 gap; organizations:${action} ServiceUnavailable\\)`)) },
      }),
    );
    expect(run.results).toContainEqual(expect.objectContaining({ ruleId: 'trailwarden/scan-scope/could-not-evaluate', kind: 'open' }));
    expect(outcome.html).toContain('Incomplete scan: 1 part of the scope (accounts) could not be enumerated');
  });
});

describe('regions and trails that could not be listed are scope gaps at their own scope', () => {
  it.each([
    { name: 'DescribeRegions denied in one account', fault: { match: { action: 'DescribeRegions', accountId: ORG_ACCOUNTS.workloadA }, fault: { kind: 'accessDenied' } }, kind: 'regions', type: 'region', action: 'ec2:DescribeRegions' },
    { name: 'ListTrails failing in one account', fault: { match: { action: 'ListTrails', accountId: ORG_ACCOUNTS.workloadA }, fault: { kind: 'serverError', status: 503 } }, kind: 'trails', type: 'account', action: 'cloudtrail:ListTrails' },
  ] as const)('$name', async ({ fault, kind, type, action }) => {
    const outcome = await scanScenario(scenario(ORGANIZATION), { fake: { faults: [fault as FaultRule] } });
    expectWellBehaved(outcome);
    expect(outcome.code).toBe(3);
    const scope = outcome.results.findings.filter((finding) => finding.ruleId === 'trailwarden/scan-scope');
    expect(scope).toEqual([expect.objectContaining({ status: 'error', resource: expect.objectContaining({ type, accountId: ORG_ACCOUNTS.workloadA }) })]);
    expect(scope[0]!.errors).toEqual([expect.objectContaining({ action })]);
    expect(outcome.results.incomplete?.gaps).toEqual([expect.objectContaining({ kind, accountId: ORG_ACCOUNTS.workloadA, action })]);
    const run = outcome.sarif.runs[0] as unknown as { invocations: [{ executionSuccessful: boolean; toolExecutionNotifications: { descriptor: { id: string } }[] }] };
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(run.invocations[0].toolExecutionNotifications.map((n) => n.descriptor.id)).toContain(`trailwarden/scan-scope/${kind}`);
  });

  it('DescribeTrails refused in one region: the trail list of the account is a gap at account scope, not a missing alert', async () => {
    const outcome = await scanScenario(scenario(REGIONAL_TRAILS), { fake: { faults: [{ match: { region: 'eu-west-1' }, fault: { kind: 'regionDisabled' } }] } });
    expectWellBehaved(outcome);
    const scope = outcome.results.findings.filter((finding) => finding.ruleId === 'trailwarden/scan-scope');
    expect(scope).toEqual([
      expect.objectContaining({
        status: 'error',
        resource: expect.objectContaining({ type: 'account', accountId: '707070707070' }),
        message: expect.stringMatching(/^The trails of account 707070707070 could not be listed, so none of them was checked: cloudtrail:DescribeTrails failed with UnrecognizedClientException/),
      }),
    ]);
    expect(outcome.results.incomplete?.gaps.map((gap) => gap.kind)).toEqual(['trails']);
  });
});

describe('S3 unreachable while looking for a bucket owner', () => {
  it.each([
    { name: 'connections reset', fault: { kind: 'connectionReset' } as const, collect: undefined },
    { name: 'answers slower than the client timeout', fault: SLOW, collect: SHORT_TIMEOUT },
  ])('$name: the failed call and its code are the cause, never "owned by none of the scanned accounts"', async ({ fault, collect }) => {
    const outcome = await scanScenario(scenario(ORGANIZATION), { fake: { faults: [{ match: { action: 'GetBucketLocation' }, fault }] }, ...(collect ? { collect } : {}) });
    expectWellBehaved(outcome);
    expect(outcome.code).toBe(3);
    const bucket = outcome.snapshot.buckets[0]!;
    expect(bucket.ownerAccountId).toMatchObject({
      $error: { action: 's3:GetBucketLocation', code: 'TimeoutError', message: expect.stringMatching(/^the owner of bucket \S+ could not be determined: s3:GetBucketLocation failed with TimeoutError for \d+ account\(s\)/) },
    });
    expect(bucket.policy).toMatchObject({ $error: { action: 's3:GetBucketPolicy', code: 'TimeoutError' } });
    const everything = JSON.stringify([outcome.snapshot, outcome.results, outcome.sarif]) + outcome.html;
    expect(everything).not.toContain('OwnerNotInScan');
    expect(everything).not.toMatch(/owned by none of the/);
    const bucketErrors = outcome.results.findings.filter((finding) => finding.resource.type === 'bucket' && finding.status === 'error');
    expect(bucketErrors.length).toBeGreaterThan(0);
    expect(bucketErrors.every((finding) => finding.message.includes('TimeoutError'))).toBe(true);
  });
});
