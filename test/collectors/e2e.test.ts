/**
 * collectSnapshot end to end against the fake AWS (test/fake-aws) over HTTP, through
 * AWS_ENDPOINT_URL, with the real SDK clients: each scenario's snapshot validates against the
 * published schema and tells the scenario's story.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fakeAwsPerTest } from '../fake-aws/per-test.js';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadRule } from '../../src/policy/loader.js';
import { collectSnapshot, type CollectOptions } from '../../src/collectors/index.js';
import { isCollectionError, type Snapshot } from '../../src/snapshot/schema.js';
import { snapshotValidator } from '../../src/snapshot/validate.js';
import { AWS_LIKE_RATE_LIMITS, type FaultRule } from '../fake-aws/behaviour.js';
import { isRegionEnabled } from '../fake-aws/model.js';
import { generateOrganization, ORG_ACCOUNTS, SCENARIO_TIME, SCENARIOS, type Scenario } from '../fake-aws/scenarios.js';
import { isReadOnlyAction, type FakeAws, type FakeAwsOptions } from '../fake-aws/server.js';

const ORG_TRAIL = `arn:aws:cloudtrail:us-east-1:${ORG_ACCOUNTS.management}:trail/pass-org-trail`;

interface Scan {
  snapshot: Snapshot;
  fake: FakeAws;
  scenario: Scenario;
}

const fakes = fakeAwsPerTest();

async function scan(scenario: Scenario, options: Partial<CollectOptions> = {}, fakeOptions: FakeAwsOptions = {}): Promise<Scan> {
  const fake = await fakes.start(scenario.model, scenario.caller, { now: () => new Date(SCENARIO_TIME), ...fakeOptions });
  const snapshot = await collectSnapshot({
    org: scenario.model.organization !== null,
    roleName: scenario.scanRoleName,
    regions: 'all',
    now: () => new Date(SCENARIO_TIME),
    ...options,
  });
  return { snapshot, fake, scenario };
}

function expectValid(snapshot: Snapshot): void {
  const validate = snapshotValidator();
  expect(validate(snapshot), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
}

/** What every scan must honour, whatever the story (SPEC §8, §9). */
function expectWellBehaved({ snapshot, fake, scenario }: Scan): void {
  expectValid(snapshot);
  expect(fake.calls.filter((call) => !isReadOnlyAction(call.action)).map((call) => call.action)).toEqual([]);
  expect(fake.calls.filter((call) => call.throttled)).toEqual([]);
  const disabled = new Set(scenario.model.accounts.flatMap((account) => account.regions.filter((region) => !isRegionEnabled(region)).map((region) => `${account.id}/${region.name}`)));
  expect(fake.calls.filter((call) => disabled.has(`${call.accountId}/${call.region}`))).toEqual([]);
  const text = JSON.stringify(snapshot);
  expect(text).not.toContain(scenario.caller.secretAccessKey);
  expect(text).not.toMatch(/ASIA[0-9A-Z]{12,}|X-Amz-Signature|fake-secret/);
}

function account(snapshot: Snapshot, id: string) {
  const found = snapshot.accounts.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no account ${id}`);
  return found;
}

function scenario(name: string): Scenario {
  const make = SCENARIOS[name];
  if (!make) throw new Error(`no scenario ${name}`);
  return make();
}

describe('collectSnapshot against the fake AWS', () => {
  it('org-trail-with-log-archive: every account covered by one organization trail read in management, storage read in log-archive', async () => {
    const result = await scan(scenario('org-trail-with-log-archive'));
    expectWellBehaved(result);
    const { snapshot, fake } = result;
    expect(snapshot.accounts.map((entry) => [entry.id, entry.trailArns])).toEqual(Object.values(ORG_ACCOUNTS).sort().map((id) => [id, [ORG_TRAIL]]));
    expect(snapshot.trails).toHaveLength(1);
    expect(snapshot.trails[0]).toMatchObject({ arn: ORG_TRAIL, isOrganizationTrail: true, status: { isLogging: true }, eventSelectors: { source: 'default' } });
    expect(snapshot.buckets[0]).toMatchObject({ ownerAccountId: ORG_ACCOUNTS.logArchive, exists: true, versioning: { status: 'Enabled' }, objectLock: { enabled: true } });
    expect(snapshot.kmsKeys[0]).toMatchObject({ accountId: ORG_ACCOUNTS.logArchive, metadata: { keyState: 'Enabled' }, rotationEnabled: true });
    const [logGroup] = snapshot.logGroups;
    expect(isCollectionError(logGroup?.metricFilters) ? [] : logGroup?.metricFilters?.length).toBeGreaterThan(0);
    expect(isCollectionError(logGroup?.alarms) ? [] : logGroup?.alarms?.length).toBeGreaterThan(0);
    expect(snapshot.snsTopics?.[0]?.confirmedSubscriptions).toBe(1);
    expect(snapshot.eventDataStores.map((store) => store.name)).toEqual(['pass-org-event-data-store']);
    expect(account(snapshot, ORG_ACCOUNTS.logArchive).publicAccessBlock).toMatchObject({ blockPublicAcls: true });

    // An organization-trail-only member: DescribeRegions, ListTrails and the IAM listing in the member, one AssumeRole by the caller.
    for (const member of [ORG_ACCOUNTS.workloadA, ORG_ACCOUNTS.workloadB]) {
      expect(fake.calls.filter((call) => call.accountId === member).map((call) => call.action).sort()).toEqual(['DescribeRegions', 'GetAccountAuthorizationDetails', 'ListTrails']);
    }
    expect(fake.calls.filter((call) => call.action === 'AssumeRole')).toHaveLength(4);
    const perTrail = fake.calls.filter((call) => ['GetTrailStatus', 'GetEventSelectors', 'GetInsightSelectors', 'ListTags'].includes(call.action));
    expect(perTrail.map((call) => `${call.action} ${call.accountId}/${call.region}`).sort()).toEqual(
      ['GetInsightSelectors', 'GetTrailStatus', 'ListTags'].map((action) => `${action} ${ORG_ACCOUNTS.management}/us-east-1`),
    );
  });

  it('member-only-scan: what belongs to accounts outside the scan is an error naming the owner, never a failure', async () => {
    const result = await scan(scenario('member-only-scan'));
    expectWellBehaved(result);
    const { snapshot } = result;
    expect(account(snapshot, ORG_ACCOUNTS.management).trailArns).toMatchObject({ $error: { action: 'sts:AssumeRole', code: 'AccessDenied' } });
    for (const member of [ORG_ACCOUNTS.audit, ORG_ACCOUNTS.workloadA, ORG_ACCOUNTS.workloadB]) expect(account(snapshot, member).trailArns).toEqual([ORG_TRAIL]);
    const [trail] = snapshot.trails;
    expect(trail).toMatchObject({ arn: ORG_TRAIL, isMultiRegion: true });
    for (const fact of [trail?.status, trail?.tags]) {
      expect(fact).toMatchObject({ $error: { accountId: ORG_ACCOUNTS.management, message: expect.stringContaining(`evaluate in account ${ORG_ACCOUNTS.management}`) } });
    }
    const [bucket] = snapshot.buckets;
    expect(bucket?.exists).toBe(true);
    expect(bucket?.ownerAccountId).toMatchObject({ $error: { accountId: ORG_ACCOUNTS.logArchive, message: expect.stringContaining(`evaluate in account ${ORG_ACCOUNTS.logArchive}`) } });
    expect(snapshot.kmsKeys[0]?.metadata).toMatchObject({ $error: { code: 'AccountNotAccessible', accountId: ORG_ACCOUNTS.logArchive } });
  });

  it('cross-account-bucket-denied: a bucket in an account the scan cannot enter is an error, and 403s prove it exists', async () => {
    const result = await scan(scenario('cross-account-bucket-denied'));
    expectWellBehaved(result);
    const [bucket] = result.snapshot.buckets;
    expect(bucket?.exists).toBe(true);
    expect(bucket?.ownerAccountId).toMatchObject({ $error: { code: 'AccountNotAccessible', accountId: ORG_ACCOUNTS.logArchive } });
    expect(bucket?.versioning).toMatchObject({ $error: { action: 's3:GetBucketVersioning', code: 'AccountNotAccessible' } });
    expect(account(result.snapshot, ORG_ACCOUNTS.logArchive).regions).toMatchObject({ $error: { action: 'sts:AssumeRole' } });
  });

  it('shadow-copies: a multi-region trail is one trail, read once in its home region', async () => {
    const result = await scan(scenario('shadow-copies'));
    expectWellBehaved(result);
    const { snapshot, fake } = result;
    expect(snapshot.trails.map((trail) => [trail.name, trail.homeRegion])).toEqual([['pass-multi-region-trail', 'eu-west-1']]);
    expect(snapshot.accounts[0]?.trailArns).toHaveLength(1);
    expect(fake.calls.filter((call) => call.action === 'GetTrailStatus').map((call) => call.region)).toEqual(['eu-west-1']);
    expect(snapshot.buckets[0]).toMatchObject({ region: 'eu-west-1', exists: true });
  });

  it('stopped-and-second-trail: a single-region trail homed elsewhere is found through ListTrails; the stopped trail stays stopped', async () => {
    const result = await scan(scenario('stopped-and-second-trail'));
    expectWellBehaved(result);
    const trails = Object.fromEntries(result.snapshot.trails.map((trail) => [trail.name, trail]));
    expect(Object.keys(trails).sort()).toEqual(['fail-stopped-trail', 'pass-second-trail', 'pass-single-region-trail']);
    expect(trails['fail-stopped-trail']?.status).toMatchObject({ isLogging: false, stopLoggingTime: '2024-05-20T08:00:00.000Z' });
    expect(trails['pass-single-region-trail']).toMatchObject({ homeRegion: 'eu-west-1', isMultiRegion: false, status: { isLogging: true } });
    expect(result.snapshot.buckets).toHaveLength(1);
  });

  it('advanced-selectors: every selector shape is folded, never widened', async () => {
    const result = await scan(scenario('advanced-selectors'));
    expectWellBehaved(result);
    const selectors = Object.fromEntries(result.snapshot.trails.map((trail) => [trail.name, trail.eventSelectors]));
    expect(selectors['pass-split-read-write']).toMatchObject({ source: 'advanced', selectors: [{ name: 'reads' }, { name: 'writes' }, { name: 'all S3 objects' }] });
    expect(selectors['fail-excludes-kms-events']).toMatchObject({ source: 'advanced', selectors: [{ fieldSelectors: [{ field: 'eventCategory' }, { field: 'eventSource', notEquals: ['kms.amazonaws.com'] }] }] });
    expect(selectors['fail-classic-excludes-kms']).toMatchObject({ source: 'classic', selectors: [{ fieldSelectors: [{ field: 'eventCategory' }, { field: 'eventSource', notEquals: ['kms.amazonaws.com'] }] }] });
    expect(selectors['pass-classic-s3-data-events']).toMatchObject({ source: 'classic', selectors: [{}, { fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }, { field: 'resources.type', equals: ['AWS::S3::Object'] }] }] });
  });

  it('deleted-bucket: a bucket that does not exist is a fact (exists: false), not an error', async () => {
    const result = await scan(scenario('deleted-bucket'));
    expectWellBehaved(result);
    const [bucket] = result.snapshot.buckets;
    expect(bucket).toMatchObject({ name: 'fail-deleted-trail-bucket-101010101010', exists: false, ownerAccountId: { $error: { code: 'NoSuchBucket' } } });
    expect(result.snapshot.trails[0]?.status).toMatchObject({ latestDeliveryError: 'NoSuchBucket' });
  });

  it('key-pending-deletion: the key state and rotation are read as they are', async () => {
    const result = await scan(scenario('key-pending-deletion'));
    expectWellBehaved(result);
    expect(result.snapshot.kmsKeys[0]).toMatchObject({ metadata: { keyState: 'PendingDeletion', deletionDate: '2024-06-20T00:00:00.000Z' }, rotationEnabled: false });
  });

  it('opt-in-region-disabled: regions not opted in are listed as such and never called', async () => {
    const result = await scan(scenario('opt-in-region-disabled'));
    expectWellBehaved(result);
    const regions = result.snapshot.accounts[0]?.regions;
    if (isCollectionError(regions) || regions === undefined) throw new Error('regions were not read');
    expect(regions.find((region) => region.name === 'me-south-1')?.optInStatus).toBe('opted-in');
    expect(regions.find((region) => region.name === 'af-south-1')?.optInStatus).toBe('not-opted-in');
    expect(result.fake.calls.some((call) => call.region === 'af-south-1')).toBe(false);
  });
});

describe('collectSnapshot against a misbehaving fake AWS', () => {
  it('retries 5xx answers and reset connections, and records what stays denied or unreadable', async () => {
    const faults: FaultRule[] = [
      { match: { action: 'GetTrailStatus' }, fault: { kind: 'serverError', status: 503 }, times: 2 },
      { match: { action: 'ListTrails', accountId: ORG_ACCOUNTS.workloadA }, fault: { kind: 'connectionReset' }, times: 1 },
      { match: { action: 'GetBucketPolicy' }, fault: { kind: 'accessDenied' } },
      { match: { action: 'DescribeRegions', accountId: ORG_ACCOUNTS.workloadB }, fault: { kind: 'malformedBody' } },
      { match: { action: 'ListAccounts' }, fault: { kind: 'emptyPage' }, times: 1 },
    ];
    const result = await scan(scenario('org-trail-with-log-archive'), {}, { faults });
    expectValid(result.snapshot);
    const { snapshot } = result;
    expect(snapshot.accounts).toHaveLength(5);
    expect(snapshot.trails[0]?.status).toMatchObject({ isLogging: true });
    expect(account(snapshot, ORG_ACCOUNTS.workloadA).trailArns).toEqual([ORG_TRAIL]);
    expect(snapshot.buckets[0]?.policy).toMatchObject({ $error: { action: 's3:GetBucketPolicy', code: 'AccessDenied', accountId: ORG_ACCOUNTS.logArchive } });
    expect(account(snapshot, ORG_ACCOUNTS.workloadB).regions).toMatchObject({ $error: { action: 'ec2:DescribeRegions', code: 'MalformedResponse', accountId: ORG_ACCOUNTS.workloadB } });
    expect(account(snapshot, ORG_ACCOUNTS.workloadB).trailArns).toEqual([ORG_TRAIL]);
  });

  it('keeps every call within AWS-like quotas and at most 4 calls per organization-trail-only member', async () => {
    const generated = generateOrganization({ accounts: 60, regions: 17, ownTrailShare: 0.2, seed: 42 });
    const result = await scan(generated, {}, { latencyMs: 5, throttling: AWS_LIKE_RATE_LIMITS, pageSizes: { 'organizations:ListAccountsForParent': 7 } });
    expectWellBehaved(result);
    const { snapshot, fake } = result;
    expect(snapshot.accounts).toHaveLength(60);
    const owners = new Set(generated.model.accounts.filter((entry) => entry.trails.length > 0).map((entry) => entry.id));
    const members = generated.model.accounts.slice(3).filter((entry) => !owners.has(entry.id));
    expect(members.length).toBeGreaterThan(20);
    // One AssumeRole per account (signed by the caller), then at most three calls in the member itself
    // (DescribeRegions, ListTrails, one page of GetAccountAuthorizationDetails): four in all.
    expect(fake.calls.filter((call) => call.action === 'AssumeRole')).toHaveLength(generated.scanAccountIds.length - 1);
    for (const member of members) expect(fake.calls.filter((call) => call.accountId === member.id).length, member.id).toBeLessThanOrEqual(3);
    // Each owner (management and the members with a trail) has one trail; shadow copies add none.
    expect(snapshot.trails.map((trail) => trail.ownerAccountId).sort()).toEqual([...owners].sort());
  });

  it('walks an organization of nested OUs once: every account named with its place, no ListAccounts, no second listing for paths', async () => {
    const generated = generateOrganization({ accounts: 90, regions: 3, ownTrailShare: 0.1, seed: 7, organizationalUnits: 12 });
    const result = await scan(generated, {}, { latencyMs: 2, throttling: AWS_LIKE_RATE_LIMITS, pageSizes: { 'organizations:ListAccountsForParent': 3, 'organizations:ListOrganizationalUnitsForParent': 1 } });
    expectWellBehaved(result);
    const { snapshot, fake } = result;
    expect(snapshot.accounts.map((entry) => entry.id).sort()).toEqual(generated.scanAccountIds.slice().sort());
    const organization = generated.model.organization!;
    const unitParent = new Map(organization.organizationalUnits!.map((unit) => [unit.id, unit.parentId]));
    const pathOf = (id: string): string[] => {
      const path: string[] = [];
      for (let at: string | undefined = organization.accountParents![id]; at !== undefined && at !== organization.rootId; at = unitParent.get(at)) path.unshift(at);
      return [organization.rootId!, ...path];
    };
    for (const entry of snapshot.accounts) expect(entry.organizationPath, entry.id).toEqual(pathOf(entry.id));
    expect(snapshot.accounts.some((entry) => Array.isArray(entry.organizationPath) && entry.organizationPath.length === 3)).toBe(true);
    const organizationCalls = fake.calls.filter((call) => call.service === 'organizations').map((call) => call.action);
    expect(organizationCalls).not.toContain('ListAccounts');
    // Each parent's accounts once, three to a page (a full last page is followed by an empty one).
    const parents = [organization.rootId!, ...organization.organizationalUnits!.map((unit) => unit.id)];
    const accountsUnder = (parent: string) => generated.model.accounts.filter((entry) => (organization.accountParents![entry.id] ?? organization.rootId) === parent).length;
    const pagesOf = (count: number) => Math.max(1, Math.ceil(count / 3));
    const expectedPages = parents.reduce((sum, parent) => sum + pagesOf(accountsUnder(parent)), 0);
    expect(organizationCalls.filter((action) => action === 'ListAccountsForParent').length).toBeGreaterThanOrEqual(expectedPages);
    expect(organizationCalls.filter((action) => action === 'ListAccountsForParent').length).toBeLessThanOrEqual(expectedPages + parents.length);
    expect(organizationCalls.filter((action) => action === 'ListRoots')).toHaveLength(1);
  });

  it('scans one shard of the accounts and still reads the organization trail in management', async () => {
    const generated = generateOrganization({ accounts: 12, regions: 3, ownTrailShare: 0, seed: 3 });
    const first = await scan(generated, { shard: { index: 1, count: 2 } });
    expectValid(first.snapshot);
    const firstIds = first.snapshot.accounts.map((entry) => entry.id);
    await fakes.release();
    const second = await scan(generated, { shard: { index: 2, count: 2 } });
    const secondIds = second.snapshot.accounts.map((entry) => entry.id);
    expect([...firstIds, ...secondIds].sort()).toEqual(generated.scanAccountIds.slice().sort());
    expect(firstIds.filter((id) => secondIds.includes(id))).toEqual([]);
    for (const part of [first.snapshot, second.snapshot]) expect(part.trails[0]?.status).toMatchObject({ isLogging: true });
  });
});

describe('who can blind the trail: IAM and SCPs against the fake AWS', () => {
  const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
  const tamperStatement = { Effect: 'Allow', Action: ['cloudtrail:StopLogging', 'cloudtrail:UpdateTrail'], Resource: '*' };
  const guardrail = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Action: ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors', 'cloudtrail:PutInsightSelectors'],
        Resource: '*',
        Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/break-glass' } },
      },
    ],
  };

  /** The example organization with principals, OUs and one guardrail SCP on the workloads OU only. */
  function iamStory(): Scenario {
    const scenario = SCENARIOS['org-trail-with-log-archive']!();
    const byId = (id: string) => scenario.model.accounts.find((entry) => entry.id === id)!;
    const management = byId(ORG_ACCOUNTS.management);
    management.roles.push({ name: 'break-glass', managedPolicyArns: [ADMIN] }, { name: 'fail-ops-admin', managedPolicyArns: [ADMIN] });
    // Roles that cannot touch a trail: dropped when collected, only counted.
    for (let index = 0; index < 5; index++) management.roles.push({ name: `app-${index}`, inlinePolicies: [{ name: 'read', document: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] } }] });
    management.users = [{ name: 'alice', groups: ['trail-operators'] }];
    management.groups = [{ name: 'trail-operators', inlinePolicies: [{ name: 'operate', document: { Version: '2012-10-17', Statement: [tamperStatement] } }] }];
    management.managedPolicies = [
      { name: 'fail-cloudtrail-admins', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'cloudtrail:*', Resource: '*' }] }, attachmentCount: 0 },
      { name: 'unrelated', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' }] } },
    ];
    const organization = scenario.model.organization!;
    organization.rootId = 'r-a1b2';
    organization.organizationalUnits = [
      { id: 'ou-a1b2-security', parentId: 'r-a1b2', name: 'Security' },
      { id: 'ou-a1b2-workloads', parentId: 'r-a1b2', name: 'Workloads' },
      { id: 'ou-a1b2-prod', parentId: 'ou-a1b2-workloads', name: 'Production' },
    ];
    organization.accountParents = {
      [ORG_ACCOUNTS.logArchive]: 'ou-a1b2-security',
      [ORG_ACCOUNTS.audit]: 'ou-a1b2-security',
      [ORG_ACCOUNTS.workloadA]: 'ou-a1b2-prod',
      [ORG_ACCOUNTS.workloadB]: 'ou-a1b2-workloads',
    };
    organization.serviceControlPolicies = [
      { id: 'p-FullAWSAccess', name: 'FullAWSAccess', awsManaged: true, document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, targets: ['r-a1b2'] },
      { id: 'p-protecttrail', name: 'protect-cloudtrail', document: guardrail, targets: ['ou-a1b2-workloads', ORG_ACCOUNTS.audit] },
    ];
    return scenario;
  }

  /** Small pages everywhere, so every listing is read across several pages. */
  const pageSizes = {
    'iam:GetAccountAuthorizationDetails': 2,
    'organizations:ListPolicies': 1,
    'organizations:ListTargetsForPolicy': 1,
    'organizations:ListOrganizationalUnitsForParent': 1,
    'organizations:ListAccountsForParent': 1,
  };

  it('reads GetAccountAuthorizationDetails and the SCP APIs across pages, keeps only what can matter, and the rules judge it', async () => {
    const result = await scan(iamStory(), {}, { pageSizes });
    expectWellBehaved(result);
    const { snapshot, fake } = result;

    const managementIam = account(snapshot, ORG_ACCOUNTS.management).iam;
    if (managementIam === undefined || isCollectionError(managementIam)) throw new Error(`IAM not collected: ${JSON.stringify(managementIam)}`);
    // 1 user + 1 group + 9 roles (scan role, CloudWatch Logs delivery role, break-glass, ops admin, 5 apps) + 2 policies, two per page.
    expect(managementIam.counts).toEqual({ users: 1, groups: 1, roles: 9, managedPolicies: 2 });
    expect(fake.calls.filter((call) => call.action === 'GetAccountAuthorizationDetails' && call.accountId === ORG_ACCOUNTS.management)).toHaveLength(7);
    expect(managementIam.principals.map((principal) => `${principal.type}/${principal.name}`).sort()).toEqual(['group/trail-operators', 'role/break-glass', 'role/fail-ops-admin', 'user/alice']);
    expect(managementIam.managedPolicies.map((policy) => policy.name)).toEqual(['fail-cloudtrail-admins']);

    const organization = snapshot.organization;
    if (organization === null || isCollectionError(organization)) throw new Error('organization not read');
    expect(organization.serviceControlPolicies).toEqual([
      expect.objectContaining({ id: 'p-FullAWSAccess', awsManaged: true, targets: [{ id: 'r-a1b2', type: 'ROOT' }] }),
      expect.objectContaining({ id: 'p-protecttrail', document: guardrail, targets: [{ id: 'ou-a1b2-workloads', type: 'ORGANIZATIONAL_UNIT' }, { id: ORG_ACCOUNTS.audit, type: 'ACCOUNT' }] }),
    ]);
    expect(account(snapshot, ORG_ACCOUNTS.workloadA).organizationPath).toEqual(['r-a1b2', 'ou-a1b2-workloads', 'ou-a1b2-prod']);
    expect(account(snapshot, ORG_ACCOUNTS.logArchive).organizationPath).toEqual(['r-a1b2', 'ou-a1b2-security']);
    expect(account(snapshot, ORG_ACCOUNTS.management).organizationPath).toEqual(['r-a1b2']);
    expect(fake.calls.filter((call) => call.action === 'ListTargetsForPolicy').length).toBeGreaterThanOrEqual(3);

    const verdicts = judge(snapshot, ['iam/trail-tamper-principals', 'iam/no-full-cloudtrail-access', 'scp/protects-cloudtrail']);
    expect(verdicts['iam/trail-tamper-principals']).toEqual({ [ORG_TRAIL]: 'fail' });
    expect(verdicts['iam/no-full-cloudtrail-access']).toMatchObject({ [ORG_ACCOUNTS.management]: 'fail', [ORG_ACCOUNTS.workloadA]: 'pass' });
    expect(verdicts['scp/protects-cloudtrail']).toEqual({
      [ORG_ACCOUNTS.management]: 'not_applicable',
      [ORG_ACCOUNTS.logArchive]: 'fail',
      [ORG_ACCOUNTS.audit]: 'pass',
      [ORG_ACCOUNTS.workloadA]: 'pass',
      [ORG_ACCOUNTS.workloadB]: 'pass',
    });
  });

  it('records a denied IAM listing and unreadable SCPs where the facts would have been', async () => {
    const result = await scan(iamStory(), {}, {
      pageSizes,
      faults: [
        { match: { service: 'iam', action: 'GetAccountAuthorizationDetails', accountId: ORG_ACCOUNTS.workloadB }, fault: { kind: 'accessDenied' } },
        { match: { service: 'organizations', action: 'ListPolicies' }, fault: { kind: 'accessDenied' } },
      ],
    });
    expectValid(result.snapshot);
    expect(account(result.snapshot, ORG_ACCOUNTS.workloadB).iam).toMatchObject({ $error: { action: 'iam:GetAccountAuthorizationDetails', code: 'AccessDenied', accountId: ORG_ACCOUNTS.workloadB } });
    const organization = result.snapshot.organization;
    if (organization === null || isCollectionError(organization)) throw new Error('organization not read');
    expect(organization.serviceControlPolicies).toMatchObject({ $error: { action: 'organizations:ListPolicies' } });
    const verdicts = judge(result.snapshot, ['iam/no-full-cloudtrail-access', 'scp/protects-cloudtrail']);
    expect(verdicts['iam/no-full-cloudtrail-access']?.[ORG_ACCOUNTS.workloadB]).toBe('error');
    expect(verdicts['scp/protects-cloudtrail']?.[ORG_ACCOUNTS.workloadA]).toBe('error');
  });
});

/** Verdicts of built-in rules by resource (account id for account scope, ARN otherwise). */
function judge(snapshot: Snapshot, ruleIds: string[]): Record<string, Record<string, string>> {
  const rules = ruleIds.map((id) => {
    const file = `policies/${id}.yaml`;
    const loaded = loadRule({ file, text: readFileSync(path.join(import.meta.dirname, '../..', file), 'utf8'), builtin: true });
    if (!loaded.rule) throw new Error(`${id}: ${JSON.stringify(loaded.diagnostics)}`);
    return loaded.rule;
  });
  const verdicts: Record<string, Record<string, string>> = {};
  for (const finding of evaluate(snapshot, rules, { now: new Date(SCENARIO_TIME) })) {
    const key = finding.resource.type === 'account' ? finding.resource.accountId : finding.resource.arn;
    (verdicts[finding.ruleId] ??= {})[key] = finding.status;
  }
  return verdicts;
}

describe('--max-concurrency', () => {
  it('bounds the requests in flight across the whole scan, and only that', async () => {
    const scenario = generateOrganization({ accounts: 12, regions: 4, ownTrailShare: 0.25, seed: 5 });
    const bounded = await scan(scenario, { maxConcurrency: 3 }, { latencyMs: 15 });
    expect(bounded.fake.peakInFlight()).toBeLessThanOrEqual(3);
    const boundedActions = new Set(bounded.fake.calls.map((call) => `${call.service}:${call.action}`));
    await fakes.release();
    const free = await scan(scenario, {}, { latencyMs: 15 });
    // Without the bound the scan keeps many more requests in flight; the bound changes what is read, not what is asked.
    expect(free.fake.peakInFlight()).toBeGreaterThan(3);
    expect(new Set(free.fake.calls.map((call) => `${call.service}:${call.action}`))).toEqual(boundedActions);
    expect(free.snapshot).toEqual({ ...bounded.snapshot, scanTime: free.snapshot.scanTime });
  });
});
