/** GetAccountAuthorizationDetails pages reduced to the IAM facts the rules read. */
import type { GetAccountAuthorizationDetailsResponse } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../../../src/collectors/errors.js';
import { IamAuthorizationReducer, decodeIamPolicyDocument } from '../../../src/collectors/map/iam.js';

const encoded = (document: unknown) => encodeURIComponent(JSON.stringify(document));
const allow = (action: string) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const ACCOUNT = '111111111111';

/** Two pages, as IAM splits a listing: principals on the first, policies on the second. */
const pages: GetAccountAuthorizationDetailsResponse[] = [
  {
    IsTruncated: true,
    Marker: 'm1',
    UserDetailList: [
      { UserName: 'alice', Arn: `arn:aws:iam::${ACCOUNT}:user/alice`, GroupList: ['ops', 'readers'], UserPolicyList: [], AttachedManagedPolicies: [] },
      { UserName: 'bob', Arn: `arn:aws:iam::${ACCOUNT}:user/bob`, GroupList: ['readers'], UserPolicyList: [{ PolicyName: 'own', PolicyDocument: encoded(allow('sqs:*')) }] },
    ],
    GroupDetailList: [
      { GroupName: 'ops', Arn: `arn:aws:iam::${ACCOUNT}:group/ops`, GroupPolicyList: [{ PolicyName: 'stop', PolicyDocument: encoded(allow('cloudtrail:StopLogging')) }] },
      { GroupName: 'readers', Arn: `arn:aws:iam::${ACCOUNT}:group/readers`, AttachedManagedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] },
    ],
    RoleDetailList: [
      { RoleName: 'admin', Arn: `arn:aws:iam::${ACCOUNT}:role/admin`, AttachedManagedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }], PermissionsBoundary: { PermissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/boundary` } },
      { RoleName: 'app', Arn: `arn:aws:iam::${ACCOUNT}:role/app`, AttachedManagedPolicies: [{ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/app` }], RolePolicyList: [{ PolicyName: 'logs', PolicyDocument: encoded(allow('logs:PutLogEvents')) }] },
      { RoleName: 'cleaner', Arn: `arn:aws:iam::${ACCOUNT}:role/cleaner`, AttachedManagedPolicies: [{ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/cleanup` }] },
    ],
  },
  {
    IsTruncated: false,
    Policies: [
      { PolicyName: 'app', Arn: `arn:aws:iam::${ACCOUNT}:policy/app`, AttachmentCount: 1, PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: encoded(allow('dynamodb:*')) }] },
      {
        PolicyName: 'cleanup',
        Arn: `arn:aws:iam::${ACCOUNT}:policy/cleanup`,
        AttachmentCount: 1,
        PolicyVersionList: [
          { VersionId: 'v1', IsDefaultVersion: false, Document: encoded(allow('s3:*')) },
          { VersionId: 'v2', IsDefaultVersion: true, Document: encoded({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }, { Effect: 'Allow', Action: 's3:DeleteObject', Resource: '*' }] }) },
        ],
      },
    ],
  },
];

describe('IamAuthorizationReducer', () => {
  it('keeps relevant statements of default versions, relevant attachments and groups, and counts everything', () => {
    const reducer = new IamAuthorizationReducer('aws');
    pages.forEach((page) => reducer.add(page));
    const facts = reducer.finish();
    expect(facts.counts).toEqual({ users: 2, groups: 2, roles: 3, managedPolicies: 2 });
    expect(facts.managedPolicies).toEqual([
      { arn: `arn:aws:iam::${ACCOUNT}:policy/cleanup`, name: 'cleanup', attachmentCount: 1, document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:DeleteObject', Resource: '*' }] } },
    ]);
    expect(facts.principals).toEqual([
      { type: 'user', name: 'alice', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, inlinePolicies: [], managedPolicyArns: [], groups: ['ops'] },
      { type: 'group', name: 'ops', arn: `arn:aws:iam::${ACCOUNT}:group/ops`, inlinePolicies: [{ name: 'stop', document: allow('cloudtrail:StopLogging') }], managedPolicyArns: [] },
      {
        type: 'role',
        name: 'admin',
        arn: `arn:aws:iam::${ACCOUNT}:role/admin`,
        inlinePolicies: [],
        managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
        permissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/boundary`,
      },
      { type: 'role', name: 'cleaner', arn: `arn:aws:iam::${ACCOUNT}:role/cleaner`, inlinePolicies: [], managedPolicyArns: [`arn:aws:iam::${ACCOUNT}:policy/cleanup`] },
    ]);
  });

  it('refuses a managed policy without a default version and a document that is not JSON', () => {
    const reducer = new IamAuthorizationReducer('aws');
    expect(() => reducer.add({ Policies: [{ PolicyName: 'x', Arn: `arn:aws:iam::${ACCOUNT}:policy/x`, PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: false, Document: encoded(allow('*')) }] }] })).toThrow(MalformedResponseError);
    expect(() => decodeIamPolicyDocument('%7B%22Statement', 'doc')).toThrow(MalformedResponseError);
    expect(() => decodeIamPolicyDocument('%E0%A4%A', 'doc')).toThrow(MalformedResponseError);
  });

  it('reads documents URL-encoded (as IAM sends them) or already decoded', () => {
    expect(decodeIamPolicyDocument(encoded(allow('s3:*')), 'doc')).toEqual(allow('s3:*'));
    expect(decodeIamPolicyDocument(JSON.stringify(allow('s3:*')), 'doc')).toEqual(allow('s3:*'));
  });
});
