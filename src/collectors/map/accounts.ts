import { compareIdentity } from '../../snapshot/merge.js';
/** Organizations and EC2 answers -> organization, account and region facts. Pure. */
import type { Region as SdkRegion } from '@aws-sdk/client-ec2';
import type { Account as SdkAccount, DelegatedAdministrator, DescribeOrganizationResponse, DescribePolicyResponse, PolicySummary, PolicyTargetSummary } from '@aws-sdk/client-organizations';
import type { RegionInfo } from '../../snapshot/schema.js';
import { MalformedResponseError } from '../errors.js';
import { isAccountId, isRegionName } from './arn.js';
import { nonEmpty, parsePolicyDocument, required } from './common.js';

export interface OrganizationAccount {
  id: string;
  name?: string;
  /** Account.State (newer) or Account.Status: ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, … */
  state: string;
}

function accountId(value: string | undefined, what: string): string {
  const id = required(value, what);
  if (!isAccountId(id)) throw new MalformedResponseError(`${what} ${id} is not a 12-digit account id`);
  return id;
}

/** ListAccounts.Accounts[] */
export function mapOrganizationAccount(raw: SdkAccount): OrganizationAccount {
  const id = accountId(raw.Id, 'Account.Id');
  const name = nonEmpty(raw.Name);
  return { id, ...(name !== undefined ? { name } : {}), state: required(raw.State ?? raw.Status, `State of account ${id}`) };
}

export function isActive(account: OrganizationAccount): boolean {
  return account.state === 'ACTIVE';
}

/** DescribeOrganization */
export function mapOrganization(raw: DescribeOrganizationResponse): { id: string; managementAccountId: string } {
  const organization = raw.Organization;
  if (organization === undefined) throw new MalformedResponseError('DescribeOrganization has no Organization');
  return { id: required(organization.Id, 'Organization.Id'), managementAccountId: accountId(organization.MasterAccountId, 'Organization.MasterAccountId') };
}

/** ListDelegatedAdministrators.DelegatedAdministrators[].Id */
export function mapDelegatedAdministrators(admins: readonly DelegatedAdministrator[]): string[] {
  return [...new Set(admins.map((admin) => accountId(admin.Id, 'DelegatedAdministrator.Id')))].sort();
}

/**
 * DescribeRegions (AllRegions) restricted to the requested regions, in the answer's order. Regions
 * that are not opted in stay listed (rules say not_applicable) but are never called.
 */
export function mapRegions(regions: readonly SdkRegion[], requested: 'all' | readonly string[]): RegionInfo[] {
  const wanted = requested === 'all' ? undefined : new Set(requested);
  return regions
    .map((region) => {
      const name = required(region.RegionName, 'Region.RegionName');
      if (!isRegionName(name)) throw new MalformedResponseError(`RegionName ${name} is not a region`);
      return { name, optInStatus: required(region.OptInStatus, `OptInStatus of ${name}`) };
    })
    .filter((region) => wanted === undefined || wanted.has(region.name))
    .sort((a, b) => compareIdentity(a.name, b.name));
}

export function isEnabled(region: RegionInfo): boolean {
  return region.optInStatus !== 'not-opted-in';
}

/** ListPolicies.Policies[] (SERVICE_CONTROL_POLICY) */
export function mapPolicySummary(raw: PolicySummary): { id: string; name: string; awsManaged: boolean } {
  const id = required(raw.Id, 'PolicySummary.Id');
  return { id, name: required(raw.Name, `Name of policy ${id}`), awsManaged: raw.AwsManaged === true };
}

/** DescribePolicy.Policy.Content, parsed JSON. */
export function mapPolicyContent(raw: DescribePolicyResponse, id: string): unknown {
  return parsePolicyDocument(raw.Policy?.Content, `Content of policy ${id}`);
}

/** ListTargetsForPolicy.Targets[] */
export function mapPolicyTarget(raw: PolicyTargetSummary): { id: string; type: string } {
  const id = required(raw.TargetId, 'PolicyTargetSummary.TargetId');
  return { id, type: required(raw.Type, `Type of policy target ${id}`) };
}
