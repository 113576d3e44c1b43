import { describe, expect, it } from 'vitest';
import {
  accountIdsInName,
  accountOfArn,
  controlRegionOf,
  logGroupNameOfArn,
  parseArn,
  partitionOfCallerArn,
  regionOfArn,
  roleArn,
} from '../../../src/collectors/map/arn.js';

describe('ARNs and partitions', () => {
  it('takes the partition from the caller ARN and names each partition control region', () => {
    expect(partitionOfCallerArn('arn:aws:sts::111111111111:assumed-role/scan/session')).toBe('aws');
    expect(partitionOfCallerArn('arn:aws-cn:iam::111111111111:user/scan')).toBe('aws-cn');
    expect(partitionOfCallerArn('arn:aws-us-gov:iam::111111111111:user/scan')).toBe('aws-us-gov');
    expect(partitionOfCallerArn('arn:aws-iso:iam::111111111111:user/scan')).toBeUndefined();
    expect(['aws', 'aws-cn', 'aws-us-gov'].map((partition) => controlRegionOf(partition as 'aws'))).toEqual(['us-east-1', 'cn-north-1', 'us-gov-west-1']);
  });

  it('builds role ARNs in the partition, with or without a path', () => {
    expect(roleArn('aws-us-gov', '222222222222', 'TrailwardenReadOnly')).toBe('arn:aws-us-gov:iam::222222222222:role/TrailwardenReadOnly');
    expect(roleArn('aws', '222222222222', '/security/Scanner')).toBe('arn:aws:iam::222222222222:role/security/Scanner');
  });

  it('reads account, region and log group name from resource ARNs', () => {
    const logGroup = 'arn:aws:logs:eu-west-1:333333333333:log-group:CloudTrail/Default:*';
    expect(parseArn(logGroup)).toMatchObject({ service: 'logs', region: 'eu-west-1', accountId: '333333333333', resource: 'log-group:CloudTrail/Default:*' });
    expect(logGroupNameOfArn(logGroup)).toBe('CloudTrail/Default');
    expect(logGroupNameOfArn('arn:aws:logs:eu-west-1:333333333333:log-group:plain')).toBe('plain');
    expect(logGroupNameOfArn('arn:aws:kms:eu-west-1:333333333333:key/abc')).toBeUndefined();
    expect(accountOfArn('arn:aws:kms:eu-west-1:333333333333:key/abc')).toBe('333333333333');
    expect(regionOfArn('arn:aws:s3:::bucket')).toBeUndefined();
    expect(accountOfArn('not-an-arn')).toBeUndefined();
  });

  it('finds account ids written in bucket names, never inside longer numbers', () => {
    expect(accountIdsInName('aws-controltower-logs-222222222222-us-east-1')).toEqual(['222222222222']);
    expect(accountIdsInName('logs-1234567890123-and-111111111111-111111111111')).toEqual(['111111111111']);
    expect(accountIdsInName('org-trail-logs')).toEqual([]);
  });
});
