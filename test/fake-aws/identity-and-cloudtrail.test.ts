import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventDataStoreCommand,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  ListEventDataStoresCommand,
  ListTagsCommand,
  paginateListTrails,
} from '@aws-sdk/client-cloudtrail';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REGIONS } from './model.js';
import {
  advancedSelectors,
  generateOrganization,
  memberOnlyScan,
  ORG_ACCOUNTS,
  orgTrailWithLogArchive,
  shadowCopies,
  stoppedAndSecondTrail,
} from './scenarios.js';
import { assumeScanRole, clientConfig, staticCredentials } from './sdk-config.js';
import { startFakeAws, type FakeAws } from './server.js';

const ORG_TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ORG_ACCOUNTS.management}:trail/pass-org-trail`;

async function rejection(promise: Promise<unknown>): Promise<{ name: string; status?: number | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    const failure = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: failure.name, status: failure.$metadata?.httpStatusCode, message: failure.message };
  }
  throw new Error('expected the call to fail');
}

describe('fake AWS: STS identity and the CloudTrail view of an organization', () => {
  const scenario = orgTrailWithLogArchive();
  const caller = staticCredentials(scenario.caller);
  let fake: FakeAws;
  let workloadA: AwsCredentialIdentity;

  beforeAll(async () => {
    fake = await startFakeAws(scenario.model);
    workloadA = await assumeScanRole(fake.url, caller, ORG_ACCOUNTS.workloadA);
  });
  afterAll(async () => {
    expect(fake.unexpectedErrors).toEqual([]);
    await fake.close();
  });

  it('names the caller of the static keys and of assumed-role credentials', async () => {
    const asCaller = await new STSClient(clientConfig(fake.url, caller)).send(new GetCallerIdentityCommand({}));
    expect(asCaller).toMatchObject({ Account: ORG_ACCOUNTS.management, Arn: `arn:aws:iam::${ORG_ACCOUNTS.management}:user/trailwarden-scanner` });

    expect(workloadA.accessKeyId).toMatch(new RegExp(`^ASIA${ORG_ACCOUNTS.workloadA}[0-9A-Z]{4}$`));
    const asRole = await new STSClient(clientConfig(fake.url, workloadA, 'eu-west-1')).send(new GetCallerIdentityCommand({}));
    expect(asRole.Account).toBe(ORG_ACCOUNTS.workloadA);
    expect(asRole.Arn).toBe(`arn:aws:sts::${ORG_ACCOUNTS.workloadA}:assumed-role/TrailwardenReadOnly/trailwarden-test`);
    expect(fake.calls.filter((call) => call.action === 'GetCallerIdentity').map((call) => call.accountId)).toEqual([ORG_ACCOUNTS.management, ORG_ACCOUNTS.workloadA]);
  });

  it('refuses AssumeRole into a role that does not trust the caller, or with a wrong external id', async () => {
    const members = memberOnlyScan();
    const generated = generateOrganization({ accounts: 4, regions: 2, ownTrailShare: 0, seed: 1, externalId: 'expected-external-id' });
    const membersFake = await startFakeAws(members.model);
    const generatedFake = await startFakeAws(generated.model);
    try {
      const audit = staticCredentials(members.caller);
      const denied = await rejection(assumeScanRole(membersFake.url, audit, ORG_ACCOUNTS.management));
      expect(denied).toMatchObject({ name: 'AccessDenied', status: 403 });
      expect(denied.message).toContain(`sts:AssumeRole on resource: arn:aws:iam::${ORG_ACCOUNTS.management}:role/TrailwardenReadOnly`);
      await expect(assumeScanRole(membersFake.url, audit, ORG_ACCOUNTS.workloadB)).resolves.toMatchObject({ accessKeyId: expect.stringMatching(/^ASIA555555555555/) });

      const management = staticCredentials(generated.caller);
      const member = generated.scanAccountIds[3]!;
      expect(await rejection(assumeScanRole(generatedFake.url, management, member, { externalId: 'wrong' }))).toMatchObject({ name: 'AccessDenied', status: 403 });
      expect(await rejection(assumeScanRole(generatedFake.url, management, member))).toMatchObject({ name: 'AccessDenied' });
      await expect(assumeScanRole(generatedFake.url, management, member, { externalId: 'expected-external-id' })).resolves.toBeDefined();
      expect(await rejection(assumeScanRole(generatedFake.url, management, member, { roleName: 'NoSuchRole', externalId: 'expected-external-id' }))).toMatchObject({
        name: 'AccessDenied',
      });
    } finally {
      await membersFake.close();
      await generatedFake.close();
    }
  });

  it('shows a member account the organization trail as a shadow copy with the owner ARN and real home region', async () => {
    const cloudtrail = new CloudTrailClient(clientConfig(fake.url, workloadA, 'eu-west-1'));
    const { trailList } = await cloudtrail.send(new DescribeTrailsCommand({}));
    expect(trailList).toEqual([
      expect.objectContaining({
        Name: 'pass-org-trail',
        TrailARN: ORG_TRAIL_ARN,
        HomeRegion: 'us-east-1',
        IsOrganizationTrail: true,
        IsMultiRegionTrail: true,
        LogFileValidationEnabled: true,
        S3BucketName: `pass-org-trail-logs-${ORG_ACCOUNTS.logArchive}`,
        KmsKeyId: expect.stringContaining(`:kms:us-east-1:${ORG_ACCOUNTS.logArchive}:key/`),
        HasCustomEventSelectors: false,
        HasInsightSelectors: true,
      }),
    ]);
    expect((await cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: false }))).trailList).toEqual([]);
    expect((await cloudtrail.send(new DescribeTrailsCommand({ trailNameList: [ORG_TRAIL_ARN] }))).trailList).toHaveLength(1);
    expect((await cloudtrail.send(new DescribeTrailsCommand({ trailNameList: ['pass-org-trail'] }))).trailList).toEqual([]);
  });

  it('answers per-trail reads only to the owner, in the home region', async () => {
    const member = new CloudTrailClient(clientConfig(fake.url, workloadA, 'us-east-1'));
    const refused = await rejection(member.send(new GetEventSelectorsCommand({ TrailName: ORG_TRAIL_ARN })));
    expect(refused).toMatchObject({ name: 'CloudTrailARNInvalidException', status: 400 });
    expect(refused.message).toContain(`only access resources with AccountID ${ORG_ACCOUNTS.workloadA}`);

    const owner = new CloudTrailClient(clientConfig(fake.url, caller, 'us-east-1'));
    const status = await owner.send(new GetTrailStatusCommand({ Name: ORG_TRAIL_ARN }));
    expect(status.IsLogging).toBe(true);
    expect(status.LatestDeliveryTime).toEqual(new Date('2024-06-01T11:56:00Z'));
    expect(status.LatestDeliveryAttemptSucceeded).toBe('2024-06-01T11:56:00Z');
    expect(status.TimeLoggingStopped).toBe('');
    expect((await owner.send(new GetTrailCommand({ Name: 'pass-org-trail' }))).Trail?.TrailARN).toBe(ORG_TRAIL_ARN);
    expect((await owner.send(new GetEventSelectorsCommand({ TrailName: ORG_TRAIL_ARN }))).EventSelectors).toEqual([
      { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
    ]);
    expect((await owner.send(new GetInsightSelectorsCommand({ TrailName: ORG_TRAIL_ARN }))).InsightSelectors).toEqual([
      { InsightType: 'ApiCallRateInsight' },
      { InsightType: 'ApiErrorRateInsight' },
    ]);
    expect((await owner.send(new ListTagsCommand({ ResourceIdList: [ORG_TRAIL_ARN] }))).ResourceTagList).toEqual([
      { ResourceId: ORG_TRAIL_ARN, TagsList: [{ Key: 'team', Value: 'security' }] },
    ]);

    const elsewhere = new CloudTrailClient(clientConfig(fake.url, caller, 'eu-west-1'));
    expect(await rejection(elsewhere.send(new GetTrailStatusCommand({ Name: ORG_TRAIL_ARN })))).toMatchObject({ name: 'TrailNotFoundException', status: 400 });
    expect(await rejection(elsewhere.send(new ListTagsCommand({ ResourceIdList: [ORG_TRAIL_ARN] })))).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('lists the organization event data store in its home region only', async () => {
    const owner = new CloudTrailClient(clientConfig(fake.url, caller, 'us-east-1'));
    const { EventDataStores } = await owner.send(new ListEventDataStoresCommand({}));
    expect(EventDataStores).toEqual([expect.objectContaining({ Name: 'pass-org-event-data-store', Status: 'ENABLED', OrganizationEnabled: true, RetentionPeriod: 2557 })]);
    const store = await owner.send(new GetEventDataStoreCommand({ EventDataStore: EventDataStores![0]!.EventDataStoreArn }));
    expect(store).toMatchObject({ MultiRegionEnabled: true, TerminationProtectionEnabled: true, CreatedTimestamp: new Date('2023-02-01T00:00:00Z') });
    const elsewhere = new CloudTrailClient(clientConfig(fake.url, caller, 'eu-west-1'));
    expect((await elsewhere.send(new ListEventDataStoresCommand({}))).EventDataStores).toEqual([]);
    expect(await rejection(elsewhere.send(new GetEventDataStoreCommand({ EventDataStore: EventDataStores![0]!.EventDataStoreArn })))).toMatchObject({
      name: 'EventDataStoreNotFoundException',
    });
  });
});

describe('fake AWS: trails of a single account', () => {
  it('returns a multi-region trail from every region with one ARN and its real home region', async () => {
    const scenario = shadowCopies();
    const fake = await startFakeAws(scenario.model);
    try {
      const credentials = staticCredentials(scenario.caller);
      const seen = await Promise.all(
        DEFAULT_REGIONS.map(async (region) => (await new CloudTrailClient(clientConfig(fake.url, credentials, region)).send(new DescribeTrailsCommand({}))).trailList ?? []),
      );
      expect(seen.every((trails) => trails.length === 1)).toBe(true);
      expect(new Set(seen.map((trails) => trails[0]!.TrailARN))).toEqual(new Set(['arn:aws:cloudtrail:eu-west-1:606060606060:trail/pass-multi-region-trail']));
      expect(new Set(seen.map((trails) => trails[0]!.HomeRegion))).toEqual(new Set(['eu-west-1']));
    } finally {
      await fake.close();
    }
  });

  it('pages ListTrails through every trail of the account, single-region ones homed elsewhere included', async () => {
    const scenario = stoppedAndSecondTrail();
    const fake = await startFakeAws(scenario.model, { pageSizes: { 'cloudtrail:ListTrails': 1 } });
    try {
      const client = new CloudTrailClient(clientConfig(fake.url, staticCredentials(scenario.caller), 'us-east-1'));
      const pages = [];
      for await (const page of paginateListTrails({ client }, {})) pages.push(page.Trails ?? []);
      expect(pages.map((trails) => trails.map((trail) => `${trail.Name}@${trail.HomeRegion}`))).toEqual([
        ['fail-stopped-trail@us-east-1'],
        ['pass-second-trail@us-west-2'],
        ['pass-single-region-trail@eu-west-1'],
      ]);
      const described = (await client.send(new DescribeTrailsCommand({}))).trailList?.map((trail) => trail.Name);
      expect(described).toEqual(['fail-stopped-trail', 'pass-second-trail']);
      const stopped = await client.send(new GetTrailStatusCommand({ Name: 'fail-stopped-trail' }));
      expect(stopped).toMatchObject({ IsLogging: false, StopLoggingTime: new Date('2024-05-20T08:00:00Z') });
    } finally {
      await fake.close();
    }
  });

  it('answers classic and advanced event selectors in their own shapes, and no insights as InsightNotEnabledException', async () => {
    const scenario = advancedSelectors();
    const fake = await startFakeAws(scenario.model);
    try {
      const client = new CloudTrailClient(clientConfig(fake.url, staticCredentials(scenario.caller), 'us-east-1'));
      const split = await client.send(new GetEventSelectorsCommand({ TrailName: 'pass-split-read-write' }));
      expect(split.EventSelectors).toBeUndefined();
      expect(split.AdvancedEventSelectors?.map((selector) => selector.FieldSelectors?.map((field) => [field.Field, field.Equals]))).toEqual([
        [['eventCategory', ['Management']], ['readOnly', ['true']]],
        [['eventCategory', ['Management']], ['readOnly', ['false']]],
        [['eventCategory', ['Data']], ['resources.type', ['AWS::S3::Object']]],
      ]);
      const classic = await client.send(new GetEventSelectorsCommand({ TrailName: 'fail-classic-excludes-kms' }));
      expect(classic.EventSelectors).toEqual([{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: ['kms.amazonaws.com'] }]);
      const trails = (await client.send(new DescribeTrailsCommand({}))).trailList ?? [];
      expect(trails.every((trail) => trail.HasCustomEventSelectors)).toBe(true);

      const withoutInsights = stoppedAndSecondTrail();
      withoutInsights.model.accounts[0]!.trails[0]!.insightTypes = [];
      const plainFake = await startFakeAws(withoutInsights.model);
      try {
        const plain = new CloudTrailClient(clientConfig(plainFake.url, staticCredentials(withoutInsights.caller), 'us-east-1'));
        expect(await rejection(plain.send(new GetInsightSelectorsCommand({ TrailName: 'fail-stopped-trail' })))).toMatchObject({
          name: 'InsightNotEnabledException',
          status: 400,
        });
      } finally {
        await plainFake.close();
      }
    } finally {
      await fake.close();
    }
  });
});
