import { describe, expect, it } from 'vitest';
import { cloudTrailObjectPrefix, effectiveBlockPublicAccess, lifecycleRetention, publicAclGrants } from '../../../src/engine/analysis/bucket-exposure.js';
import type { AclGrant, LifecycleRule, PublicAccessBlock } from '../../../src/snapshot/schema.js';

const OWNER_ID = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';

const ownerFullControl: AclGrant = { granteeType: 'CanonicalUser', granteeId: OWNER_ID, permission: 'FULL_CONTROL' };
const group = (granteeUri: string, permission: string): AclGrant => ({ granteeType: 'Group', granteeUri, permission });

describe('publicAclGrants', () => {
  it.each([
    ['the owner-only default ACL', [ownerFullControl], []],
    ['public-read', [ownerFullControl, group(ALL_USERS, 'READ')], ['AllUsers:READ']],
    ['authenticated-read', [ownerFullControl, group(AUTHENTICATED_USERS, 'READ')], ['AuthenticatedUsers:READ']],
    ['public-read-write', [ownerFullControl, group(ALL_USERS, 'READ'), group(ALL_USERS, 'WRITE')], ['AllUsers:READ', 'AllUsers:WRITE']],
    ['log-delivery-write (not public)', [ownerFullControl, group(LOG_DELIVERY, 'WRITE'), group(LOG_DELIVERY, 'READ_ACP')], []],
    ['an https URI in odd case', [group('https://acs.amazonaws.com/groups/global/allusers', 'READ_ACP')], ['AllUsers:READ_ACP']],
    ['an email grantee', [{ granteeType: 'AmazonCustomerByEmail', permission: 'READ' }], []],
  ])('%s', (_story, grants, expected) => {
    expect(publicAclGrants(grants)).toEqual(expected);
  });
});

describe('effectiveBlockPublicAccess', () => {
  const NONE: PublicAccessBlock = { blockPublicAcls: false, ignorePublicAcls: false, blockPublicPolicy: false, restrictPublicBuckets: false };
  const ALL: PublicAccessBlock = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true };
  const aclsOnly: PublicAccessBlock = { ...NONE, blockPublicAcls: true, ignorePublicAcls: true };
  const policyOnly: PublicAccessBlock = { ...NONE, blockPublicPolicy: true, restrictPublicBuckets: true };

  it.each([
    ['neither level configured', null, null, NONE],
    ['bucket only', ALL, null, ALL],
    ['account only', null, ALL, ALL],
    ['bucket ACL flags, account policy flags', aclsOnly, policyOnly, ALL],
    ['both explicitly off', NONE, NONE, NONE],
    ['bucket off, account restricts', NONE, { ...NONE, restrictPublicBuckets: true }, { ...NONE, restrictPublicBuckets: true }],
  ])('%s', (_story, bucket, account, expected) => {
    expect(effectiveBlockPublicAccess(bucket, account)).toEqual(expected);
  });
});

describe('cloudTrailObjectPrefix', () => {
  it.each([
    [undefined, 'AWSLogs/'],
    ['', 'AWSLogs/'],
    ['cloudtrail', 'cloudtrail/AWSLogs/'],
    ['org/audit', 'org/audit/AWSLogs/'],
  ])('S3KeyPrefix %j -> %s', (prefix, expected) => {
    expect(cloudTrailObjectPrefix(prefix)).toBe(expected);
  });
});

describe('lifecycleRetention', () => {
  const rule = (changes: Partial<LifecycleRule>): LifecycleRule => ({ status: 'Enabled', hasTagFilter: false, ...changes });
  const prefixes = [cloudTrailObjectPrefix('audit')];

  it.each([
    ['no rules', [], { shortestExpirationDays: null, expiresByDate: [], applyingRules: [] }],
    ['a whole-bucket rule (no prefix)', [rule({ id: 'expire-all', expirationDays: 90 })], { shortestExpirationDays: 90, expiresByDate: [], applyingRules: ['expire-all'] }],
    ['an empty prefix', [rule({ id: 'empty', prefix: '', expirationDays: 30 })], { shortestExpirationDays: 30, expiresByDate: [], applyingRules: ['empty'] }],
    ['a prefix above the logs', [rule({ id: 'audit', prefix: 'audit/', expirationDays: 400 })], { shortestExpirationDays: 400, expiresByDate: [], applyingRules: ['audit'] }],
    [
      'a prefix inside the logs (one account only)',
      [rule({ id: 'one-account', prefix: 'audit/AWSLogs/111122223333/', expirationDays: 7 })],
      { shortestExpirationDays: 7, expiresByDate: [], applyingRules: ['one-account'] },
    ],
    ['a prefix elsewhere', [rule({ id: 'tmp', prefix: 'tmp/', expirationDays: 1 })], { shortestExpirationDays: null, expiresByDate: [], applyingRules: [] }],
    [
      'a prefix that is a sibling of the key prefix',
      [rule({ id: 'sibling', prefix: 'audit-old/', expirationDays: 1 })],
      { shortestExpirationDays: null, expiresByDate: [], applyingRules: [] },
    ],
    ['a disabled rule', [rule({ id: 'off', status: 'Disabled', expirationDays: 1 })], { shortestExpirationDays: null, expiresByDate: [], applyingRules: [] }],
    ['a tag-filtered rule', [rule({ id: 'tagged', hasTagFilter: true, expirationDays: 1 })], { shortestExpirationDays: null, expiresByDate: [], applyingRules: [] }],
    [
      'noncurrent-version expiration only',
      [rule({ id: 'versions', noncurrentVersionExpirationDays: 30 })],
      { shortestExpirationDays: null, expiresByDate: [], applyingRules: ['versions'] },
    ],
    [
      'an expiration date',
      [rule({ id: 'cutoff', expirationDate: '2026-01-01T00:00:00.000Z' })],
      { shortestExpirationDays: null, expiresByDate: ['2026-01-01T00:00:00.000Z'], applyingRules: ['cutoff'] },
    ],
    [
      'several rules: the shortest applying one wins, unnamed rules by index',
      [rule({ id: 'long', expirationDays: 2555 }), rule({ prefix: 'audit/AWSLogs/', expirationDays: 365 }), rule({ id: 'tmp', prefix: 'tmp/', expirationDays: 1 })],
      { shortestExpirationDays: 365, expiresByDate: [], applyingRules: ['long', 'Rules[1]'] },
    ],
  ])('%s', (_story, rules, expected) => {
    expect(lifecycleRetention(rules, prefixes)).toMatchObject(expected);
  });

  it('lists the rules that expire current objects with their days or date', () => {
    const rules = [
      rule({ id: 'transition-only' }),
      rule({ id: 'days', expirationDays: 30 }),
      rule({ id: 'date', expirationDate: '2026-01-01T00:00:00.000Z' }),
    ];
    expect(lifecycleRetention(rules, prefixes).expiringRules).toEqual([
      { rule: 'days', days: 30 },
      { rule: 'date', date: '2026-01-01T00:00:00.000Z' },
    ]);
  });

  it('applies a rule matching any of several trail prefixes', () => {
    const rules = [rule({ id: 'org', prefix: 'AWSLogs/o-a1b2c3d4e5/', expirationDays: 60 })];
    expect(lifecycleRetention(rules, ['AWSLogs/111122223333/', 'AWSLogs/o-a1b2c3d4e5/']).applyingRules).toEqual(['org']);
    expect(lifecycleRetention(rules, ['AWSLogs/111122223333/']).applyingRules).toEqual([]);
  });
});
