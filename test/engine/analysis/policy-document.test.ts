import { describe, expect, it } from 'vitest';
import {
  analyzeBucketPolicy,
  analyzeKeyPolicy,
  isNarrowSourceIp,
  matchesEveryValueStartingWith,
  matchesSomeValueStartingWith,
  MALFORMED_POLICY_LABEL,
  parsePolicyDocument,
  wildcardMatch,
  type BucketPolicyContext,
  type KeyPolicyContext,
} from '../../../src/aws-policy/policy-document.js';

const TRAIL_ACCOUNT = '111122223333';
const MANAGEMENT_ACCOUNT = '999988887777';
const LOG_ARCHIVE_ACCOUNT = '444455556666';
const FOREIGN_ACCOUNT = '123456789012';
const ORG_ID = 'o-a1b2c3d4e5';
const BUCKET = 'acme-cloudtrail-logs';
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const ACCOUNT_TRAIL = `arn:aws:cloudtrail:us-east-1:${TRAIL_ACCOUNT}:trail/management-events`;
const ORG_TRAIL = `arn:aws:cloudtrail:us-east-1:${MANAGEMENT_ACCOUNT}:trail/org-trail`;

const accountCtx: BucketPolicyContext = {
  partition: 'aws',
  bucketName: BUCKET,
  trailArns: [ACCOUNT_TRAIL],
  trailOwnerAccountIds: [TRAIL_ACCOUNT],
  bucketOwnerAccountId: TRAIL_ACCOUNT,
};
const orgCtx: BucketPolicyContext = {
  partition: 'aws',
  bucketName: BUCKET,
  trailArns: [ORG_TRAIL],
  trailOwnerAccountIds: [MANAGEMENT_ACCOUNT],
  organizationId: ORG_ID,
  bucketOwnerAccountId: LOG_ARCHIVE_ACCOUNT,
};

const policy = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });

/** The ACL check AWS adds beside every CloudTrail write statement. */
const aclCheck = (sourceArn?: string) => ({
  Sid: 'AWSCloudTrailAclCheck20150319',
  Effect: 'Allow',
  Principal: { Service: 'cloudtrail.amazonaws.com' },
  Action: 's3:GetBucketAcl',
  Resource: BUCKET_ARN,
  ...(sourceArn ? { Condition: { StringEquals: { 'aws:SourceArn': sourceArn } } } : {}),
});

/** CloudTrail's write statement as the console / docs generate it, with extra conditions merged in. */
const cloudTrailWrite = (sid: string, resource: string, extra: Record<string, Record<string, unknown>> = {}) => ({
  Sid: sid,
  Effect: 'Allow',
  Principal: { Service: 'cloudtrail.amazonaws.com' },
  Action: 's3:PutObject',
  Resource: resource,
  Condition: { ...extra, StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', ...(extra.StringEquals ?? {}) } },
});

const denyInsecureTransport = {
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};

const SINGLE_ACCOUNT_POLICY = policy(
  aclCheck(ACCOUNT_TRAIL),
  cloudTrailWrite('AWSCloudTrailWrite20150319', `${BUCKET_ARN}/AWSLogs/${TRAIL_ACCOUNT}/*`, { StringEquals: { 'aws:SourceArn': ACCOUNT_TRAIL } }),
  denyInsecureTransport,
);
const SINGLE_ACCOUNT_LEGACY_POLICY = policy(aclCheck(), cloudTrailWrite('AWSCloudTrailWrite20150319', `${BUCKET_ARN}/AWSLogs/${TRAIL_ACCOUNT}/*`));
const ORG_TRAIL_POLICY = policy(
  aclCheck(ORG_TRAIL),
  cloudTrailWrite('AWSCloudTrailWrite20150319', `${BUCKET_ARN}/AWSLogs/${MANAGEMENT_ACCOUNT}/*`, { StringEquals: { 'aws:SourceArn': ORG_TRAIL } }),
  {
    ...cloudTrailWrite('AWSCloudTrailOrganizationWrite20150319', `${BUCKET_ARN}/AWSLogs/${ORG_ID}/*`, { StringEquals: { 'aws:SourceArn': ORG_TRAIL } }),
    Principal: { Service: ['cloudtrail.amazonaws.com'] },
  },
);
const ORG_TRAIL_LEGACY_POLICY = policy(
  aclCheck(),
  cloudTrailWrite('AWSCloudTrailWrite20150319', `${BUCKET_ARN}/AWSLogs/${MANAGEMENT_ACCOUNT}/*`),
  cloudTrailWrite('AWSCloudTrailOrganizationWrite20150319', `${BUCKET_ARN}/AWSLogs/${ORG_ID}/*`),
);

/** A statement open to everyone, reading objects, with the given principal and condition. */
const openRead = (condition?: Record<string, Record<string, unknown>>, principal: unknown = '*', sid = 'OpenRead') => ({
  Sid: sid,
  Effect: 'Allow',
  Principal: principal,
  Action: 's3:GetObject',
  Resource: `${BUCKET_ARN}/*`,
  ...(condition ? { Condition: condition } : {}),
});

describe('parsePolicyDocument', () => {
  it('accepts a single Statement object and labels statements by Sid or index', () => {
    const parsed = parsePolicyDocument({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' } });
    expect(parsed.statements?.map((statement) => statement.label)).toEqual(['Statement[0]']);
    const twice = parsePolicyDocument(policy(openRead(undefined, '*', 'Named'), { ...openRead(), Sid: undefined }));
    expect(twice.statements?.map((statement) => statement.label)).toEqual(['Named', 'Statement[1]']);
  });

  it('normalizes principals, NotAction / NotResource and condition clauses', () => {
    const parsed = parsePolicyDocument(
      policy({
        Effect: 'Deny',
        NotPrincipal: { AWS: ['arn:aws:iam::111122223333:root', '*'], Service: 'cloudtrail.amazonaws.com' },
        NotAction: 'iam:*',
        NotResource: [BUCKET_ARN],
        Condition: { 'ForAnyValue:StringLikeIfExists': { 'AWS:PrincipalOrgPaths': ['o-a1b2c3d4e5/*', 42, true] } },
      }),
    );
    expect(parsed.statements?.[0]).toEqual({
      label: 'Statement[0]',
      effect: 'Deny',
      principal: {
        negated: true,
        wildcard: true,
        ids: [
          { type: 'AWS', id: 'arn:aws:iam::111122223333:root' },
          { type: 'Service', id: 'cloudtrail.amazonaws.com' },
        ],
      },
      action: { negated: true, patterns: ['iam:*'] },
      resource: { negated: true, patterns: [BUCKET_ARN] },
      conditions: [
        {
          operator: 'ForAnyValue:StringLikeIfExists',
          baseOperator: 'stringlike',
          qualifier: 'forAnyValue',
          ifExists: true,
          key: 'aws:principalorgpaths',
          values: ['o-a1b2c3d4e5/*', '42', 'true'],
        },
      ],
    });
  });

  it('treats null (no bucket policy) as an empty policy and parses JSON strings', () => {
    expect(parsePolicyDocument(null)).toEqual({ statements: [] });
    expect(parsePolicyDocument(JSON.stringify(SINGLE_ACCOUNT_POLICY)).statements).toHaveLength(3);
  });

  it.each([
    ['a string that is not JSON', '{"Version": "2012-10-17", "Statement": [', /not JSON/],
    ['a number', 42, /not a JSON object/],
    ['an array', [SINGLE_ACCOUNT_POLICY], /not a JSON object/],
    ['no Statement', { Version: '2012-10-17' }, /no Statement/],
    ['an unknown Version', { Version: '2020-01-01', Statement: [] }, /Version/],
    ['a statement that is a string', policy('Allow everything'), /Statement\[0\] is not an object/],
    ['a lower-case Effect', policy({ ...openRead(), Effect: 'allow' }), /OpenRead has an Effect/],
    ['no principal', policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' }), /neither Principal nor NotPrincipal/],
    ['Principal and NotPrincipal', policy({ ...openRead(), NotPrincipal: { AWS: TRAIL_ACCOUNT } }), /both Principal and NotPrincipal/],
    ['a bare ARN as Principal', policy(openRead(undefined, `arn:aws:iam::${TRAIL_ACCOUNT}:root`)), /Principal must be/],
    ['an unknown principal type', policy(openRead(undefined, { User: 'alice' })), /unknown principal type "User"/],
    ['an empty Action list', policy({ ...openRead(), Action: [] }), /Action that is not/],
    ['no Resource', policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }), /neither Resource nor NotResource/],
    ['a Condition that is a list', policy({ ...openRead(), Condition: [] }), /Condition must be an object/],
    ['a condition value that is an object', policy(openRead({ StringEquals: { 'aws:SourceVpce': { id: 'vpce-1' } } })), /not a string, number or boolean/],
  ])('reports %s as malformed', (_story, doc, message) => {
    const parsed = parsePolicyDocument(doc);
    expect(parsed.statements).toBeUndefined();
    expect(parsed.malformed).toMatch(message);
  });
});

describe('wildcard helpers', () => {
  it.each([
    ['s3:Put*', 's3:PutObject', true, true],
    ['s3:put*', 's3:PutObject', true, true],
    ['s3:put*', 's3:PutObject', false, false],
    ['*', 'kms:Decrypt', false, true],
    ['s3:?etObject', 's3:GetObject', false, true],
    ['s3:Get*', 's3:PutObject', true, false],
    [`${BUCKET_ARN}/*`, `${BUCKET_ARN}/AWSLogs/x`, false, true],
    [`${BUCKET_ARN}/*`, BUCKET_ARN, false, false],
    ['a*b*c', 'aXXbYYc', false, true],
    ['a*b*c', 'aXXbYY', false, false],
  ])('wildcardMatch(%s, %s, ignoreCase=%s) is %s', (pattern, value, ignoreCase, expected) => {
    expect(wildcardMatch(pattern, value, ignoreCase)).toBe(expected);
  });

  it.each([
    ['*', 's3:', true, true],
    ['s3:*', 's3:', true, true],
    ['s*', 's3:', true, true],
    ['s3:Put*', 's3:', false, true],
    ['arn:aws:s3:::*/*', `${BUCKET_ARN}/`, true, true],
    [`${BUCKET_ARN}*`, `${BUCKET_ARN}/`, true, true],
    [`${BUCKET_ARN}/AWSLogs/*`, `${BUCKET_ARN}/`, false, true],
    ['arn:aws:s3:::other-bucket/*', `${BUCKET_ARN}/`, false, false],
    ['iam:*', 's3:', false, false],
  ])('%s covers all / some values starting with %s: %s / %s', (pattern, prefix, all, some) => {
    expect(matchesEveryValueStartingWith(pattern, prefix, true)).toBe(all);
    expect(matchesSomeValueStartingWith(pattern, prefix, true)).toBe(some);
  });

  it.each([
    ['203.0.113.0/24', true],
    ['203.0.113.7', true],
    ['10.0.0.0/8', true],
    ['0.0.0.0/0', false],
    ['0.0.0.0/1', false],
    ['11.0.0.0/7', false],
    ['2001:db8::/32', true],
    ['2001:db8::/16', false],
    ['::/0', false],
    ['300.1.1.1/32', false],
    ['203.0.113.0/33', false],
    ['*', false],
    ['not-an-ip', false],
  ])('aws:SourceIp %s is narrow enough: %s', (value, expected) => {
    expect(isNarrowSourceIp(value)).toBe(expected);
  });
});

describe('analyzeBucketPolicy: public statements (S3 "The meaning of public")', () => {
  it.each([
    ['Principal "*" with no condition', openRead(), true],
    ['{"AWS": "*"}', openRead(undefined, { AWS: '*' }), true],
    ['{"AWS": ["*"]}', openRead(undefined, { AWS: ['*'] }), true],
    ['a mix of an account and "*"', openRead(undefined, { AWS: [`arn:aws:iam::${FOREIGN_ACCOUNT}:root`, '*'] }), true],
    ['a fixed foreign account', openRead(undefined, { AWS: `arn:aws:iam::${FOREIGN_ACCOUNT}:root` }), false],
    ['a fixed service principal', openRead(undefined, { Service: 'logging.s3.amazonaws.com' }), false],
    ['a canonical user', openRead(undefined, { CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be' }), false],
    ['a web-identity Federated principal', openRead(undefined, { Federated: 'graph.facebook.com' }), true],
    ['a SAML provider', openRead(undefined, { Federated: `arn:aws:iam::${TRAIL_ACCOUNT}:saml-provider/corp` }), false],
    ['NotPrincipal with Allow', { ...openRead(undefined, undefined), Principal: undefined, NotPrincipal: { AWS: `arn:aws:iam::${TRAIL_ACCOUNT}:root` } }, true],
    ['a fixed aws:SourceVpce', openRead({ StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }), false],
    ['aws:SourceVpce with StringEqualsIfExists', openRead({ StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }), true],
    ['aws:SourceVpce with StringNotEquals', openRead({ StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }), true],
    ['aws:SourceVpce pinned by StringLike "vpce-*"', openRead({ StringLike: { 'aws:SourceVpce': 'vpce-*' } }), true],
    ['a Null check on aws:SourceVpce', openRead({ Null: { 'aws:SourceVpce': 'false' } }), true],
    ['a fixed aws:PrincipalOrgID', openRead({ StringEquals: { 'aws:PrincipalOrgID': ORG_ID } }), false],
    ['aws:PrincipalOrgID under ForAnyValue:', openRead({ 'ForAnyValue:StringEquals': { 'aws:PrincipalOrgID': [ORG_ID] } }), false],
    ['aws:PrincipalOrgID under ForAllValues:', openRead({ 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': [ORG_ID] } }), true],
    ['a fixed org path under ForAnyValue:', openRead({ 'ForAnyValue:StringEquals': { 'aws:PrincipalOrgPaths': [`${ORG_ID}/r-ab12/ou-ab12-11111111/`] } }), false],
    ['an org path with a wildcard', openRead({ 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': [`${ORG_ID}/*`] } }), true],
    ['condition key and operator in odd case', openRead({ stringequals: { 'AWS:SOURCEVPCE': 'vpce-1a2b3c4d' } }), false],
    ['aws:SourceAccount "*" (StringLike)', openRead({ StringLike: { 'aws:SourceAccount': '*' } }), true],
    ['aws:SourceAccount "*" (StringEquals)', openRead({ StringEquals: { 'aws:SourceAccount': '*' } }), true],
    ['aws:SourceAccount given as a number', openRead({ StringEquals: { 'aws:SourceAccount': Number(TRAIL_ACCOUNT) } }), false],
    ['a policy variable in a restricting value', openRead({ StringEquals: { 'aws:PrincipalArn': 'arn:aws:iam::${aws:PrincipalAccount}:role/reader' } }), true],
    ['a narrow aws:SourceIp', openRead({ IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.0/24'] } }), false],
    ['one broad aws:SourceIp among narrow ones', openRead({ IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '0.0.0.0/0'] } }), true],
    ['aws:SourceIp with NotIpAddress', openRead({ NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }), true],
    ['aws:userid of one role\'s sessions', openRead({ StringLike: { 'aws:userid': 'AROAEXAMPLEROLEID:*' } }), false],
    ['aws:userid "*"', openRead({ StringLike: { 'aws:userid': '*' } }), true],
    ['access points of a fixed account', openRead({ StringLike: { 's3:DataAccessPointArn': 'arn:aws:s3:us-west-2:123456789012:accesspoint/*' } }), false],
    ['access points of any account', openRead({ StringLike: { 's3:DataAccessPointArn': 'arn:aws:s3:us-west-2:*:accesspoint/*' } }), true],
    ['a condition on an unrelated key only', openRead({ Bool: { 'aws:SecureTransport': 'true' } }), true],
    ['an unrelated key beside a fixed aws:SourceVpc', openRead({ Bool: { 'aws:SecureTransport': 'true' }, StringEquals: { 'aws:SourceVpc': 'vpc-91237329' } }), false],
  ])('%s: public=%s', (_story, statement, isPublic) => {
    const analysis = analyzeBucketPolicy(policy(statement), accountCtx);
    expect(analysis.malformed).toBeUndefined();
    expect(analysis.publicStatements).toEqual(isPublic ? [(statement as { Sid: string }).Sid] : []);
  });

  it('ignores Deny statements and names each public statement', () => {
    const analysis = analyzeBucketPolicy(policy(denyInsecureTransport, openRead(undefined, '*', 'A'), openRead(undefined, { AWS: ['*'] }, 'B')), accountCtx);
    expect(analysis.publicStatements).toEqual(['A', 'B']);
  });

  it('finds no public statement in the policies CloudTrail generates', () => {
    for (const doc of [SINGLE_ACCOUNT_POLICY, SINGLE_ACCOUNT_LEGACY_POLICY, ORG_TRAIL_POLICY, ORG_TRAIL_LEGACY_POLICY]) {
      expect(analyzeBucketPolicy(doc, orgCtx).publicStatements).toEqual([]);
    }
  });
});

describe('analyzeBucketPolicy: deniesInsecureTransport', () => {
  const withDeny = (changes: Record<string, unknown>) => policy(aclCheck(), { ...denyInsecureTransport, ...changes });
  it.each([
    ['the standard statement', withDeny({}), true],
    ['Principal {"AWS": "*"}', withDeny({ Principal: { AWS: '*' } }), true],
    ['Action "*"', withDeny({ Action: '*' }), true],
    ['Action in odd case', withDeny({ Action: ['S3:*'] }), true],
    ['Resource "*"', withDeny({ Resource: '*' }), true],
    ['one Resource pattern covering the bucket and its objects', withDeny({ Resource: `${BUCKET_ARN}*` }), true],
    ['BoolIfExists', withDeny({ Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } } }), true],
    ['a boolean false value', withDeny({ Condition: { Bool: { 'aws:SecureTransport': false } } }), true],
    ['condition key in odd case', withDeny({ Condition: { bool: { 'AWS:securetransport': 'FALSE' } } }), true],
    ['NotAction naming no s3 action', withDeny({ Action: undefined, NotAction: 'iam:*' }), true],
    ['objects only', withDeny({ Resource: `${BUCKET_ARN}/*` }), false],
    ['the bucket only', withDeny({ Resource: BUCKET_ARN }), false],
    ['a prefix of the objects only', withDeny({ Resource: [BUCKET_ARN, `${BUCKET_ARN}/AWSLogs/*`] }), false],
    ['another bucket', withDeny({ Resource: ['arn:aws:s3:::other', 'arn:aws:s3:::other/*'] }), false],
    ['only s3:GetObject', withDeny({ Action: 's3:GetObject' }), false],
    ['NotAction naming s3:PutObject', withDeny({ Action: undefined, NotAction: 's3:PutObject' }), false],
    ['NotPrincipal', withDeny({ Principal: undefined, NotPrincipal: { AWS: `arn:aws:iam::${TRAIL_ACCOUNT}:root` } }), false],
    ['aws:SecureTransport "true"', withDeny({ Condition: { Bool: { 'aws:SecureTransport': 'true' } } }), false],
    ['a narrowing second condition', withDeny({ Condition: { Bool: { 'aws:SecureTransport': 'false' }, StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } } }), false],
    ['s3:TlsVersion NumericLessThan alone', withDeny({ Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } } }), false],
    ['no condition at all (denies everything, not just HTTP)', withDeny({ Condition: undefined }), false],
    ['an Allow instead of a Deny', withDeny({ Effect: 'Allow' }), false],
  ])('%s: %s', (_story, doc, expected) => {
    expect(analyzeBucketPolicy(doc, accountCtx).deniesInsecureTransport).toBe(expected);
  });

  it('accepts the bucket and the objects denied by separate statements', () => {
    const doc = policy(
      { ...denyInsecureTransport, Sid: 'DenyHttpBucket', Resource: BUCKET_ARN },
      { ...denyInsecureTransport, Sid: 'DenyHttpObjects', Resource: `${BUCKET_ARN}/*` },
    );
    expect(analyzeBucketPolicy(doc, accountCtx).deniesInsecureTransport).toBe(true);
  });

  it('reads the bucket ARN in the scan partition', () => {
    const chinaDeny = { ...denyInsecureTransport, Resource: [`arn:aws-cn:s3:::${BUCKET}`, `arn:aws-cn:s3:::${BUCKET}/*`] };
    expect(analyzeBucketPolicy(policy(chinaDeny), { ...accountCtx, partition: 'aws-cn' }).deniesInsecureTransport).toBe(true);
    expect(analyzeBucketPolicy(policy(chinaDeny), accountCtx).deniesInsecureTransport).toBe(false);
  });
});

describe('analyzeBucketPolicy: cloudTrailWrite', () => {
  const accountWrite = (extra: Record<string, Record<string, unknown>>) =>
    policy(aclCheck(), cloudTrailWrite('AWSCloudTrailWrite20150319', `${BUCKET_ARN}/AWSLogs/${TRAIL_ACCOUNT}/*`, extra));

  it.each([
    ['single-account policy with aws:SourceArn', SINGLE_ACCOUNT_POLICY, accountCtx, { present: true, scoped: true, unscopedStatements: [] }],
    [
      'single-account policy without aws:SourceArn',
      SINGLE_ACCOUNT_LEGACY_POLICY,
      accountCtx,
      { present: true, scoped: false, unscopedStatements: ['AWSCloudTrailWrite20150319'] },
    ],
    ['organization-trail policy with aws:SourceArn', ORG_TRAIL_POLICY, orgCtx, { present: true, scoped: true, unscopedStatements: [] }],
    [
      'organization-trail policy without aws:SourceArn',
      ORG_TRAIL_LEGACY_POLICY,
      orgCtx,
      { present: true, scoped: false, unscopedStatements: ['AWSCloudTrailWrite20150319', 'AWSCloudTrailOrganizationWrite20150319'] },
    ],
    ['no CloudTrail write statement', policy(aclCheck(ACCOUNT_TRAIL), denyInsecureTransport), accountCtx, { present: false, scoped: false, unscopedStatements: [] }],
    ['no bucket policy at all', null, accountCtx, { present: false, scoped: false, unscopedStatements: [] }],
  ])('%s', (_story, doc, ctx, expected) => {
    expect(analyzeBucketPolicy(doc, ctx).cloudTrailWrite).toEqual(expected);
  });

  it.each([
    ['aws:SourceArn of a trail of the owner account', { StringEquals: { 'aws:SourceArn': `arn:aws:cloudtrail:eu-west-1:${TRAIL_ACCOUNT}:trail/other` } }, true],
    ['aws:SourceArn pattern over the owner account', { ArnLike: { 'aws:SourceArn': `arn:aws:cloudtrail:*:${TRAIL_ACCOUNT}:trail/*` } }, true],
    ['aws:SourceArn key in odd case', { StringEquals: { 'AWS:SOURCEARN': ACCOUNT_TRAIL } }, true],
    ['aws:SourceArn of a foreign account', { StringEquals: { 'aws:SourceArn': `arn:aws:cloudtrail:us-east-1:${FOREIGN_ACCOUNT}:trail/x` } }, false],
    ['aws:SourceArn pattern over every account', { StringLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:*:*:trail/*' } }, false],
    ['aws:SourceArn pattern with too few fields', { StringLike: { 'aws:SourceArn': `arn:aws:cloudtrail:*:${TRAIL_ACCOUNT}` } }, false],
    ['aws:SourceArn under StringEqualsIfExists', { StringEqualsIfExists: { 'aws:SourceArn': ACCOUNT_TRAIL } }, false],
    ['aws:SourceArn of another partition', { StringEquals: { 'aws:SourceArn': `arn:aws-cn:cloudtrail:cn-north-1:${TRAIL_ACCOUNT}:trail/x` } }, false],
    ['aws:SourceAccount of the owner', { StringEquals: { 'aws:SourceAccount': TRAIL_ACCOUNT } }, true],
    ['aws:SourceAccount "*"', { StringLike: { 'aws:SourceAccount': '*' } }, false],
    ['aws:SourceAccount naming a foreign account too', { StringEquals: { 'aws:SourceAccount': [TRAIL_ACCOUNT, FOREIGN_ACCOUNT] } }, false],
    ['aws:SourceOrgID of an unknown organization', { StringEquals: { 'aws:SourceOrgID': ORG_ID } }, false],
  ])('%s: scoped=%s', (_story, extra, scoped) => {
    const grant = analyzeBucketPolicy(accountWrite(extra), accountCtx).cloudTrailWrite;
    expect(grant.present).toBe(true);
    expect(grant.scoped).toBe(scoped);
    expect(grant.unscopedStatements).toEqual(scoped ? [] : ['AWSCloudTrailWrite20150319']);
  });

  it.each([
    ['aws:SourceOrgID of the scanned organization', { StringEquals: { 'aws:SourceOrgID': ORG_ID } }, true],
    ['aws:PrincipalOrgID of the scanned organization', { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } }, true],
    ['aws:SourceOrgPaths under the organization', { 'ForAnyValue:StringLike': { 'aws:SourceOrgPaths': [`${ORG_ID}/*`] } }, true],
    ['aws:SourceOrgID of another organization', { StringEquals: { 'aws:SourceOrgID': 'o-zzzzzzzzzz' } }, false],
    ['aws:SourceOrgID under ForAllValues:', { 'ForAllValues:StringEquals': { 'aws:SourceOrgID': [ORG_ID] } }, false],
  ])('organization condition, %s: scoped=%s', (_story, extra, scoped) => {
    const doc = policy(cloudTrailWrite('AWSCloudTrailOrganizationWrite20150319', `${BUCKET_ARN}/AWSLogs/${ORG_ID}/*`, extra));
    expect(analyzeBucketPolicy(doc, orgCtx).cloudTrailWrite.scoped).toBe(scoped);
  });

  it('does not count a CloudTrail grant on another bucket or without s3:PutObject', () => {
    const elsewhere = cloudTrailWrite('Elsewhere', 'arn:aws:s3:::other-bucket/AWSLogs/*');
    const readOnly = { ...cloudTrailWrite('ReadOnly', `${BUCKET_ARN}/*`), Action: 's3:GetObject' };
    expect(analyzeBucketPolicy(policy(aclCheck(), elsewhere, readOnly), accountCtx).cloudTrailWrite.present).toBe(false);
  });
});

describe('analyzeBucketPolicy: otherWriters', () => {
  const writer = (principal: unknown, action: unknown = 's3:PutObject', resource: unknown = `${BUCKET_ARN}/*`, effect = 'Allow') => ({
    Effect: effect,
    Principal: principal,
    Action: action,
    Resource: resource,
  });

  it.each([
    ['only CloudTrail writes', SINGLE_ACCOUNT_POLICY, []],
    ['the owner account root', policy(writer({ AWS: `arn:aws:iam::${TRAIL_ACCOUNT}:root` }, 's3:*')), []],
    ['the owner account as a bare id', policy(writer({ AWS: TRAIL_ACCOUNT })), []],
    ['a role of the owner account', policy(writer({ AWS: `arn:aws:iam::${TRAIL_ACCOUNT}:role/uploader` })), [`AWS:arn:aws:iam::${TRAIL_ACCOUNT}:role/uploader`]],
    ['a foreign account with s3:Put*', policy(writer({ AWS: `arn:aws:iam::${FOREIGN_ACCOUNT}:root` }, 's3:Put*')), [`AWS:arn:aws:iam::${FOREIGN_ACCOUNT}:root`]],
    ['everyone with "*"', policy(writer('*', '*')), ['*']],
    [
      'another service beside CloudTrail',
      policy(writer({ Service: ['cloudtrail.amazonaws.com', 'config.amazonaws.com'] })),
      ['Service:config.amazonaws.com'],
    ],
    ['NotPrincipal', policy({ ...writer(undefined), NotPrincipal: { AWS: `arn:aws:iam::${TRAIL_ACCOUNT}:root` } }), [`NotPrincipal(AWS:arn:aws:iam::${TRAIL_ACCOUNT}:root)`]],
    ['s3:* on the bucket ARN only (no object)', policy(writer({ AWS: `arn:aws:iam::${FOREIGN_ACCOUNT}:root` }, 's3:*', BUCKET_ARN)), []],
    ['s3:GetObject only', policy(writer({ AWS: `arn:aws:iam::${FOREIGN_ACCOUNT}:root` }, 's3:GetObject')), []],
    ['a Deny', policy(writer({ AWS: `arn:aws:iam::${FOREIGN_ACCOUNT}:root` }, 's3:*', `${BUCKET_ARN}/*`, 'Deny')), []],
    [
      'the same writer in two statements',
      policy(writer({ AWS: `arn:aws:iam::${FOREIGN_ACCOUNT}:root` }), writer({ AWS: [`arn:aws:iam::${FOREIGN_ACCOUNT}:root`] }, 's3:PutObject', '*')),
      [`AWS:arn:aws:iam::${FOREIGN_ACCOUNT}:root`],
    ],
  ])('%s', (_story, doc, expected) => {
    expect(analyzeBucketPolicy(doc, accountCtx).otherWriters).toEqual(expected);
  });

  it('reports the owner root when the owner is not known', () => {
    const { bucketOwnerAccountId: _omitted, ...ctx } = accountCtx;
    const doc = policy(writer({ AWS: `arn:aws:iam::${TRAIL_ACCOUNT}:root` }));
    expect(analyzeBucketPolicy(doc, ctx).otherWriters).toEqual([`AWS:arn:aws:iam::${TRAIL_ACCOUNT}:root`]);
  });
});

describe('analyzeBucketPolicy: malformed documents', () => {
  it.each([
    ['a policy string that is not JSON', 'Version: 2012-10-17\nStatement: Allow'],
    ['a statement without Effect', policy({ Principal: '*', Action: 's3:*', Resource: '*' })],
    ['undefined', undefined],
  ])('%s never throws and answers so that every rule fails', (_story, doc) => {
    const analysis = analyzeBucketPolicy(doc, accountCtx);
    expect(analysis.malformed).toEqual(expect.any(String));
    expect(analysis.publicStatements).toEqual([MALFORMED_POLICY_LABEL]);
    expect(analysis.deniesInsecureTransport).toBe(false);
    expect(analysis.cloudTrailWrite).toEqual({ present: false, scoped: false, unscopedStatements: [] });
  });
});

describe('analyzeKeyPolicy', () => {
  const KEY_ACCOUNT = TRAIL_ACCOUNT;
  const keyCtx: KeyPolicyContext = { partition: 'aws', keyAccountId: KEY_ACCOUNT, trailArns: [ACCOUNT_TRAIL], organizationId: ORG_ID };
  const trailsOfAccount = `arn:aws:cloudtrail:*:${KEY_ACCOUNT}:trail/*`;

  const enableIam = {
    Sid: 'Enable IAM User Permissions',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${KEY_ACCOUNT}:root` },
    Action: 'kms:*',
    Resource: '*',
  };
  const encryptLogs = (condition?: Record<string, Record<string, unknown>>) => ({
    Sid: 'Allow CloudTrail to encrypt logs',
    Effect: 'Allow',
    Principal: { Service: 'cloudtrail.amazonaws.com' },
    Action: 'kms:GenerateDataKey*',
    Resource: '*',
    ...(condition ? { Condition: condition } : {}),
  });
  const describeKey = { Sid: 'Allow CloudTrail to describe key', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:DescribeKey', Resource: '*' };
  const decryptInAccount = {
    Sid: 'Allow principals in the account to decrypt log files',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: ['kms:Decrypt', 'kms:ReEncryptFrom'],
    Resource: '*',
    Condition: { StringEquals: { 'kms:CallerAccount': KEY_ACCOUNT }, StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': trailsOfAccount } },
  };
  const aliasCreation = {
    Sid: 'Allow alias creation during setup',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: 'kms:CreateAlias',
    Resource: '*',
    Condition: { StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com', 'kms:CallerAccount': KEY_ACCOUNT } },
  };
  /** The key policy the CloudTrail console creates, with the encrypt statement varied. */
  const defaultKeyPolicy = (encrypt: unknown) => policy(enableIam, encrypt, describeKey, decryptInAccount, aliasCreation);

  it.each([
    [
      'current default (aws:SourceArn and encryption context)',
      encryptLogs({ StringEquals: { 'aws:SourceArn': ACCOUNT_TRAIL }, StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': trailsOfAccount } }),
      true,
    ],
    ['older default (encryption context only)', encryptLogs({ StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': trailsOfAccount } }), true],
    ['encryption context key in odd case', encryptLogs({ StringLike: { 'KMS:EncryptionContext:AWS:CloudTrail:ARN': trailsOfAccount } }), true],
    ['aws:SourceAccount of the key account', encryptLogs({ StringEquals: { 'aws:SourceAccount': KEY_ACCOUNT } }), true],
    ['no condition', encryptLogs(), false],
    ['encryption context over a foreign account', encryptLogs({ StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${FOREIGN_ACCOUNT}:trail/*` } }), false],
    ['encryption context over every trail', encryptLogs({ StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'arn:aws:cloudtrail:*:*:trail/*' } }), false],
    ['only an unrelated condition', encryptLogs({ StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } }), false],
  ])('CloudTrail use, %s: scoped=%s', (_story, encrypt, scoped) => {
    const analysis = analyzeKeyPolicy(defaultKeyPolicy(encrypt), keyCtx);
    expect(analysis.malformed).toBeUndefined();
    expect(analysis.cloudTrailUse).toEqual({ present: true, scoped, unscopedStatements: scoped ? [] : ['Allow CloudTrail to encrypt logs'] });
    expect(analysis.publicStatements).toEqual([]);
  });

  it('counts an organization trail of another account that the policy names by ARN', () => {
    const doc = policy(encryptLogs({ StringEquals: { 'aws:SourceArn': ORG_TRAIL } }));
    expect(analyzeKeyPolicy(doc, { ...keyCtx, trailArns: [ORG_TRAIL] }).cloudTrailUse.scoped).toBe(true);
    expect(analyzeKeyPolicy(doc, keyCtx).cloudTrailUse.scoped).toBe(false);
  });

  it('does not treat DescribeKey as use of the key', () => {
    expect(analyzeKeyPolicy(policy(enableIam, describeKey), keyCtx).cloudTrailUse).toEqual({ present: false, scoped: false, unscopedStatements: [] });
  });

  const openDecrypt = (condition?: Record<string, Record<string, unknown>>, principal: unknown = { AWS: '*' }) => ({
    Sid: 'OpenDecrypt',
    Effect: 'Allow',
    Principal: principal,
    Action: 'kms:Decrypt',
    Resource: '*',
    ...(condition ? { Condition: condition } : {}),
  });
  it.each([
    ['Principal "*" with no condition', openDecrypt(undefined, '*'), true],
    ['{"AWS": "*"} with only kms:ViaService', openDecrypt({ StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } }), true],
    ['only an encryption-context condition', openDecrypt({ StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': trailsOfAccount } }), true],
    ['kms:ViaService with kms:CallerAccount', openDecrypt({ StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'kms:CallerAccount': KEY_ACCOUNT } }), false],
    ['aws:PrincipalOrgID', openDecrypt({ StringEquals: { 'aws:PrincipalOrgID': ORG_ID } }), false],
    ['aws:PrincipalAccount in odd case', openDecrypt({ StringEquals: { 'AWS:principalaccount': FOREIGN_ACCOUNT } }), false],
    ['kms:CallerAccount "*"', openDecrypt({ StringLike: { 'kms:CallerAccount': '*' } }), true],
    ['kms:CallerAccount under StringEqualsIfExists', openDecrypt({ StringEqualsIfExists: { 'kms:CallerAccount': KEY_ACCOUNT } }), true],
    ['a fixed foreign account principal', openDecrypt(undefined, { AWS: `arn:aws:iam::${FOREIGN_ACCOUNT}:root` }), false],
  ])('public key statement, %s: %s', (_story, statement, isPublic) => {
    expect(analyzeKeyPolicy(policy(enableIam, statement), keyCtx).publicStatements).toEqual(isPublic ? ['OpenDecrypt'] : []);
  });

  it.each([
    ['no key policy', null],
    ['a policy string that is not JSON', '{"Statement": '],
    ['a statement without Resource', policy({ Effect: 'Allow', Principal: '*', Action: 'kms:*' })],
  ])('%s is malformed and answers so that the rule fails', (_story, doc) => {
    const analysis = analyzeKeyPolicy(doc, keyCtx);
    expect(analysis.malformed).toEqual(expect.any(String));
    expect(analysis.cloudTrailUse.scoped).toBe(false);
    expect(analysis.publicStatements).toEqual([MALFORMED_POLICY_LABEL]);
  });
});
