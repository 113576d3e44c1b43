/** Identity-policy analysis: reduction, every-trail coverage, exemptions, SCP protection, grants. */
import { describe, expect, it } from 'vitest';
import { parsePolicyDocument } from '../../../src/aws-policy/policy-document.js';
import { isNarrowExemption, parseAccountIam, principalsAllowed, scpProtection, statementAppliesToEveryTrail } from '../../../src/engine/analysis/iam-access.js';
import { reduceIdentityPolicy, TRAIL_TAMPER_ACTIONS } from '../../../src/aws-policy/tracked-actions.js';
import { awsManagedPolicyDocument, awsManagedPolicyName } from '../../../src/aws-policy/aws-managed-policies.js';
import type { IamAuthorization } from '../../../src/snapshot/schema.js';

const statement = (raw: Record<string, unknown>) => {
  const parsed = parsePolicyDocument({ Statement: [raw] }, 'identity');
  if (parsed.malformed !== undefined) throw new Error(parsed.malformed);
  return parsed.statements[0]!;
};

describe('identity policy parsing', () => {
  it('needs no Principal and refuses one', () => {
    expect(parsePolicyDocument({ Statement: { Effect: 'Allow', Action: 's3:*', Resource: '*' } }, 'identity').statements).toHaveLength(1);
    expect(parsePolicyDocument({ Statement: { Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' } }, 'identity').malformed).toMatch(/Principal/);
    expect(parsePolicyDocument({ Statement: { Effect: 'Allow', Action: 's3:*', Resource: '*' } }).malformed).toMatch(/Principal/);
  });
});

describe('reduceIdentityPolicy', () => {
  it('keeps only statements that can match a tracked action, Deny included', () => {
    const reduced = reduceIdentityPolicy({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Read', Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' },
        { Sid: 'Stop', Effect: 'Allow', Action: 'cloudtrail:Stop*', Resource: '*' },
        { Sid: 'AllButIam', Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
        { Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' },
      ],
    }) as { Statement: { Sid: string }[] };
    expect(reduced.Statement.map((entry) => entry.Sid)).toEqual(['Stop', 'AllButIam', 'NoDelete']);
    expect(reduceIdentityPolicy({ Statement: { Effect: 'Allow', Action: 'logs:*', Resource: '*' } })).toBeUndefined();
  });

  it('keeps a document it cannot parse whole, so evaluation reports it', () => {
    const broken = { Statement: [{ Effect: 'Perhaps', Action: '*', Resource: '*' }] };
    expect(reduceIdentityPolicy(broken)).toBe(broken);
  });
});

describe('statementAppliesToEveryTrail', () => {
  it.each([
    ['*', true],
    ['arn:aws:cloudtrail:*', true],
    ['arn:aws:cloudtrail:*:*:trail/*', true],
    ['arn:aws:cloudtrail:*:111111111111:trail/*', false],
    ['arn:aws:cloudtrail:us-east-1:*:trail/*', false],
    ['arn:aws:cloudtrail:??-????-?:*:trail/*', false],
  ])('Resource %s covers every trail: %s', (resource, expected) => {
    expect(statementAppliesToEveryTrail(statement({ Effect: 'Allow', Action: 'cloudtrail:*', Resource: resource }), 'aws')).toBe(expected);
  });

  it('a NotResource covers every trail only when it names no CloudTrail ARN', () => {
    expect(statementAppliesToEveryTrail(statement({ Effect: 'Deny', Action: 'cloudtrail:*', NotResource: 'arn:aws:s3:::x' }), 'aws')).toBe(true);
    expect(statementAppliesToEveryTrail(statement({ Effect: 'Deny', Action: 'cloudtrail:*', NotResource: 'arn:aws:cloudtrail:us-east-1:1:trail/x' }), 'aws')).toBe(false);
  });
});

describe('isNarrowExemption', () => {
  it.each([
    ['arn:aws:iam::*:role/break-glass', true],
    ['arn:aws:iam::111111111111:role/ops/pipeline-*', true],
    ['arn:aws:iam::*:role/*', false],
    ['arn:aws:iam::*:role/ops/*', false],
    ['*', false],
    ['arn:aws:iam::111111111111:root', false],
  ])('%s is narrow: %s', (value, expected) => expect(isNarrowExemption(value)).toBe(expected));
});

describe('scpProtection', () => {
  const deny = (extra: Record<string, unknown> = {}) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: [...TRAIL_TAMPER_ACTIONS], Resource: '*', ...extra }] });
  it('applies SCPs attached to the account, an OU above it or the root, and no others', () => {
    const policies = [
      { id: 'p-1', name: 'on-ou', awsManaged: false, document: deny(), targets: [{ id: 'ou-2', type: 'ORGANIZATIONAL_UNIT' }] },
      { id: 'p-2', name: 'elsewhere', awsManaged: false, document: deny(), targets: [{ id: 'ou-9', type: 'ORGANIZATIONAL_UNIT' }] },
    ];
    expect(scpProtection(policies, '222222222222', ['r-1', 'ou-1', 'ou-2'], 'aws')).toMatchObject({ undeniedActions: [], protectingPolicies: ['on-ou (p-1)'] });
    expect(scpProtection(policies, '222222222222', ['r-1', 'ou-1'], 'aws').undeniedActions).toEqual([...TRAIL_TAMPER_ACTIONS]);
    expect(scpProtection([{ ...policies[1]!, targets: [{ id: '222222222222', type: 'ACCOUNT' }] }], '222222222222', ['r-1'], 'aws').undeniedActions).toEqual([]);
  });

  it('counts a Deny whose only condition exempts named principals, and reports the exemptions', () => {
    const exempting = deny({ Condition: { ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/break-glass'] } } });
    const result = scpProtection([{ id: 'p', name: 'g', awsManaged: false, document: exempting, targets: [{ id: 'r-1', type: 'ROOT' }] }], '2', ['r-1'], 'aws');
    expect(result).toMatchObject({ undeniedActions: [], exemptions: ['arn:aws:iam::*:role/break-glass'] });
    const conditional = deny({ Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } });
    expect(scpProtection([{ id: 'p', name: 'g', awsManaged: false, document: conditional, targets: [{ id: 'r-1', type: 'ROOT' }] }], '2', ['r-1'], 'aws').deniedActions).toEqual([]);
  });

  it('says which SCP is malformed', () => {
    expect(scpProtection([{ id: 'p-x', name: 'broken', awsManaged: false, document: { Statement: 'no' }, targets: [{ id: 'r-1', type: 'ROOT' }] }], '2', ['r-1'], 'aws').malformed).toMatch(/broken \(p-x\)/);
  });
});

describe('principalsAllowed', () => {
  const trail = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/t';
  const iam = (principals: IamAuthorization['principals'], managedPolicies: IamAuthorization['managedPolicies'] = []): IamAuthorization => ({
    principals,
    managedPolicies,
    counts: { users: 0, roles: 0, groups: 0, managedPolicies: 0 },
  });
  const targets = TRAIL_TAMPER_ACTIONS.map((action) => ({ action, arn: trail }));

  it('folds group, customer managed and shipped AWS managed policies into the user or role, naming each grant', () => {
    const parsed = parseAccountIam(
      iam(
        [
          { type: 'user', name: 'alice', arn: 'arn:aws:iam::111111111111:user/alice', inlinePolicies: [], managedPolicyArns: [], groups: ['ops'] },
          { type: 'group', name: 'ops', arn: 'arn:aws:iam::111111111111:group/ops', inlinePolicies: [], managedPolicyArns: ['arn:aws:iam::111111111111:policy/stop'] },
          { type: 'role', name: 'power', arn: 'arn:aws:iam::111111111111:role/power', inlinePolicies: [], managedPolicyArns: ['arn:aws:iam::aws:policy/PowerUserAccess'] },
          { type: 'role', name: 'reader', arn: 'arn:aws:iam::111111111111:role/reader', inlinePolicies: [], managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] },
        ],
        [{ arn: 'arn:aws:iam::111111111111:policy/stop', name: 'stop', attachmentCount: 1, document: { Statement: [{ Sid: 'Stop', Effect: 'Allow', Action: 'cloudtrail:StopLogging', Resource: trail }] } }],
      ),
      'aws',
    );
    expect(principalsAllowed(parsed, targets)).toEqual([
      { type: 'user', name: 'alice', arn: 'arn:aws:iam::111111111111:user/alice', actions: ['cloudtrail:StopLogging'], grantedBy: ['arn:aws:iam::111111111111:policy/stop Stop'] },
      { type: 'role', name: 'power', arn: 'arn:aws:iam::111111111111:role/power', actions: [...TRAIL_TAMPER_ACTIONS], grantedBy: ['arn:aws:iam::aws:policy/PowerUserAccess Statement[0]'] },
    ]);
  });

  it('subtracts a Deny that exempts other principals, never one that exempts this one', () => {
    const denyAllBut = (exempt: string) => ({ name: 'guard', document: { Statement: [{ Effect: 'Deny', Action: 'cloudtrail:*', Resource: '*', Condition: { ArnNotEquals: { 'aws:PrincipalArn': exempt } } }] } });
    const admin = (name: string, exempt: string) => ({
      type: 'role' as const,
      name,
      arn: `arn:aws:iam::111111111111:role/${name}`,
      inlinePolicies: [denyAllBut(exempt)],
      managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
    });
    const parsed = parseAccountIam(iam([admin('ops', 'arn:aws:iam::111111111111:role/break-glass'), admin('break-glass', 'arn:aws:iam::111111111111:role/break-glass')]), 'aws');
    expect(principalsAllowed(parsed, targets).map((grant) => grant.name)).toEqual(['break-glass']);
  });
});

describe('AWS managed policies', () => {
  it('are recognised by ARN in any partition and path', () => {
    expect(awsManagedPolicyName('arn:aws-us-gov:iam::aws:policy/job-function/ViewOnlyAccess')).toBe('ViewOnlyAccess');
    expect(awsManagedPolicyName('arn:aws:iam::111111111111:policy/AdministratorAccess')).toBeUndefined();
    expect(JSON.stringify(awsManagedPolicyDocument('arn:aws-cn:iam::aws:policy/AWSCloudTrail_FullAccess', 'aws-cn'))).toContain('arn:aws-cn:s3:::aws-cloudtrail-logs*');
    expect(awsManagedPolicyDocument('arn:aws:iam::aws:policy/ReadOnlyAccess', 'aws')).toBeUndefined();
  });
});
