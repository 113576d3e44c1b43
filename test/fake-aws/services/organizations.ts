import { AwsError, JSON_ERRORS } from '../errors.js';
import type { FakeAccount, FakeOrganizationInfo } from '../model.js';
import { paginate } from '../pagination.js';
import { numberMember, stringMember, type CallContext, type ServiceDefinition } from '../service.js';

/** Organizations caps MaxResults at 20. */
const MAX_PAGE_SIZE = 20;
const invalidInput = { code: 'InvalidInputException', status: 400 };

function organizationOf(context: CallContext): FakeOrganizationInfo {
  const organization = context.world.model.organization;
  if (!organization || !context.world.account(context.caller.accountId)) {
    throw new AwsError({ code: 'AWSOrganizationsNotInUseException', status: 400 }, 'Your account is not a member of an organization.');
  }
  return organization;
}

function requireListPermission(context: CallContext): FakeOrganizationInfo {
  const organization = organizationOf(context);
  if (!context.world.canListOrganization(context.caller.accountId)) {
    throw new AwsError(
      JSON_ERRORS.accessDenied,
      'You don’t have permissions to access this resource. This operation can be called only from the organization’s management account or by a member account that is a delegated administrator.',
    );
  }
  return organization;
}

function pageSize(context: CallContext, action: string, input: Record<string, unknown>): number {
  const requested = numberMember(input, 'MaxResults');
  if (requested !== undefined && (requested < 1 || requested > MAX_PAGE_SIZE)) {
    throw new AwsError(invalidInput, 'You provided a value that does not match the required pattern.');
  }
  return Math.min(requested ?? MAX_PAGE_SIZE, context.pageSize(action, MAX_PAGE_SIZE));
}

function accountEntry(context: CallContext, organization: FakeOrganizationInfo, account: FakeAccount) {
  return {
    Id: account.id,
    Arn: `arn:${context.world.partition}:organizations::${organization.managementAccountId}:account/${organization.id}/${account.id}`,
    Email: account.email ?? `${account.name}@example.com`,
    Name: account.name,
    Status: account.status,
    State: account.status,
    JoinedMethod: account.joinedMethod ?? 'CREATED',
    JoinedTimestamp: new Date(account.joinedTimestamp ?? '2020-01-01T00:00:00Z'),
  };
}

function rootIdOf(organization: FakeOrganizationInfo): string {
  return organization.rootId ?? `r-${organization.id.replace(/^o-/, '').slice(0, 4)}`;
}

function targetType(id: string): string {
  return id.startsWith('r-') ? 'ROOT' : id.startsWith('ou-') ? 'ORGANIZATIONAL_UNIT' : 'ACCOUNT';
}

function requireParent(organization: FakeOrganizationInfo, parentId: string | undefined): string {
  if (parentId !== undefined && (parentId === rootIdOf(organization) || (organization.organizationalUnits ?? []).some((unit) => unit.id === parentId))) return parentId;
  throw new AwsError({ code: 'ParentNotFoundException', status: 400 }, 'We can\'t find a root or OU with the ParentId that you specified.');
}

function scpNamed(organization: FakeOrganizationInfo, id: string | undefined) {
  const policy = (organization.serviceControlPolicies ?? []).find((candidate) => candidate.id === id);
  if (!policy) throw new AwsError({ code: 'PolicyNotFoundException', status: 400 }, 'We can\'t find a policy with the PolicyId that you specified.');
  return policy;
}

function policySummary(context: CallContext, organization: FakeOrganizationInfo, policy: NonNullable<FakeOrganizationInfo['serviceControlPolicies']>[number]) {
  return {
    Id: policy.id,
    Arn: `arn:${context.world.partition}:organizations::${organization.managementAccountId}:policy/${organization.id}/service_control_policy/${policy.id}`,
    Name: policy.name,
    Description: '',
    Type: 'SERVICE_CONTROL_POLICY',
    AwsManaged: policy.awsManaged === true,
  };
}

export const organizations: ServiceDefinition = {
  name: 'organizations',
  protocol: 'json',
  jsonVersion: '1.1',
  targetPrefix: 'AWSOrganizationsV20161128',
  queryCompatible: false,
  regional: false,
  errors: { ...JSON_ERRORS, throttling: { code: 'TooManyRequestsException', status: 400 } },
  actions: {
    DescribeOrganization: (context) => {
      const organization = organizationOf(context);
      const management = context.world.account(organization.managementAccountId)!;
      const arnPrefix = `arn:${context.world.partition}:organizations::${organization.managementAccountId}`;
      return {
        Organization: {
          Id: organization.id,
          Arn: `${arnPrefix}:organization/${organization.id}`,
          FeatureSet: 'ALL',
          MasterAccountArn: `${arnPrefix}:account/${organization.id}/${organization.managementAccountId}`,
          MasterAccountId: organization.managementAccountId,
          MasterAccountEmail: management.email ?? `${management.name}@example.com`,
          AvailablePolicyTypes: [],
        },
      };
    },

    ListAccounts: (context, input) => {
      const organization = requireListPermission(context);
      const page = paginate(context, context.world.allAccounts(), stringMember(input, 'NextToken'), pageSize(context, 'ListAccounts', input), invalidInput);
      return { Accounts: page.items.map((account) => accountEntry(context, organization, account)), NextToken: page.nextToken };
    },

    ListRoots: (context, input) => {
      const organization = requireListPermission(context);
      const page = paginate(context, [rootIdOf(organization)], stringMember(input, 'NextToken'), pageSize(context, 'ListRoots', input), invalidInput);
      return {
        Roots: page.items.map((id) => ({ Id: id, Arn: `arn:${context.world.partition}:organizations::${organization.managementAccountId}:root/${organization.id}/${id}`, Name: 'Root', PolicyTypes: [] })),
        NextToken: page.nextToken,
      };
    },

    ListOrganizationalUnitsForParent: (context, input) => {
      const organization = requireListPermission(context);
      const parentId = requireParent(organization, stringMember(input, 'ParentId'));
      const units = (organization.organizationalUnits ?? []).filter((unit) => unit.parentId === parentId);
      const page = paginate(context, units, stringMember(input, 'NextToken'), pageSize(context, 'ListOrganizationalUnitsForParent', input), invalidInput);
      return {
        OrganizationalUnits: page.items.map((unit) => ({ Id: unit.id, Arn: `arn:${context.world.partition}:organizations::${organization.managementAccountId}:ou/${organization.id}/${unit.id}`, Name: unit.name })),
        NextToken: page.nextToken,
      };
    },

    ListAccountsForParent: (context, input) => {
      const organization = requireListPermission(context);
      const parentId = requireParent(organization, stringMember(input, 'ParentId'));
      const root = rootIdOf(organization);
      const accounts = context.world.allAccounts().filter((account) => (organization.accountParents?.[account.id] ?? root) === parentId);
      const page = paginate(context, accounts, stringMember(input, 'NextToken'), pageSize(context, 'ListAccountsForParent', input), invalidInput);
      return { Accounts: page.items.map((account) => accountEntry(context, organization, account)), NextToken: page.nextToken };
    },

    ListPolicies: (context, input) => {
      const organization = requireListPermission(context);
      if (stringMember(input, 'Filter') === undefined) throw new AwsError(invalidInput, 'Filter is required.');
      const policies = stringMember(input, 'Filter') === 'SERVICE_CONTROL_POLICY' ? (organization.serviceControlPolicies ?? []) : [];
      const page = paginate(context, policies, stringMember(input, 'NextToken'), pageSize(context, 'ListPolicies', input), invalidInput);
      return { Policies: page.items.map((policy) => policySummary(context, organization, policy)), NextToken: page.nextToken };
    },

    DescribePolicy: (context, input) => {
      const organization = requireListPermission(context);
      const policy = scpNamed(organization, stringMember(input, 'PolicyId'));
      return { Policy: { PolicySummary: policySummary(context, organization, policy), Content: JSON.stringify(policy.document) } };
    },

    ListTargetsForPolicy: (context, input) => {
      const organization = requireListPermission(context);
      const policy = scpNamed(organization, stringMember(input, 'PolicyId'));
      const page = paginate(context, policy.targets, stringMember(input, 'NextToken'), pageSize(context, 'ListTargetsForPolicy', input), invalidInput);
      return {
        Targets: page.items.map((id) => ({ TargetId: id, Arn: `arn:${context.world.partition}:organizations::${organization.managementAccountId}:target/${id}`, Name: id, Type: targetType(id) })),
        NextToken: page.nextToken,
      };
    },

    ListDelegatedAdministrators: (context, input) => {
      const organization = requireListPermission(context);
      const principal = stringMember(input, 'ServicePrincipal');
      const delegations = organization.delegatedAdministrators.filter((delegation) => principal === undefined || delegation.servicePrincipal === principal);
      // An account delegated for several services is listed once.
      const accountIds = [...new Set(delegations.map((delegation) => delegation.accountId))];
      const page = paginate(context, accountIds, stringMember(input, 'NextToken'), pageSize(context, 'ListDelegatedAdministrators', input), invalidInput);
      return {
        DelegatedAdministrators: page.items.map((accountId) => {
          const account = context.world.account(accountId)!;
          const since = delegations.find((delegation) => delegation.accountId === accountId)?.delegationEnabledDate;
          return { ...accountEntry(context, organization, account), DelegationEnabledDate: new Date(since ?? '2021-01-01T00:00:00Z') };
        }),
        NextToken: page.nextToken,
      };
    },
  },
};
