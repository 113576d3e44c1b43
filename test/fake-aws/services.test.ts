import { CloudWatchClient, DescribeAlarmsCommand, DescribeAlarmsForMetricCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeLogGroupsCommand, DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import {
  AccessDeniedException,
  AWSOrganizationsNotInUseException,
  DescribeOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  OrganizationsClient,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';
import { GetTopicAttributesCommand, NotFoundException as TopicNotFoundException, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REGIONS, OPT_IN_REGIONS } from './model.js';
import { keyPendingDeletion, ORG_ACCOUNTS, orgTrailWithLogArchive, shadowCopies } from './scenarios.js';
import { assumeScanRole, clientConfig, staticCredentials } from './sdk-config.js';
import { startFakeAws, type FakeAws } from './server.js';

const ORG_KEY_ID = '0a1b2c3d-1111-4222-8333-444455556666';
const ORG_KEY_ARN = `arn:aws:kms:us-east-1:${ORG_ACCOUNTS.logArchive}:key/${ORG_KEY_ID}`;

describe('fake AWS: organization, regions, keys, logs, alarms, topics and roles', () => {
  const scenario = orgTrailWithLogArchive();
  const caller = staticCredentials(scenario.caller);
  let fake: FakeAws;

  beforeAll(async () => {
    fake = await startFakeAws(scenario.model, { pageSizes: { 'organizations:ListAccounts': 2 } });
  });
  afterAll(async () => {
    expect(fake.unexpectedErrors).toEqual([]);
    await fake.close();
  });

  it('describes the organization and pages its accounts two at a time', async () => {
    const client = new OrganizationsClient(clientConfig(fake.url, caller));
    const { Organization } = await client.send(new DescribeOrganizationCommand({}));
    expect(Organization).toMatchObject({ Id: 'o-a1b2c3d4e5', MasterAccountId: ORG_ACCOUNTS.management, FeatureSet: 'ALL' });
    const pages = [];
    for await (const page of paginateListAccounts({ client }, {})) pages.push((page.Accounts ?? []).map((account) => account.Id));
    expect(pages).toEqual([
      [ORG_ACCOUNTS.management, ORG_ACCOUNTS.logArchive],
      [ORG_ACCOUNTS.audit, ORG_ACCOUNTS.workloadA],
      [ORG_ACCOUNTS.workloadB],
    ]);
    const delegated = await client.send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: 'cloudtrail.amazonaws.com' }));
    expect(delegated.DelegatedAdministrators?.map((account) => account.Id)).toEqual([ORG_ACCOUNTS.audit]);
    expect((await client.send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: 'config.amazonaws.com' }))).DelegatedAdministrators).toEqual([]);
  });

  it('lets a member describe the organization but not list it', async () => {
    const member = new OrganizationsClient(clientConfig(fake.url, await assumeScanRole(fake.url, caller, ORG_ACCOUNTS.workloadB)));
    expect((await member.send(new DescribeOrganizationCommand({}))).Organization?.Id).toBe('o-a1b2c3d4e5');
    const listing = member.send(new ListDelegatedAdministratorsCommand({}));
    await expect(listing).rejects.toBeInstanceOf(AccessDeniedException);
  });

  it('lists regions with their opt-in status, all of them only when asked', async () => {
    const workloadA = await assumeScanRole(fake.url, caller, ORG_ACCOUNTS.workloadA);
    const ec2 = new EC2Client(clientConfig(fake.url, workloadA));
    const all = (await ec2.send(new DescribeRegionsCommand({ AllRegions: true }))).Regions ?? [];
    expect(all).toHaveLength(DEFAULT_REGIONS.length + OPT_IN_REGIONS.length);
    expect(all.find((region) => region.RegionName === 'af-south-1')).toEqual({ RegionName: 'af-south-1', Endpoint: 'ec2.af-south-1.amazonaws.com', OptInStatus: 'opted-in' });
    expect(all.find((region) => region.RegionName === 'me-south-1')?.OptInStatus).toBe('not-opted-in');
    const enabled = (await ec2.send(new DescribeRegionsCommand({}))).Regions ?? [];
    expect(enabled.map((region) => region.RegionName)).toEqual([...DEFAULT_REGIONS, 'af-south-1']);
    const one = await ec2.send(new DescribeRegionsCommand({ RegionNames: ['eu-west-1'] }));
    expect(one.Regions).toEqual([{ RegionName: 'eu-west-1', Endpoint: 'ec2.eu-west-1.amazonaws.com', OptInStatus: 'opt-in-not-required' }]);
  });

  it('reads a key in its owner account and region only; GetKeyPolicy never crosses accounts', async () => {
    const logArchive = new KMSClient(clientConfig(fake.url, await assumeScanRole(fake.url, caller, ORG_ACCOUNTS.logArchive)));
    const { KeyMetadata } = await logArchive.send(new DescribeKeyCommand({ KeyId: ORG_KEY_ARN }));
    expect(KeyMetadata).toMatchObject({ Arn: ORG_KEY_ARN, KeyState: 'Enabled', KeyManager: 'CUSTOMER', KeySpec: 'SYMMETRIC_DEFAULT', Enabled: true });
    expect((await logArchive.send(new DescribeKeyCommand({ KeyId: 'alias/pass-org-trail-key' }))).KeyMetadata?.KeyId).toBe(ORG_KEY_ID);
    expect(await logArchive.send(new GetKeyRotationStatusCommand({ KeyId: ORG_KEY_ID }))).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
    const policy = JSON.parse((await logArchive.send(new GetKeyPolicyCommand({ KeyId: ORG_KEY_ARN }))).Policy!) as { Statement: { Sid: string }[] };
    expect(policy.Statement.map((statement) => statement.Sid)).toContain('AllowCloudTrailToEncryptLogs');

    const management = new KMSClient(clientConfig(fake.url, caller));
    await expect(management.send(new GetKeyPolicyCommand({ KeyId: ORG_KEY_ARN }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(management.send(new DescribeKeyCommand({ KeyId: ORG_KEY_ARN }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const otherRegion = new KMSClient(clientConfig(fake.url, await assumeScanRole(fake.url, caller, ORG_ACCOUNTS.logArchive), 'eu-west-1'));
    await expect(otherRegion.send(new DescribeKeyCommand({ KeyId: ORG_KEY_ARN }))).rejects.toBeInstanceOf(NotFoundException);
  });

  it('describes the trail log group, its CIS metric filters, their alarms and the alerted topic', async () => {
    const logs = new CloudWatchLogsClient(clientConfig(fake.url, caller));
    const groups = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'aws-cloudtrail-logs-pass-org-trail' }))).logGroups ?? [];
    expect(groups).toEqual([
      expect.objectContaining({
        logGroupName: 'aws-cloudtrail-logs-pass-org-trail',
        retentionInDays: 365,
        metricFilterCount: 3,
        arn: `arn:aws:logs:us-east-1:${ORG_ACCOUNTS.management}:log-group:aws-cloudtrail-logs-pass-org-trail:*`,
        creationTime: Date.parse('2023-01-10T09:00:00Z'),
      }),
    ]);
    const filters = (await logs.send(new DescribeMetricFiltersCommand({ logGroupName: groups[0]!.logGroupName }))).metricFilters ?? [];
    expect(filters.map((filter) => filter.metricTransformations?.[0]?.metricName)).toEqual(['UnauthorizedAPICalls', 'RootAccountUsage', 'CloudTrailConfigurationChanges']);
    await expect(logs.send(new DescribeMetricFiltersCommand({ logGroupName: 'no-such-group' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    const cloudwatch = new CloudWatchClient(clientConfig(fake.url, caller));
    const { MetricAlarms } = await cloudwatch.send(new DescribeAlarmsForMetricCommand({ MetricName: 'RootAccountUsage', Namespace: 'CISBenchmark' }));
    expect(MetricAlarms).toEqual([expect.objectContaining({ AlarmName: 'pass-RootAccountUsage-alarm', ActionsEnabled: true })]);
    expect((await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'pass-' }))).MetricAlarms).toHaveLength(3);
    await expect(cloudwatch.send(new DescribeAlarmsCommand({ NextToken: 'not-a-token' }))).rejects.toMatchObject({ name: 'InvalidNextToken', $metadata: { httpStatusCode: 400 } });

    const topicArn = MetricAlarms![0]!.AlarmActions![0]!;
    const sns = new SNSClient(clientConfig(fake.url, caller));
    expect((await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes).toMatchObject({ SubscriptionsConfirmed: '1', Owner: ORG_ACCOUNTS.management });
    await expect(sns.send(new GetTopicAttributesCommand({ TopicArn: `${topicArn}-gone` }))).rejects.toBeInstanceOf(TopicNotFoundException);
  });

  it('reads the CloudWatch Logs delivery role and answers NoSuchEntity for an unknown one', async () => {
    const iam = new IAMClient(clientConfig(fake.url, caller));
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'pass-cloudtrail-to-cloudwatch-logs' }));
    expect(Role?.Arn).toBe(`arn:aws:iam::${ORG_ACCOUNTS.management}:role/pass-cloudtrail-to-cloudwatch-logs`);
    expect(JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!))).toMatchObject({ Statement: [{ Principal: { Service: 'cloudtrail.amazonaws.com' } }] });
    await expect(iam.send(new GetRoleCommand({ RoleName: 'missing' }))).rejects.toMatchObject({ name: 'NoSuchEntityException', $metadata: { httpStatusCode: 404 } });
  });
});

describe('fake AWS: standalone accounts', () => {
  it('answers AWSOrganizationsNotInUseException outside an organization', async () => {
    const scenario = shadowCopies();
    const fake = await startFakeAws(scenario.model);
    try {
      const client = new OrganizationsClient(clientConfig(fake.url, staticCredentials(scenario.caller)));
      await expect(client.send(new DescribeOrganizationCommand({}))).rejects.toBeInstanceOf(AWSOrganizationsNotInUseException);
    } finally {
      await fake.close();
    }
  });

  it('describes a key pending deletion with its deletion date and no rotation', async () => {
    const scenario = keyPendingDeletion();
    const fake = await startFakeAws(scenario.model);
    try {
      const kms = new KMSClient(clientConfig(fake.url, staticCredentials(scenario.caller)));
      const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/fail-key-pending-deletion' }));
      expect(KeyMetadata).toMatchObject({ KeyState: 'PendingDeletion', Enabled: false, DeletionDate: new Date('2024-06-20T00:00:00Z') });
      expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: KeyMetadata!.Arn }))).KeyRotationEnabled).toBe(false);
    } finally {
      await fake.close();
    }
  });
});
