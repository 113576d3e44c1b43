/**
 * GetAccountAuthorizationDetails pages -> the account's IAM facts, reduced as they stream in (pure).
 *
 * An account can hold thousands of roles; the rules read only statements that can apply to a
 * tracked action (TRACKED_IAM_ACTIONS) and the principals those statements reach. Each page is
 * reduced on arrival, so a listing never sits in memory whole; principals and attachments that
 * cannot matter are dropped at the end, when every customer managed policy is known.
 */
import type { GetAccountAuthorizationDetailsResponse } from '@aws-sdk/client-iam';
import { awsManagedPolicyDocument } from '../../aws-policy/aws-managed-policies.js';
import { reduceIdentityPolicy } from '../../aws-policy/tracked-actions.js';
import type { IamAuthorization, IamInlinePolicy, IamManagedPolicy, IamPrincipal } from '../../snapshot/schema.js';
import { MalformedResponseError } from '../errors.js';
import { definedOnly } from '../../objects.js';
import { nonEmpty, required } from './common.js';

/** IAM hands policy documents over URL-encoded (RFC 3986); some SDKs and emulators decode them first. */
export function decodeIamPolicyDocument(text: string | undefined, what: string): unknown {
  const raw = required(text, what);
  let json = raw;
  if (!raw.trimStart().startsWith('{')) {
    try {
      json = decodeURIComponent(raw);
    } catch {
      throw new MalformedResponseError(`${what} is not URL-encoded JSON`);
    }
  }
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new MalformedResponseError(`${what} is not valid JSON`);
  }
}

interface RawPolicy {
  PolicyName?: string | undefined;
  PolicyDocument?: string | undefined;
}
interface RawAttached {
  PolicyArn?: string | undefined;
}

function reducedInline(list: readonly RawPolicy[] | undefined, owner: string): IamInlinePolicy[] {
  const kept: IamInlinePolicy[] = [];
  for (const policy of list ?? []) {
    const name = required(policy.PolicyName, `PolicyName of an inline policy of ${owner}`);
    const document = reduceIdentityPolicy(decodeIamPolicyDocument(policy.PolicyDocument, `document of inline policy ${name} of ${owner}`));
    if (document !== undefined) kept.push({ name, document });
  }
  return kept;
}

function attachedArns(list: readonly RawAttached[] | undefined, owner: string): string[] {
  return (list ?? []).map((attached) => required(attached.PolicyArn, `PolicyArn attached to ${owner}`));
}

export class IamAuthorizationReducer {
  private readonly principals: IamPrincipal[] = [];
  private readonly managed: IamManagedPolicy[] = [];
  private readonly counts = { users: 0, roles: 0, groups: 0, managedPolicies: 0 };

  constructor(private readonly partition: string) {}

  /** One page: users, groups, roles and customer managed policies, each reduced. */
  add(page: GetAccountAuthorizationDetailsResponse): void {
    for (const user of page.UserDetailList ?? []) {
      this.counts.users++;
      const name = required(user.UserName, 'UserName');
      this.principals.push(
        definedOnly<IamPrincipal>({
          type: 'user',
          name,
          arn: required(user.Arn, `Arn of user ${name}`),
          inlinePolicies: reducedInline(user.UserPolicyList, `user ${name}`),
          managedPolicyArns: attachedArns(user.AttachedManagedPolicies, `user ${name}`),
          groups: [...(user.GroupList ?? [])],
          permissionsBoundaryArn: nonEmpty(user.PermissionsBoundary?.PermissionsBoundaryArn),
        }),
      );
    }
    for (const group of page.GroupDetailList ?? []) {
      this.counts.groups++;
      const name = required(group.GroupName, 'GroupName');
      this.principals.push({
        type: 'group',
        name,
        arn: required(group.Arn, `Arn of group ${name}`),
        inlinePolicies: reducedInline(group.GroupPolicyList, `group ${name}`),
        managedPolicyArns: attachedArns(group.AttachedManagedPolicies, `group ${name}`),
      });
    }
    for (const role of page.RoleDetailList ?? []) {
      this.counts.roles++;
      const name = required(role.RoleName, 'RoleName');
      this.principals.push(
        definedOnly<IamPrincipal>({
          type: 'role',
          name,
          arn: required(role.Arn, `Arn of role ${name}`),
          inlinePolicies: reducedInline(role.RolePolicyList, `role ${name}`),
          managedPolicyArns: attachedArns(role.AttachedManagedPolicies, `role ${name}`),
          permissionsBoundaryArn: nonEmpty(role.PermissionsBoundary?.PermissionsBoundaryArn),
        }),
      );
    }
    for (const policy of page.Policies ?? []) {
      this.counts.managedPolicies++;
      const arn = required(policy.Arn, 'Arn of a managed policy');
      const version = (policy.PolicyVersionList ?? []).find((candidate) => candidate.IsDefaultVersion === true);
      if (version === undefined) throw new MalformedResponseError(`managed policy ${arn} has no default version in PolicyVersionList`);
      const document = reduceIdentityPolicy(decodeIamPolicyDocument(version.Document, `default version of ${arn}`));
      if (document === undefined) continue;
      this.managed.push({ arn, name: required(policy.PolicyName, `PolicyName of ${arn}`), attachmentCount: policy.AttachmentCount ?? 0, document });
    }
  }

  /**
   * Keeps an attachment only when its policy can grant a tracked action (a kept customer managed
   * policy, or an AWS managed policy whose document is shipped), a group only when it holds one,
   * and a principal only when something is left.
   */
  finish(): IamAuthorization {
    const relevantManaged = new Set(this.managed.map((policy) => policy.arn));
    const relevantArn = (arn: string) => relevantManaged.has(arn) || awsManagedPolicyDocument(arn, this.partition) !== undefined;
    const trimmed = this.principals.map((principal) => ({ ...principal, managedPolicyArns: principal.managedPolicyArns.filter(relevantArn) }));
    const groups = new Set(trimmed.filter((p) => p.type === 'group' && (p.inlinePolicies.length > 0 || p.managedPolicyArns.length > 0)).map((p) => p.name));
    const principals = trimmed
      .map((principal) => (principal.groups ? { ...principal, groups: principal.groups.filter((name) => groups.has(name)) } : principal))
      .filter((principal) => principal.inlinePolicies.length > 0 || principal.managedPolicyArns.length > 0 || (principal.groups?.length ?? 0) > 0);
    return { principals, managedPolicies: this.managed, counts: { ...this.counts } };
  }
}
