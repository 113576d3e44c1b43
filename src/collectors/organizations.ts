/**
 * Accounts and their regions: the organization, its CloudTrail delegated administrators and its
 * accounts as ListAccounts pages arrive (AWS Organizations), and each account's regions (EC2).
 */
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { DescribeOrganizationCommand, ListAccountsCommand, ListDelegatedAdministratorsCommand } from '@aws-sdk/client-organizations';
import { UserError } from '../errors.js';
import { isCollectionError, type CollectionError, type Organization, type RegionInfo } from '../snapshot/schema.js';
import { factOf, type ScanContext } from './context.js';
import { AwsCallError, MALFORMED_RESPONSE, collectionError } from './errors.js';
import type { Target } from './gateway.js';
import { mapDelegatedAdministrators, mapOrganization, mapOrganizationAccount, mapRegions, type OrganizationAccount } from './map/accounts.js';

const CLOUDTRAIL_PRINCIPAL = 'cloudtrail.amazonaws.com';

function callerTarget(context: ScanContext): Target {
  return { accountId: context.caller.accountId, region: context.caller.controlRegion };
}

/** DescribeOrganization and ListDelegatedAdministrators (cloudtrail.amazonaws.com). */
export async function readOrganization(context: ScanContext): Promise<Organization | CollectionError> {
  const target = callerTarget(context);
  const organization = await factOf(context.gateway.read(target, 'organizations', new DescribeOrganizationCommand({}), mapOrganization));
  if (isCollectionError(organization)) return organization;
  const cloudTrailDelegatedAdministrators = await factOf(
    context.gateway
      .readPages(
        target,
        'organizations',
        (token) => new ListDelegatedAdministratorsCommand({ ServicePrincipal: CLOUDTRAIL_PRINCIPAL, ...(token ? { NextToken: token } : {}) }),
        (output) => output.DelegatedAdministrators ?? [],
        (output) => output.NextToken,
      )
      .then(mapDelegatedAdministrators),
  );
  return { ...organization, cloudTrailDelegatedAdministrators };
}

/**
 * ListAccounts, page by page, handing each page to `onPage` as it arrives (pages may be empty).
 * A first page that fails ends the scan: there is no organization to scan. A later failure is
 * recorded: the accounts after it are unknown, and the snapshot says so. So is a token that comes
 * back a second time, which would otherwise page the same position forever.
 */
export async function streamOrganizationAccounts(context: ScanContext, onPage: (accounts: OrganizationAccount[]) => void): Promise<void> {
  const target = callerTarget(context);
  const seenTokens = new Set<string>();
  let token: string | undefined;
  let pages = 0;
  let accountsRead = 0;
  do {
    let page: { accounts: OrganizationAccount[]; next: string | undefined };
    try {
      page = await context.gateway.read(target, 'organizations', new ListAccountsCommand(token ? { NextToken: token } : {}), (output) => ({
        accounts: (output.Accounts ?? []).map(mapOrganizationAccount),
        next: output.NextToken === '' ? undefined : output.NextToken,
      }));
    } catch (error) {
      if (!(error instanceof AwsCallError)) throw error;
      if (pages === 0) {
        throw new UserError(
          `cannot list the organization's accounts (organizations:ListAccounts: ${error.detail.code}); --org must run from the management account or a delegated administrator`,
        );
      }
      context.errors.push(collectionError({ ...error.detail, message: `the account listing stopped after ${pages} page(s), ${accountsRead} account(s) read; accounts after them were not scanned` }));
      return;
    }
    pages++;
    accountsRead += page.accounts.length;
    onPage(page.accounts);
    token = page.next;
    if (token !== undefined && seenTokens.has(token)) {
      context.errors.push(
        collectionError({
          action: 'organizations:ListAccounts',
          code: MALFORMED_RESPONSE,
          ...target,
          message: `the service returned the same pagination token twice; the account listing stopped after ${pages} page(s) and accounts after them were not scanned`,
        }),
      );
      return;
    }
    if (token !== undefined) seenTokens.add(token);
  } while (token !== undefined);
}

/** EC2 DescribeRegions (AllRegions) with each region's opt-in status, restricted to the requested regions. */
export async function readRegions(context: ScanContext, target: Target, requested: 'all' | readonly string[]): Promise<RegionInfo[] | CollectionError> {
  return factOf(context.gateway.read(target, 'ec2', new DescribeRegionsCommand({ AllRegions: true }), (output) => mapRegions(output.Regions ?? [], requested)));
}
