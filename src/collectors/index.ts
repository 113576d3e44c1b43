/**
 * Collection: AWS APIs -> Snapshot (SPEC §1), across an organization and every enabled region,
 * read-only and fail-closed. The only code that imports the AWS SDK lives under this folder.
 *
 * Order of work: identify the caller; read the organization while its accounts are listed down its
 * tree (ListAccountsForParent per root and OU, side by side; ListAccounts when the tree cannot be
 * walked), each page's accounts streamed into a bounded pool (per account: one AssumeRole, DescribeRegions, trail discovery, Lake
 * where it is kept); every trail found starts its owner-level reads (status, selectors, insights,
 * tags), and every trail configuration starts the reads of its bucket, key and log group, each
 * once per scan.
 */
import pLimit from 'p-limit';
import { AbortedError, UserError } from '../errors.js';
import {
  SNAPSHOT_SCHEMA_VERSION,
  isCollectionError,
  type Account,
  type Bucket,
  type CollectionError,
  type EventDataStore,
  type KmsKey,
  type LogGroup,
  type Organization,
  type Snapshot,
} from '../snapshot/schema.js';
import { TrailRegistry, collectEventDataStores, discoverAccountTrails } from './cloudtrail.js';
import type { ScanContext } from './context.js';
import { AccountAccess, configuredRegion, identifyCaller, type Caller } from './credentials.js';
import { AccountDirectory, type DirectoryEntry } from './directory.js';
import { collectionError } from './errors.js';
import { compareCollectionErrors, compareIdentity } from '../snapshot/merge.js';
import { AwsGateway } from './gateway.js';
import { collectKmsKey } from './kms.js';
import { LogGroupCollector } from './logs.js';
import { isActive, isEnabled, type OrganizationAccount } from './map/accounts.js';
import { ACCOUNT_LISTING_ACTIONS } from '../snapshot/errors.js';
import { releaseGarbage } from '../memory.js';
import { isAccountId, isRegionName } from './map/arn.js';
import type { TrailConfig } from './map/cloudtrail.js';
import { collectIamAuthorization } from './iam.js';
import { readOrganization, readOrganizationPaths, readRegions, readServiceControlPolicies, streamOrganizationAccounts, walkOrganizationAccounts, type OrganizationPaths } from './organizations.js';
import { silentProgress, type ProgressSink } from './progress.js';
import { BucketCollector } from './s3.js';
import { inShard, validateShard, type Shard } from './shard.js';
import { MAX_WINDOW_HOURS, MIN_WINDOW_HOURS, type VerifyIntegrityOptions } from './map/integrity.js';
import { verifyIntegrity } from './integrity.js';
import { TaskGroup } from './tasks.js';

export type { ProgressSink } from './progress.js';
export { permissionsPolicy } from './permissions.js';
export { parseIntegrityWindow, type VerifyIntegrityOptions } from './map/integrity.js';

export interface CollectOptions {
  /** Shared-config profile (SSO profiles included); default: the standard credential chain. */
  profile?: string;
  /** Discover accounts with AWS Organizations (run from the management or a delegated-admin account). */
  org: boolean;
  /** With `org`: only these accounts; without: exactly these accounts (default: the caller's). */
  accounts?: string[];
  /** Role assumed in every account other than the caller's. */
  roleName?: string;
  externalId?: string;
  regions: 'all' | string[];
  shard?: Shard;
  /** Accounts scanned at once (default 32; more is faster against slow endpoints and costs memory). */
  concurrency?: number;
  /** Most AWS requests in flight at once across the whole scan (default: bounded by the rate budgets only). */
  maxConcurrency?: number;
  /** How long one request may go unanswered before it is retried (default 20 s). */
  requestTimeoutMs?: number;
  /** Times a failing call is sent, the first included, before its fact is recorded as an error (default 6). */
  maxAttempts?: number;
  /** Read CloudTrail Lake in every account, not only the management and delegated-admin accounts. */
  lakeAllAccounts?: boolean;
  /** Verify the digest chains of the last `windowHours` (and, with `files`, hash the log files they name). */
  verifyIntegrity?: VerifyIntegrityOptions;
  signal?: AbortSignal;
  progress?: ProgressSink;
  now: () => Date;
}

/**
 * Measured on 1,000 accounts × 17 regions at 50 ms latency (bench/): 24 → 9.1 s, 32 → 8.3 s,
 * 48 → 8.1 s wall, with peak RSS 245, 249, 261 MB; past 32 the process is CPU-bound and more
 * calls in flight only hold more memory.
 */
const DEFAULT_CONCURRENCY = 32;

function validate(options: CollectOptions): void {
  if (options.shard) validateShard(options.shard);
  if (options.regions !== 'all') {
    if (options.regions.length === 0) throw new UserError('--regions lists no region');
    const bad = options.regions.filter((region) => !isRegionName(region));
    if (bad.length > 0) throw new UserError(`not region names: ${bad.join(', ')}`);
  }
  const badAccounts = (options.accounts ?? []).filter((id) => !isAccountId(id));
  if (badAccounts.length > 0) throw new UserError(`account ids are 12 digits; not: ${badAccounts.join(', ')}`);
  if (options.concurrency !== undefined && (!Number.isInteger(options.concurrency) || options.concurrency < 1)) {
    throw new UserError(`concurrency must be a positive integer, not ${options.concurrency}`);
  }
  if (options.maxConcurrency !== undefined && (!Number.isInteger(options.maxConcurrency) || options.maxConcurrency < 1)) {
    throw new UserError(`max-concurrency must be a positive integer, not ${options.maxConcurrency}`);
  }
  if (options.requestTimeoutMs !== undefined && !(options.requestTimeoutMs > 0)) {
    throw new UserError(`the request timeout must be a positive number of milliseconds, not ${options.requestTimeoutMs}`);
  }
  if (options.maxAttempts !== undefined && (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1)) {
    throw new UserError(`attempts per call must be a positive integer, not ${options.maxAttempts}`);
  }
  const window = options.verifyIntegrity?.windowHours;
  if (window !== undefined && (!Number.isInteger(window) || window < MIN_WINDOW_HOURS || window > MAX_WINDOW_HOURS)) {
    throw new UserError(`the integrity window must be a whole number of hours from ${MIN_WINDOW_HOURS} to ${MAX_WINDOW_HOURS}, not ${window}`);
  }
}

/** The region of an account's partition-wide calls: the control region unless the scan excludes it. */
function primaryRegionOf(caller: Caller, regions: 'all' | string[]): string {
  return regions === 'all' || regions.includes(caller.controlRegion) ? caller.controlRegion : (regions[0] ?? caller.controlRegion);
}

export async function collectSnapshot(options: CollectOptions): Promise<Snapshot> {
  validate(options);
  if (options.signal?.aborted) throw new AbortedError();
  const scanTime = options.now().toISOString();
  const progress = options.progress ?? silentProgress;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const gateway = new AwsGateway({
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    maxSockets: Math.max(64, concurrency * 4),
    ...(options.maxConcurrency !== undefined ? { maxInFlight: options.maxConcurrency } : {}),
  });
  try {
    const region = await configuredRegion(options.profile);
    const caller = await identifyCaller(gateway, { ...(options.profile ? { profile: options.profile } : {}), ...(region ? { region } : {}) });
    const directory = new AccountDirectory(new Set([caller.accountId]));
    const context: ScanContext = {
      gateway,
      access: new AccountAccess(gateway, caller, { ...(options.roleName ? { name: options.roleName } : {}), ...(options.externalId ? { externalId: options.externalId } : {}) }),
      caller,
      directory,
      progress,
      tasks: new TaskGroup(),
      errors: [],
    };
    return await new Scan(context, options).run(scanTime);
  } finally {
    // Work still waiting (after an abort) fails on its next call; nothing is sent once this returns.
    gateway.destroy();
    releaseCollectionGarbage();
  }
}

/**
 * Thousands of SDK calls leave tens of megabytes of promoted garbage behind: released where the
 * collection ends, before evaluation's allocations would grow the heap over it (1,000 accounts:
 * ~300 MB peak RSS without this, ~250 MB with it; one full collection here costs ~30 ms).
 */
function releaseCollectionGarbage(): void {
  releaseGarbage();
}

/** One collection run: the per-account pool and the owner-level resources it discovers. */
class Scan {
  private readonly buckets: BucketCollector;
  private readonly logGroups: LogGroupCollector;
  private readonly bucketResults = new Map<string, Promise<Bucket>>();
  private readonly keyResults = new Map<string, Promise<KmsKey | undefined>>();
  private readonly logGroupResults = new Map<string, Promise<LogGroup | undefined>>();
  private readonly registry: TrailRegistry;
  private readonly accounts: Account[] = [];
  private readonly eventDataStores = new Map<string, EventDataStore>();
  private readonly accountTasks = new TaskGroup();
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly primaryRegion: string;
  /** Where Lake event data stores are read: known once the organization is (its delegated administrators). */
  private lakeAccounts: Promise<ReadonlySet<string> | 'all'> = Promise.resolve('all');
  private readonly considered = new Set<string>();
  private scheduled = 0;
  /** Read once per scan, from the caller, while the accounts are scanned. */
  private serviceControlPolicies: Promise<Organization['serviceControlPolicies']> | undefined;
  private organizationPaths: Promise<OrganizationPaths | CollectionError> | undefined;

  constructor(
    private readonly context: ScanContext,
    private readonly options: CollectOptions,
  ) {
    this.buckets = new BucketCollector(context);
    this.logGroups = new LogGroupCollector(context);
    this.registry = new TrailRegistry(context, (config) => this.collectResourcesOf(config));
    this.limit = pLimit(options.concurrency ?? DEFAULT_CONCURRENCY);
    this.primaryRegion = primaryRegionOf(context.caller, options.regions);
  }

  async run(scanTime: string): Promise<Snapshot> {
    const { context, options } = this;
    // The organization is read while its accounts are listed: only an account's Lake reads wait for it.
    const organizationRead = options.org ? readOrganization(context) : Promise.resolve(null);
    // Observed here; awaited below, after the listing (which may end the scan first).
    organizationRead.catch(() => undefined);
    this.lakeAccounts = organizationRead.then((organization) => this.lakeAccountsOf(organization));
    this.lakeAccounts.catch(() => undefined);
    const walked = options.org ? await this.streamOrganization() : undefined;
    const organization = await organizationRead;
    // After the listing, which the Organizations budget paces: a handful of calls while accounts are scanned.
    if (organization !== null && !isCollectionError(organization)) {
      this.serviceControlPolicies = context.tasks.spawn(() => readServiceControlPolicies(context));
      // The walk named every account's place as it listed it; a ListAccounts listing needs the tree walked for paths.
      this.organizationPaths = walked ? Promise.resolve(walked) : context.tasks.spawn(() => readOrganizationPaths(context));
    }
    else for (const id of options.accounts ?? [context.caller.accountId]) this.consider({ id });
    context.directory.complete();
    context.progress.accountsFound(this.scheduled, true);

    await this.accountTasks.settle();
    context.progress.stage('trail details, buckets, keys and log groups');
    await context.tasks.settle();

    const assembled = await this.assemble(scanTime, organization);
    const snapshot = options.verifyIntegrity ? await verifyIntegrity(context, assembled, options.verifyIntegrity, new Date(scanTime)) : assembled;
    context.progress.done({ accounts: snapshot.accounts.length, errors: countErrors(snapshot), apiCalls: context.gateway.callCount });
    return snapshot;
  }

  /**
   * Lists the organization's accounts, scanning each as its page arrives: down the organization's
   * tree (which also gives each account's place in it, returned), or with ListAccounts when the
   * tree cannot be walked.
   */
  private async streamOrganization(): Promise<OrganizationPaths | undefined> {
    const wanted = this.options.accounts ? new Set(this.options.accounts) : undefined;
    const seen = new Set<string>();
    const onPage = (page: readonly OrganizationAccount[]) => {
      for (const account of page) {
        seen.add(account.id);
        if (wanted !== undefined && !wanted.has(account.id)) continue;
        if (!isActive(account)) {
          this.context.progress.accountSkipped(account.id, `account is ${account.state}`);
          continue;
        }
        this.consider({ id: account.id, ...(account.name !== undefined ? { name: account.name } : {}) });
      }
    };
    const errorsBefore = this.context.errors.length;
    const walked = await walkOrganizationAccounts(this.context, onPage);
    if (walked === undefined) await streamOrganizationAccounts(this.context, onPage);
    // An account the listing did not name is "not in the organization" only if the listing was whole;
    // otherwise it may sit where the listing failed, which the snapshot already records as a gap.
    const listingComplete = !this.context.errors.slice(errorsBefore).some((error) => ACCOUNT_LISTING_ACTIONS.has(error.$error.action));
    for (const id of wanted ?? []) {
      if (seen.has(id) || !listingComplete) continue;
      this.context.progress.accountSkipped(id, 'not an account of the organization');
      this.context.errors.push(collectionError({ action: 'organizations:ListAccounts', code: 'AccountNotInOrganization', accountId: id, message: `account ${id} was requested but is not in the organization` }));
    }
    return walked;
  }

  /** An account of the scan: readable by owner-level work, and scanned here when it is in this shard. */
  private consider(entry: DirectoryEntry): void {
    if (this.considered.has(entry.id)) return;
    this.considered.add(entry.id);
    this.context.directory.add(entry);
    if (!inShard(entry.id, this.options.shard)) return;
    this.scheduled++;
    this.context.progress.accountsFound(this.scheduled, false);
    void this.accountTasks.spawn(async () => {
      const account = await this.limit(() => this.scanAccount(entry));
      this.accounts.push(account);
      this.context.progress.accountDone(entry.id, countErrors(account));
    });
  }

  private async scanAccount(entry: DirectoryEntry): Promise<Account> {
    const { context, options } = this;
    const id = entry.id;
    const named = entry.name !== undefined ? { name: entry.name } : {};
    const opened = await context.access.open(id);
    if (!opened.ok) {
      const error = collectionError(opened.error);
      context.errors.push(error);
      return { id, ...named, regions: error, trailArns: error, publicAccessBlock: error, iam: error };
    }
    const iamRead = collectIamAuthorization(context, id);
    // Observed here; awaited below with the other reads of the account.
    iamRead.catch(() => undefined);
    const regionsRead = readRegions(context, { accountId: id, region: this.primaryRegion }, options.regions);
    const scannedRegions = regionsRead.then((regions): ReadonlySet<string> | undefined => {
      if (!isCollectionError(regions)) return new Set(regions.filter(isEnabled).map((region) => region.name));
      return options.regions === 'all' ? undefined : new Set(options.regions);
    });
    // Observed here; a failure surfaces through regionsRead, awaited below.
    scannedRegions.catch(() => undefined);
    const [regions, trailArns] = await Promise.all([regionsRead, discoverAccountTrails(context, this.registry, id, this.primaryRegion, scannedRegions)]);
    const account: Account = {
      id,
      ...named,
      regions,
      trailArns,
      // publicAccessBlock is read only in accounts that own a trail bucket (added below).
      iam: await iamRead,
    };
    const lakeAccounts = await this.lakeAccounts;
    if (lakeAccounts === 'all' || lakeAccounts.has(id)) {
      const lakeRegions = await scannedRegions;
      if (lakeRegions === undefined) {
        account.eventDataStoreArns = isCollectionError(regions) ? regions : [];
      } else {
        const lake = await collectEventDataStores(context, id, [...lakeRegions].sort());
        account.eventDataStoreArns = lake.arns;
        for (const store of lake.stores) this.eventDataStores.set(store.arn, store);
      }
    }
    return account;
  }

  /**
   * Lake is read where organizations keep it (management and CloudTrail delegated-admin accounts),
   * so a member account costs no Lake calls; `lakeAllAccounts` reads it everywhere.
   */
  private lakeAccountsOf(organization: Organization | CollectionError | null): ReadonlySet<string> | 'all' {
    if (this.options.lakeAllAccounts || organization === null) return 'all';
    if (isCollectionError(organization)) return new Set([this.context.caller.accountId]);
    const admins = isCollectionError(organization.cloudTrailDelegatedAdministrators) ? [] : organization.cloudTrailDelegatedAdministrators;
    return new Set([organization.managementAccountId, ...admins]);
  }

  private collectResourcesOf(config: TrailConfig): void {
    const { tasks } = this.context;
    const bucket = config.s3BucketName;
    if (bucket !== undefined && !this.bucketResults.has(bucket)) {
      this.bucketResults.set(bucket, tasks.spawn(() => this.buckets.collect(bucket, config.ownerAccountId)));
    }
    const key = config.kmsKeyId;
    if (key !== undefined && !this.keyResults.has(key)) this.keyResults.set(key, tasks.spawn(() => collectKmsKey(this.context, key)));
    const logGroup = config.cloudWatchLogsLogGroupArn;
    if (logGroup !== undefined && !this.logGroupResults.has(logGroup)) {
      this.logGroupResults.set(logGroup, tasks.spawn(() => this.logGroups.collect(logGroup)));
    }
  }

  private async assemble(scanTime: string, organization: Organization | CollectionError | null): Promise<Snapshot> {
    const { context } = this;
    const [trails, buckets, kmsKeys, logGroups, snsTopics, blocks, serviceControlPolicies, paths] = await Promise.all([
      this.registry.trails(),
      Promise.all(this.bucketResults.values()),
      Promise.all(this.keyResults.values()),
      Promise.all(this.logGroupResults.values()),
      this.logGroups.topics.snsTopics(),
      this.buckets.accountPublicAccessBlocks(),
      this.serviceControlPolicies,
      this.organizationPaths,
    ]);
    const pathOf = (id: string): Account['organizationPath'] => {
      if (paths === undefined) return undefined;
      if (isCollectionError(paths)) return paths;
      return (
        paths.paths.get(id) ??
        paths.underRoot ??
        collectionError({ action: 'organizations:ListAccountsForParent', code: 'AccountNotInOrganizationTree', accountId: context.caller.accountId, message: `account ${id} was not found under any OU or root` })
      );
    };
    const accounts = this.accounts
      .map((account) => {
        const block = blocks.get(account.id);
        const organizationPath = pathOf(account.id);
        return { ...account, ...(block === undefined ? {} : { publicAccessBlock: block }), ...(organizationPath === undefined ? {} : { organizationPath }) };
      })
      .sort((a, b) => compareIdentity(a.id, b.id));
    return {
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      scanTime,
      partition: context.caller.partition,
      callerAccountId: context.caller.accountId,
      ...(this.options.shard ? { shard: { index: this.options.shard.index, count: this.options.shard.count } } : {}),
      organization: serviceControlPolicies !== undefined && organization !== null && !isCollectionError(organization) ? { ...organization, serviceControlPolicies } : organization,
      accounts,
      trails,
      buckets: buckets.sort((a, b) => compareIdentity(a.name, b.name)),
      kmsKeys: present(kmsKeys).sort((a, b) => compareIdentity(a.arn, b.arn)),
      logGroups: present(logGroups).sort((a, b) => compareIdentity(a.arn, b.arn)),
      snsTopics,
      eventDataStores: [...this.eventDataStores.values()].sort((a, b) => compareIdentity(a.arn, b.arn)),
      errors: [...context.errors].sort(compareCollectionErrors),
    };
  }
}

function present<T>(values: ReadonlyArray<T | undefined>): T[] {
  return values.filter((value): value is T => value !== undefined);
}


/** Facts recorded as errors anywhere in a value. */
function countErrors(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + countErrors(item), 0);
  if (typeof value !== 'object' || value === null) return 0;
  if (isCollectionError(value)) return 1;
  return Object.values(value).reduce((sum: number, item) => sum + countErrors(item), 0);
}
