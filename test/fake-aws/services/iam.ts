/** IAM role reads in the caller's account (IAM is global: one endpoint, signed for us-east-1). */
import { iamUniqueId } from '../credentials.js';
import { AwsError, QUERY_ERRORS } from '../errors.js';
import { managedPolicyArn, roleArn, type FakeAccount, type FakeIamPolicy, type FakeRole, type Partition } from '../model.js';
import { paginate } from '../pagination.js';
import type { CallContext, ServiceDefinition } from '../service.js';
import { queryList, type XmlValue } from '../wire.js';

/** IAM's default MaxItems, and its ceiling. */
const DEFAULT_MAX_ITEMS = 100;
const MAX_ITEMS = 1000;
const FILTERS = ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'] as const;
type EntityFilter = (typeof FILTERS)[number];

/** IAM serves policy documents URL-encoded. */
function encodedDocument(document: unknown): string {
  return encodeURIComponent(JSON.stringify(document));
}

function inlineList(policies: FakeIamPolicy[] | undefined): XmlValue {
  return (policies ?? []).map((policy) => ({ PolicyName: policy.name, PolicyDocument: encodedDocument(policy.document) }));
}

function attachedList(arns: string[] | undefined): XmlValue {
  return (arns ?? []).map((arn) => ({ PolicyName: arn.split('/').pop() ?? arn, PolicyArn: arn }));
}

/** Every entity of the account in IAM's order (users, groups, roles, policies), tagged for the page that carries it. */
function authorizationEntities(account: FakeAccount, partition: Partition, wanted: ReadonlySet<EntityFilter>): { list: string; entry: XmlValue }[] {
  const id = account.id;
  const created = new Date('2021-05-01T00:00:00Z');
  const entities: { list: string; entry: XmlValue }[] = [];
  if (wanted.has('User')) {
    for (const user of account.users ?? []) {
      const path = user.path ?? '/';
      entities.push({
        list: 'UserDetailList',
        entry: {
          Path: path,
          UserName: user.name,
          UserId: iamUniqueId('AIDA', `${id}/${user.name}`),
          Arn: `arn:${partition}:iam::${id}:user${path}${user.name}`,
          CreateDate: created,
          UserPolicyList: inlineList(user.inlinePolicies),
          GroupList: [...(user.groups ?? [])],
          AttachedManagedPolicies: attachedList(user.managedPolicyArns),
        },
      });
    }
  }
  if (wanted.has('Group')) {
    for (const group of account.groups ?? []) {
      const path = group.path ?? '/';
      entities.push({
        list: 'GroupDetailList',
        entry: {
          Path: path,
          GroupName: group.name,
          GroupId: `AGPA${Buffer.from(`${id}/${group.name}`).toString('hex').slice(0, 16).toUpperCase()}`,
          Arn: `arn:${partition}:iam::${id}:group${path}${group.name}`,
          CreateDate: created,
          GroupPolicyList: inlineList(group.inlinePolicies),
          AttachedManagedPolicies: attachedList(group.managedPolicyArns),
        },
      });
    }
  }
  if (wanted.has('Role')) {
    for (const role of account.roles) {
      entities.push({
        list: 'RoleDetailList',
        entry: {
          Path: role.path ?? '/',
          RoleName: role.name,
          RoleId: iamUniqueId('AROA', `${id}/${role.name}`),
          Arn: roleArn(partition, id, role.name, role.path),
          CreateDate: created,
          AssumeRolePolicyDocument: encodedDocument(trustPolicy(role, partition)),
          InstanceProfileList: [],
          RolePolicyList: inlineList(role.inlinePolicies),
          AttachedManagedPolicies: attachedList(role.managedPolicyArns),
        },
      });
    }
  }
  if (wanted.has('LocalManagedPolicy')) {
    for (const policy of account.managedPolicies ?? []) {
      const path = policy.path ?? '/';
      entities.push({
        list: 'Policies',
        entry: {
          PolicyName: policy.name,
          PolicyId: `ANPA${Buffer.from(`${id}/${policy.name}`).toString('hex').slice(0, 16).toUpperCase()}`,
          Arn: managedPolicyArn(partition, id, policy.name, path),
          Path: path,
          DefaultVersionId: 'v2',
          AttachmentCount: policy.attachmentCount ?? 1,
          IsAttachable: true,
          CreateDate: created,
          UpdateDate: created,
          PolicyVersionList: [
            { Document: encodedDocument({ Version: '2012-10-17', Statement: [] }), VersionId: 'v1', IsDefaultVersion: false, CreateDate: created },
            { Document: encodedDocument(policy.document), VersionId: 'v2', IsDefaultVersion: true, CreateDate: created },
          ],
        },
      });
    }
  }
  return entities;
}

function getAccountAuthorizationDetails(context: CallContext, params: URLSearchParams): Record<string, XmlValue> {
  const account = context.world.account(context.caller.accountId)!;
  const filters = queryList(params, 'Filter.member');
  const unknown = filters.find((filter) => !(FILTERS as readonly string[]).includes(filter));
  if (unknown !== undefined) throw new AwsError({ code: 'ValidationError', status: 400 }, `Value '${unknown}' at 'filter' failed to satisfy constraint.`);
  const wanted = new Set<EntityFilter>(filters.length > 0 ? (filters as EntityFilter[]) : FILTERS);
  const requested = params.has('MaxItems') ? Number(params.get('MaxItems')) : DEFAULT_MAX_ITEMS;
  if (!Number.isInteger(requested) || requested < 1 || requested > MAX_ITEMS) throw new AwsError({ code: 'ValidationError', status: 400 }, 'MaxItems must be between 1 and 1000.');
  const marker = params.get('Marker') ?? undefined;
  const page = paginate(context, authorizationEntities(account, context.world.partition, wanted), marker, Math.min(requested, context.pageSize('GetAccountAuthorizationDetails', MAX_ITEMS)), {
    code: 'ValidationError',
    status: 400,
  });
  const lists: Record<string, XmlValue[]> = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
  for (const entity of page.items) lists[entity.list]!.push(entity.entry);
  return { ...lists, IsTruncated: page.nextToken !== undefined, Marker: page.nextToken };
}

function trustPolicy(role: FakeRole, partition: string): unknown {
  const statements: unknown[] = (role.trustedAccountIds ?? []).map((accountId) => ({
    Effect: 'Allow',
    Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
    Action: 'sts:AssumeRole',
    ...(role.externalId === undefined ? {} : { Condition: { StringEquals: { 'sts:ExternalId': role.externalId } } }),
  }));
  for (const service of role.trustedServices ?? []) {
    statements.push({ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' });
  }
  return { Version: '2012-10-17', Statement: statements };
}

export const iam: ServiceDefinition = {
  name: 'iam',
  protocol: 'query',
  xmlNamespace: 'https://iam.amazonaws.com/doc/2010-05-08/',
  regional: false,
  errors: { ...QUERY_ERRORS, internal: { code: 'ServiceFailure', status: 500 } },
  actions: {
    GetAccountAuthorizationDetails: getAccountAuthorizationDetails,
    GetRole: (context, params) => {
      const name = params.get('RoleName') ?? '';
      const role = context.world.account(context.caller.accountId)?.roles.find((candidate) => candidate.name === name);
      if (!role) throw new AwsError({ code: 'NoSuchEntity', status: 404 }, `The role with name ${name} cannot be found.`);
      return {
        Role: {
          Path: role.path ?? '/',
          RoleName: role.name,
          RoleId: iamUniqueId('AROA', `${context.caller.accountId}/${role.name}`),
          Arn: roleArn(context.world.partition, context.caller.accountId, role.name, role.path),
          CreateDate: new Date('2021-05-01T00:00:00Z'),
          // IAM returns policy documents URL-encoded.
          AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trustPolicy(role, context.world.partition))),
          Description: role.description,
          MaxSessionDuration: role.maxSessionDurationSeconds ?? 3600,
        },
      };
    },
  },
};
