/**
 * Accounts and their regions: the organization, its CloudTrail delegated administrators and its
 * accounts as their pages arrive, walking the organization's tree (or with ListAccounts), and each
 * account's regions (EC2).
 */
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListDelegatedAdministratorsCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
} from '@aws-sdk/client-organizations';
import { UserError } from '../errors.js';
import { isCollectionError, type CollectionError, type Organization, type RegionInfo, type ServiceControlPolicy } from '../snapshot/schema.js';
import { factOf, type ScanContext } from './context.js';
import { AwsCallError, MALFORMED_RESPONSE, collectionError } from './errors.js';
import type { Target } from './gateway.js';
import {
  mapDelegatedAdministrators,
  mapOrganization,
  mapOrganizationAccount,
  mapPolicyContent,
  mapPolicySummary,
  mapPolicyTarget,
  mapRegions,
  type OrganizationAccount,
} from './map/accounts.js';
import { required } from './map/common.js';

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
      page = await context.gateway.read(target, 'organizations', new ListAccountsCommand(token ? { NextToken: token } : {}), accountsPageOf);
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

/** Organizations nest OUs at most five deep under the root; the bound also guards against a cyclic answer. */
const MAX_TREE_DEPTH = 6;

/**
 * The organization's accounts, walked down its tree: ListRoots, then for every parent, at once,
 * ListAccountsForParent (each page handed to `onPage` with the parent's path as it arrives) and
 * ListOrganizationalUnitsForParent (each OU found is walked in turn). Every account is named once,
 * with its place in the tree, so paths cost no second listing; the OUs of a wide tree are listed
 * side by side, within the Organizations rate budget, instead of one ListAccounts chain.
 *
 * Returns the paths of the accounts it named, or `undefined` when the walk could not start (the
 * roots, or the root's first page of accounts or of OUs, unreadable, say a role allowed
 * ListAccounts only): nothing was handed to `onPage` then, and the caller lists with ListAccounts.
 * A failure further down is recorded (the accounts under that parent, or below it, are unknown and
 * the snapshot says so), as is an OU reached twice or deeper than Organizations allows.
 */
export async function walkOrganizationAccounts(context: ScanContext, onPage: (accounts: OrganizationAccount[], path: string[]) => void): Promise<OrganizationPaths | undefined> {
  const target = callerTarget(context);
  const gateway = context.gateway;
  const paths = new Map<string, string[]>();
  const visited = new Set<string>();
  let roots: string[];
  try {
    roots = await readRoots(context);
  } catch (error) {
    if (error instanceof AwsCallError) return undefined;
    throw error;
  }
  const listed = (accounts: OrganizationAccount[], path: string[]) => {
    for (const account of accounts) paths.set(account.id, path);
    onPage(accounts, path);
  };
  const gap = (error: AwsCallError, parentId: string, what: string) =>
    context.errors.push(collectionError({ ...error.detail, message: `${what} of ${parentId} could not be listed (${error.detail.message ?? error.detail.code}); accounts there were not scanned` }));

  /** The first pages of one parent: its accounts and its OUs, read together. */
  const firstPages = (parentId: string) =>
    Promise.all([
      gateway.read(target, 'organizations', new ListAccountsForParentCommand({ ParentId: parentId }), accountsPageOf),
      gateway.read(target, 'organizations', new ListOrganizationalUnitsForParentCommand({ ParentId: parentId }), (output) => ({ units: unitIdsOf(output), next: nonEmptyToken(output.NextToken) })),
    ]);

  /** The rest of one parent: the pages after the first, and each OU under it, walked. */
  const walkRest = async (parentId: string, path: string[], first: Awaited<ReturnType<typeof firstPages>>): Promise<void> => {
    const [accountsPage, unitsPage] = first;
    listed(accountsPage.accounts, path);
    const moreAccounts = accountsPage.next === undefined ? Promise.resolve() : streamParentPages(parentId, path, accountsPage.next);
    const subtrees = (async () => {
      let units = unitsPage.units;
      if (unitsPage.next !== undefined) {
        try {
          units = [...units, ...(await restOfUnits(parentId, unitsPage.next))];
        } catch (error) {
          if (!(error instanceof AwsCallError)) throw error;
          gap(error, parentId, 'some OUs');
        }
      }
      await Promise.all(units.map((unit) => walkUnit(unit, [...path, unit])));
    })();
    await Promise.all([moreAccounts, subtrees]);
  };

  const walkUnit = async (unitId: string, path: string[]): Promise<void> => {
    if (visited.has(unitId) || path.length > MAX_TREE_DEPTH) {
      context.errors.push(
        collectionError({ action: 'organizations:ListOrganizationalUnitsForParent', code: MALFORMED_RESPONSE, ...target, message: `OU ${unitId} was reached twice or deeper than Organizations nests OUs (${path.join('/')}); it was not walked` }),
      );
      return;
    }
    visited.add(unitId);
    let first: Awaited<ReturnType<typeof firstPages>>;
    try {
      first = await firstPages(unitId);
    } catch (error) {
      if (!(error instanceof AwsCallError)) throw error;
      gap(error, unitId, 'the accounts and OUs');
      return;
    }
    await walkRest(unitId, path, first);
  };

  /** ListAccountsForParent from `token` on, each page handed over as it arrives. */
  const streamParentPages = async (parentId: string, path: string[], token: string): Promise<void> => {
    const seenTokens = new Set<string>([token]);
    let next: string | undefined = token;
    while (next !== undefined) {
      let page: { accounts: OrganizationAccount[]; next: string | undefined };
      try {
        page = await gateway.read(target, 'organizations', new ListAccountsForParentCommand({ ParentId: parentId, NextToken: next }), accountsPageOf);
      } catch (error) {
        if (!(error instanceof AwsCallError)) throw error;
        gap(error, parentId, 'some accounts');
        return;
      }
      listed(page.accounts, path);
      next = page.next;
      if (next !== undefined && seenTokens.has(next)) {
        context.errors.push(
          collectionError({ action: 'organizations:ListAccountsForParent', code: MALFORMED_RESPONSE, ...target, message: `the service returned the same pagination token twice listing the accounts of ${parentId}; accounts after it were not scanned` }),
        );
        return;
      }
      if (next !== undefined) seenTokens.add(next);
    }
  };

  const restOfUnits = (parentId: string, token: string): Promise<string[]> =>
    gateway.readPages(
      target,
      'organizations',
      (next) => new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, NextToken: next ?? token }),
      unitIdsOf,
      (output) => output.NextToken,
    );

  // The roots' first pages decide whether the walk can be used at all: until they are read,
  // nothing is handed over, so a role without these permissions falls back to ListAccounts whole.
  let rootPages: Awaited<ReturnType<typeof firstPages>>[];
  try {
    rootPages = await Promise.all(roots.map(firstPages));
  } catch (error) {
    if (error instanceof AwsCallError) return undefined;
    throw error;
  }
  for (const root of roots) visited.add(root);
  await Promise.all(roots.map((root, index) => walkRest(root, [root], rootPages[index]!)));
  return { paths };
}

function nonEmptyToken(token: string | undefined): string | undefined {
  return token === '' ? undefined : token;
}

/** A page of ListAccounts or ListAccountsForParent: its accounts and the token of the next (none for an empty one). */
function accountsPageOf(output: { Accounts?: Parameters<typeof mapOrganizationAccount>[0][] | undefined; NextToken?: string | undefined }): { accounts: OrganizationAccount[]; next: string | undefined } {
  return { accounts: (output.Accounts ?? []).map(mapOrganizationAccount), next: nonEmptyToken(output.NextToken) };
}

/** The OU ids of a ListOrganizationalUnitsForParent page. */
function unitIdsOf(output: { OrganizationalUnits?: { Id?: string | undefined }[] | undefined }): string[] {
  return (output.OrganizationalUnits ?? []).map((unit) => required(unit.Id, 'OrganizationalUnit.Id'));
}

/** The organization's roots (ListRoots, every page): one in every AWS organization. */
function readRoots(context: ScanContext): Promise<string[]> {
  return context.gateway.readPages(
    callerTarget(context),
    'organizations',
    (token) => new ListRootsCommand(token ? { NextToken: token } : {}),
    (output) => (output.Roots ?? []).map((root) => required(root.Id, 'Root.Id')),
    (output) => output.NextToken,
  );
}

/** EC2 DescribeRegions (AllRegions) with each region's opt-in status, restricted to the requested regions. */
export async function readRegions(context: ScanContext, target: Target, requested: 'all' | readonly string[]): Promise<RegionInfo[] | CollectionError> {
  return factOf(context.gateway.read(target, 'ec2', new DescribeRegionsCommand({ AllRegions: true }), (output) => mapRegions(output.Regions ?? [], requested)));
}

/**
 * The organization's service control policies with their content and targets: ListPolicies, then
 * DescribePolicy and ListTargetsForPolicy per policy (organizations hold a handful). From the
 * management account or a delegated administrator for Organizations policies.
 */
export async function readServiceControlPolicies(context: ScanContext): Promise<ServiceControlPolicy[] | CollectionError> {
  const target = callerTarget(context);
  const gateway = context.gateway;
  return factOf(
    (async () => {
      const summaries = await gateway.readPages(
        target,
        'organizations',
        (token) => new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY', ...(token ? { NextToken: token } : {}) }),
        (output) => (output.Policies ?? []).map(mapPolicySummary),
        (output) => output.NextToken,
      );
      return Promise.all(
        summaries.map(async (summary) => {
          const [document, targets] = await Promise.all([
            gateway.read(target, 'organizations', new DescribePolicyCommand({ PolicyId: summary.id }), (output) => mapPolicyContent(output, summary.id)),
            gateway.readPages(
              target,
              'organizations',
              (token) => new ListTargetsForPolicyCommand({ PolicyId: summary.id, ...(token ? { NextToken: token } : {}) }),
              (output) => (output.Targets ?? []).map(mapPolicyTarget),
              (output) => output.NextToken,
            ),
          ]);
          return { ...summary, document, targets };
        }),
      );
    })(),
    // SCPs switched off for the organization: no SCP applies anywhere, an observed fact.
    { codes: ['PolicyTypeNotEnabledException'], value: [] },
  );
}

/** Where accounts sit in the organization tree, as readOrganizationPaths found it. */
export interface OrganizationPaths {
  /** Accounts listed under an OU (and, in an organization of several roots, under a root), by id. */
  paths: Map<string, string[]>;
  /**
   * The path of every account of the organization that no OU holds: with a single root and every
   * OU's accounts listed, such an account sits directly under the root. Absent with several roots.
   */
  underRoot?: string[];
}

/**
 * Where every account sits in the organization tree, root first: ListRoots, then per parent
 * ListOrganizationalUnitsForParent and, per OU, ListAccountsForParent, level by level. Costs calls
 * per OU, not per account (a ListParents per account would cost one call for each of thousands).
 *
 * Used when the accounts were listed with ListAccounts (the tree could not be walked then; a walk
 * names every account's place as it lists it). The accounts directly under the root are not listed
 * again: ListAccounts has just named every
 * account of the organization, each sits under exactly one parent, so with one root (as AWS
 * organizations have) an account no OU holds is under the root. In an organization whose accounts
 * mostly sit under the root that halves the Organizations calls of a scan, and their rate budget
 * is what paces the listing of a large organization (issue 15).
 */
export async function readOrganizationPaths(context: ScanContext): Promise<OrganizationPaths | CollectionError> {
  const target = callerTarget(context);
  const gateway = context.gateway;
  return factOf(
    (async () => {
      const paths = new Map<string, string[]>();
      const roots = await readRoots(context);
      const singleRoot = roots.length === 1;
      let level = roots.map((id) => [id]);
      // Organizations nest OUs at most five deep; the bound guards against a cyclic answer.
      for (let depth = 0; level.length > 0 && depth <= 6; depth++) {
        const next = await Promise.all(
          level.map(async (path) => {
            const parentId = path[path.length - 1]!;
            const listAccounts = !(singleRoot && path.length === 1);
            const [units, accounts] = await Promise.all([
              gateway.readPages(
                target,
                'organizations',
                (token) => new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, ...(token ? { NextToken: token } : {}) }),
                unitIdsOf,
                (output) => output.NextToken,
              ),
              listAccounts
                ? gateway.readPages(
                    target,
                    'organizations',
                    (token) => new ListAccountsForParentCommand({ ParentId: parentId, ...(token ? { NextToken: token } : {}) }),
                    (output) => (output.Accounts ?? []).map((account) => mapOrganizationAccount(account).id),
                    (output) => output.NextToken,
                  )
                : [],
            ]);
            for (const accountId of accounts) paths.set(accountId, path);
            return units.map((unit) => [...path, unit]);
          }),
        );
        level = next.flat();
      }
      return singleRoot ? { paths, underRoot: [roots[0]!] } : { paths };
    })(),
  );
}
