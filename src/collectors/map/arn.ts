/** ARNs and partitions: parsing what AWS returns and building what trailwarden sends. Pure. */
import type { Snapshot } from '../../snapshot/schema.js';

export type Partition = Snapshot['partition'];

const PARTITIONS: readonly Partition[] = ['aws', 'aws-cn', 'aws-us-gov'];

interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', accountId = ''] = parts;
  return { partition, service, region, accountId, resource: parts.slice(5).join(':') };
}

function isPartition(value: string): value is Partition {
  return (PARTITIONS as readonly string[]).includes(value);
}

/** The partition of the caller, from its GetCallerIdentity ARN. */
export function partitionOfCallerArn(callerArn: string): Partition | undefined {
  const partition = parseArn(callerArn)?.partition;
  return partition !== undefined && isPartition(partition) ? partition : undefined;
}

/**
 * The region for partition-wide calls (STS, Organizations, DescribeRegions, ListBuckets): one that
 * exists in every account of the partition without opting in.
 */
export function controlRegionOf(partition: Partition): string {
  switch (partition) {
    case 'aws':
      return 'us-east-1';
    case 'aws-cn':
      return 'cn-north-1';
    case 'aws-us-gov':
      return 'us-gov-west-1';
  }
}

export function roleArn(partition: Partition, accountId: string, roleName: string): string {
  const path = roleName.includes('/') ? roleName.replace(/^\/+/, '') : roleName;
  return `arn:${partition}:iam::${accountId}:role/${path}`;
}

const ACCOUNT_ID = /^[0-9]{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/;

export function isAccountId(value: string): boolean {
  return ACCOUNT_ID.test(value);
}

export function isRegionName(value: string): boolean {
  return REGION.test(value);
}

/** Owner account of a resource ARN, when it names a valid one. */
export function accountOfArn(arn: string): string | undefined {
  const accountId = parseArn(arn)?.accountId;
  return accountId !== undefined && isAccountId(accountId) ? accountId : undefined;
}

export function regionOfArn(arn: string): string | undefined {
  const region = parseArn(arn)?.region;
  return region !== undefined && isRegionName(region) ? region : undefined;
}

/**
 * The log group name of a CloudWatch Logs ARN as CloudTrail reports it
 * (`arn:aws:logs:us-east-1:123456789012:log-group:CloudTrail/Default:*`).
 */
export function logGroupNameOfArn(arn: string): string | undefined {
  const parsed = parseArn(arn);
  if (parsed === undefined || parsed.service !== 'logs' || !parsed.resource.startsWith('log-group:')) return undefined;
  const name = parsed.resource.slice('log-group:'.length).replace(/:\*$/, '');
  return name === '' ? undefined : name;
}

/**
 * Account ids written into a bucket name (`aws-controltower-logs-123456789012-us-east-1`,
 * `cloudtrail-123456789012`): the likeliest owners, tried first.
 */
export function accountIdsInName(name: string): string[] {
  const found = name.match(/(?<![0-9])[0-9]{12}(?![0-9])/g) ?? [];
  return [...new Set(found)];
}
