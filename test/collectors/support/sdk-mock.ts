/**
 * aws-sdk-client-mock wiring for collector tests: every SDK command the collectors send is answered
 * by a handler keyed `service:Operation`, told which account signed the call (read from the access
 * key: callers use AKIA<12 digits>…, AssumeRole hands out ASIA<12 digits>…) and which region it went
 * to. A command without a handler fails the test loudly.
 */
import { CloudTrailClient, DescribeTrailsCommand, GetEventDataStoreCommand, GetEventSelectorsCommand, GetInsightSelectorsCommand, GetTrailStatusCommand, ListEventDataStoresCommand, ListTagsCommand, ListTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeLogGroupsCommand, DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetAccountAuthorizationDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListDelegatedAdministratorsCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  GetBucketAclCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';

export type Input = Record<string, unknown>;
export interface CallSite {
  accountId: string;
  region: string;
}
export type Handler = (input: Input, site: CallSite) => unknown;
export type Handlers = Record<string, Handler>;

export interface RecordedCall extends CallSite {
  operation: string;
  input: Input;
}

export interface MockAws {
  calls: RecordedCall[];
  /** Calls signed by one account, as `service:Operation` strings. */
  callsBy(accountId: string): string[];
  restore(): void;
}

/** An AWS error as the SDK throws it. */
export function awsError(name: string, status = 400, message = `${name} (test)`): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

export function callerKey(accountId: string): string {
  return `AKIA${accountId}TEST`;
}

export function sessionKey(accountId: string): string {
  return `ASIA${accountId}ROLE`;
}

interface ClientConfig {
  credentials: () => Promise<{ accessKeyId: string }>;
  region: () => Promise<string>;
}

const COMMANDS = [
  [STSClient, [GetCallerIdentityCommand, AssumeRoleCommand], 'sts'],
  [
    OrganizationsClient,
    [
      DescribeOrganizationCommand,
      ListAccountsCommand,
      ListDelegatedAdministratorsCommand,
      ListPoliciesCommand,
      DescribePolicyCommand,
      ListTargetsForPolicyCommand,
      ListRootsCommand,
      ListOrganizationalUnitsForParentCommand,
      ListAccountsForParentCommand,
    ],
    'organizations',
  ],
  [IAMClient, [GetAccountAuthorizationDetailsCommand], 'iam'],
  [EC2Client, [DescribeRegionsCommand], 'ec2'],
  [CloudTrailClient, [ListTrailsCommand, DescribeTrailsCommand, GetTrailStatusCommand, GetEventSelectorsCommand, GetInsightSelectorsCommand, ListTagsCommand, ListEventDataStoresCommand, GetEventDataStoreCommand], 'cloudtrail'],
  [
    S3Client,
    [
      GetBucketLocationCommand,
      GetBucketPolicyCommand,
      GetBucketPolicyStatusCommand,
      GetBucketAclCommand,
      GetBucketOwnershipControlsCommand,
      GetPublicAccessBlockCommand,
      GetBucketVersioningCommand,
      GetObjectLockConfigurationCommand,
      GetBucketLifecycleConfigurationCommand,
      GetBucketLoggingCommand,
    ],
    's3',
  ],
  [S3ControlClient, [GetAccountPublicAccessBlockCommand], 's3control'],
  [KMSClient, [DescribeKeyCommand, GetKeyRotationStatusCommand, GetKeyPolicyCommand], 'kms'],
  [CloudWatchLogsClient, [DescribeLogGroupsCommand, DescribeMetricFiltersCommand], 'logs'],
  [CloudWatchClient, [DescribeAlarmsCommand], 'cloudwatch'],
  [SNSClient, [GetTopicAttributesCommand], 'sns'],
] as const;

export function mockAws(handlers: Handlers): MockAws {
  const calls: RecordedCall[] = [];
  const stubs = COMMANDS.map(([Client, commands, service]) => {
    const stub = mockClient(Client as never);
    for (const Command of commands) {
      const operation = `${service}:${Command.name.replace(/Command$/, '')}`;
      stub.on(Command as never).callsFake(async (input: Input, getClient: () => { config: unknown }) => {
        const config = getClient().config as ClientConfig;
        const [credentials, region] = await Promise.all([config.credentials(), config.region()]);
        const accountId = /\d{12}/.exec(credentials.accessKeyId)?.[0] ?? 'unknown';
        calls.push({ operation, accountId, region, input });
        const handler = handlers[operation];
        if (handler === undefined) throw new Error(`test AWS has no handler for ${operation}`);
        return handler(input, { accountId, region });
      });
    }
    return stub;
  });
  return {
    calls,
    callsBy: (accountId) => calls.filter((call) => call.accountId === accountId).map((call) => call.operation),
    restore: () => stubs.forEach((stub) => stub.restore()),
  };
}

/** Environment of a test scan: the caller's keys, a region, no shared config files. */
export function useCallerEnvironment(accountId: string): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: callerKey(accountId),
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_ENDPOINT_URL;
  return () => {
    process.env = saved;
  };
}
