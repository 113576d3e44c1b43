/**
 * Trail buckets, each read once per scan in the account that owns it, and the account-level Block
 * Public Access of those owners.
 *
 * S3 names no owner account, so the owner is found among the scanned accounts: GetBucketLocation
 * with ExpectedBucketOwner, signed by the candidate itself, answers only the owner (403 to any other
 * account, 404 when the bucket does not exist) and names the bucket's region from any endpoint, so
 * no call is ever redirected. Candidates go likeliest first: the account that already owns most
 * trail buckets, account ids written in the bucket name and the trail's owner; then accounts whose
 * names suggest a log archive (those listed so far, then the rest); then every other account. A
 * typical organization (buckets in the log-archive account) costs one probe per bucket.
 */
import {
  GetBucketAclCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import type { Bucket, CollectionError, PublicAccessBlock } from '../snapshot/schema.js';
import { isCollectionError } from '../snapshot/schema.js';
import { factOf, type ScanContext } from './context.js';
import { ACCOUNT_NOT_ACCESSIBLE, AwsCallError, NO_SUCH_BUCKET, OWNER_NOT_IN_SCAN, collectionError } from './errors.js';
import type { AccountDirectory } from './directory.js';
import type { OutputOf, SdkCommand, Target } from './gateway.js';
import { accountIdsInName } from './map/arn.js';
import {
  mapAcl,
  mapBucketPolicy,
  mapLifecycleRules,
  mapLogging,
  mapObjectLock,
  mapOwnershipControls,
  mapPolicyStatus,
  mapPublicAccessBlock,
  mapVersioning,
  regionOfLocationConstraint,
} from './map/s3.js';

/** Account names that suggest a log archive; those accounts are asked before the others. */
const LOG_ACCOUNT_HINT = /log|archive|audit|secur|trail/i;
/** Probes at once while sweeping the remaining accounts. */
const SWEEP_WIDTH = 8;

/** What one HeadBucket probe says about the bucket and the probing account. */
type Probe = { kind: 'owner'; region: string } | { kind: 'missing' } | { kind: 'denied' } | { kind: 'unopened' } | { kind: 'failed'; error: CollectionError };

interface Unowned {
  /** false when S3 answered 404; an error when no probe could tell. */
  exists: boolean | CollectionError;
  /** An account id written in the bucket name that the scan could not ask: where to evaluate instead. */
  namedOwner?: { accountId: string; code: string; why: string };
  /** Accounts that answered a probe. */
  asked: number;
  /**
   * A probe that got no answer (network error, timeout, throttling beyond retries): the owner may be
   * the account that could not be asked, so "owned by none of the scanned accounts" is unproven.
   */
  failed?: { error: CollectionError; accounts: number };
}

/** Facts of a bucket that exist only when its owner is known; they share one error otherwise. */
const OWNER_FACTS = {
  policy: 's3:GetBucketPolicy',
  policyStatusIsPublic: 's3:GetBucketPolicyStatus',
  acl: 's3:GetBucketAcl',
  objectOwnership: 's3:GetBucketOwnershipControls',
  publicAccessBlock: 's3:GetBucketPublicAccessBlock',
  versioning: 's3:GetBucketVersioning',
  objectLock: 's3:GetBucketObjectLockConfiguration',
  lifecycleRules: 's3:GetLifecycleConfiguration',
  logging: 's3:GetBucketLogging',
} as const;

interface Owner {
  ownerAccountId: string;
  region: string;
}

/** One search for a bucket's owner: which accounts were asked, and what their answers prove. */
class OwnerSearch {
  readonly probed = new Set<string>();
  private readonly unopened = new Set<string>();
  private asked = 0;
  private denied = false;
  private failure: CollectionError | undefined;
  private failedAccounts = 0;
  missing = false;

  constructor(private readonly probe: (accountId: string) => Promise<Probe>) {}

  /**
   * Probes the accounts `width` at a time; stops at the owner, or as soon as S3 says there is no
   * bucket. The likeliest owners go one by one, so the usual search costs a single probe.
   */
  async among(accountIds: readonly string[], width = 1): Promise<Owner | undefined> {
    for (let start = 0; start < accountIds.length && !this.missing; start += width) {
      const batch = accountIds.slice(start, start + width);
      batch.forEach((accountId) => this.probed.add(accountId));
      const probes = await Promise.all(batch.map(this.probe));
      for (const [index, probe] of probes.entries()) {
        const accountId = batch[index] ?? '';
        if (probe.kind === 'owner') return { ownerAccountId: accountId, region: probe.region };
        if (probe.kind === 'unopened') this.unopened.add(accountId);
        else if (probe.kind === 'failed') this.failedAccounts++;
        else this.asked++;
        if (probe.kind === 'missing') this.missing = true;
        if (probe.kind === 'denied') this.denied = true;
        if (probe.kind === 'failed') this.failure ??= probe.error;
      }
    }
    return undefined;
  }

  unowned(name: string, namedAccounts: readonly string[], directory: AccountDirectory): Unowned {
    const namedOwner = namedAccounts
      .map((accountId) =>
        !directory.has(accountId) ? { accountId, code: OWNER_NOT_IN_SCAN, why: 'which is not in the scan' }
        : this.unopened.has(accountId) ? { accountId, code: ACCOUNT_NOT_ACCESSIBLE, why: 'which could not be opened' }
        : undefined,
      )
      .find((candidate) => candidate !== undefined);
    // S3 answers 404 before it checks the owner, so any 403 proves the bucket exists.
    const exists =
      this.missing ? false
      : this.denied ? true
      : (this.failure ?? collectionError({ action: 's3:GetBucketLocation', code: OWNER_NOT_IN_SCAN, message: `no scanned account could be asked about bucket ${name}` }));
    return {
      exists,
      ...(namedOwner ? { namedOwner } : {}),
      asked: this.asked,
      ...(this.failure ? { failed: { error: this.failure, accounts: this.failedAccounts } } : {}),
    };
  }
}

export class BucketCollector {
  private readonly accountBlocks = new Map<string, Promise<PublicAccessBlock | null | CollectionError>>();
  private readonly targetRegions = new Map<string, Promise<string | CollectionError>>();
  /** Trail buckets found per owner account, to ask the usual owner first. */
  private readonly bucketsOwned = new Map<string, number>();

  constructor(private readonly context: ScanContext) {}

  /** Account-level Block Public Access of every account found to own a trail bucket. */
  async accountPublicAccessBlocks(): Promise<Map<string, PublicAccessBlock | null | CollectionError>> {
    const entries = await Promise.all([...this.accountBlocks].map(async ([accountId, fact]) => [accountId, await fact] as const));
    return new Map(entries);
  }

  async collect(name: string, trailOwner: string): Promise<Bucket> {
    const found = await this.findOwner(name, trailOwner);
    if ('ownerAccountId' in found) return this.readOwnedBucket(name, found);
    return this.unownedBucket(name, found);
  }

  private async findOwner(name: string, trailOwner: string): Promise<Owner | Unowned> {
    const { directory } = this.context;
    const search = new OwnerSearch((accountId) => this.probe(name, accountId));
    const named = accountIdsInName(name);
    const likely: string[] = [];
    for (const accountId of [...this.usualOwners(), ...named, trailOwner]) {
      if (!likely.includes(accountId) && (await directory.includes(accountId))) likely.push(accountId);
    }
    const found = (await search.among(likely)) ?? (await this.searchTheRest(search));
    if (found === undefined) return search.unowned(name, named, directory);
    this.bucketsOwned.set(found.ownerAccountId, (this.bucketsOwned.get(found.ownerAccountId) ?? 0) + 1);
    return found;
  }

  /**
   * Accounts that look like a log archive, those listed so far first (they usually come early, and
   * the bucket's reads need not wait for the whole listing); then every other account.
   */
  private async searchTheRest(search: OwnerSearch): Promise<Owner | undefined> {
    if (search.missing) return undefined;
    const { directory } = this.context;
    const looksLikeLogArchive = (accountId: string) => LOG_ACCOUNT_HINT.test(directory.get(accountId)?.name ?? '');
    const unprobed = () => directory.ids().filter((accountId) => !search.probed.has(accountId)).sort();
    const early = await search.among(unprobed().filter(looksLikeLogArchive));
    if (early !== undefined || search.missing) return early;
    await directory.whenComplete();
    return (await search.among(unprobed().filter(looksLikeLogArchive))) ?? (await search.among(unprobed(), SWEEP_WIDTH));
  }

  /**
   * The account that already owns more trail buckets than any other, once it owns two: an
   * organization keeps its trail buckets in one log archive, whatever their names say.
   */
  private usualOwners(): string[] {
    let best: [string, number] | undefined;
    for (const entry of this.bucketsOwned) if (entry[1] >= 2 && (best === undefined || entry[1] > best[1])) best = entry;
    return best === undefined ? [] : [best[0]];
  }

  /** GetBucketLocation with ExpectedBucketOwner, signed by the candidate owner. */
  private async probe(name: string, accountId: string): Promise<Probe> {
    const { access, caller, gateway } = this.context;
    if (!(await access.open(accountId)).ok) return { kind: 'unopened' };
    try {
      const target: Target = { accountId, region: caller.controlRegion };
      const region = await gateway.read(target, 's3', new GetBucketLocationCommand({ Bucket: name, ExpectedBucketOwner: accountId }), regionOfLocationConstraint);
      return { kind: 'owner', region };
    } catch (error) {
      if (!(error instanceof AwsCallError)) throw error;
      const code = error.detail.code;
      if (code === 'NotFound' || code === NO_SUCH_BUCKET) return { kind: 'missing' };
      if (code === 'AccessDenied' || code === 'Forbidden') return { kind: 'denied' };
      return { kind: 'failed', error: collectionError(error.detail) };
    }
  }

  private unownedBucket(name: string, found: Unowned): Bucket {
    const missing = found.exists === false;
    const named = found.namedOwner;
    const failed = found.failed?.error.$error;
    const reason =
      missing ? { code: NO_SUCH_BUCKET, message: `bucket ${name} does not exist` }
      : failed ? {
          // The call that failed is the cause: its code, where it failed, and how far the search got.
          code: failed.code,
          ...(failed.accountId !== undefined ? { accountId: failed.accountId } : {}),
          ...(failed.region !== undefined ? { region: failed.region } : {}),
          message: `the owner of bucket ${name} could not be determined: s3:GetBucketLocation failed with ${failed.code} for ${found.failed!.accounts} account(s)${found.asked > 0 ? ` and ${found.asked} other(s) answered that they do not own it` : ''}${failed.message ? ` (${failed.message})` : ''}`,
        }
      : named ? { code: named.code, accountId: named.accountId, message: `bucket ${name} names account ${named.accountId}, ${named.why}; evaluate in account ${named.accountId}` }
      : { code: OWNER_NOT_IN_SCAN, message: `bucket ${name} is owned by none of the ${found.asked} scanned account(s) asked` };
    const error = (action: string): CollectionError => collectionError({ action, ...reason });
    const facts = Object.fromEntries(Object.entries(OWNER_FACTS).map(([fact, action]) => [fact, error(action)])) as Record<keyof typeof OWNER_FACTS, CollectionError>;
    return { name, ownerAccountId: error('s3:GetBucketLocation'), region: error('s3:GetBucketLocation'), exists: found.exists, ...facts };
  }

  private async readOwnedBucket(name: string, { ownerAccountId, region }: Owner): Promise<Bucket> {
    const { gateway } = this.context;
    const target: Target = { accountId: ownerAccountId, region };
    const s3 = <C extends SdkCommand, T>(command: C, map: (output: OutputOf<C>) => T) => gateway.read(target, 's3', command, map);
    this.accountBlock(ownerAccountId);

    const [policy, policyStatusIsPublic, acl, objectOwnership, publicAccessBlock, versioning, objectLock, lifecycleRules, logging] = await Promise.all([
      factOf(s3(new GetBucketPolicyCommand({ Bucket: name }), mapBucketPolicy), { codes: ['NoSuchBucketPolicy'], value: null }),
      factOf(s3(new GetBucketPolicyStatusCommand({ Bucket: name }), mapPolicyStatus), { codes: ['NoSuchBucketPolicy'], value: null }),
      factOf(s3(new GetBucketAclCommand({ Bucket: name }), mapAcl)),
      factOf(s3(new GetBucketOwnershipControlsCommand({ Bucket: name }), mapOwnershipControls), { codes: ['OwnershipControlsNotFoundError'], value: null }),
      factOf(s3(new GetPublicAccessBlockCommand({ Bucket: name }), mapPublicAccessBlock), { codes: ['NoSuchPublicAccessBlockConfiguration'], value: null }),
      factOf(s3(new GetBucketVersioningCommand({ Bucket: name }), mapVersioning)),
      factOf(s3(new GetObjectLockConfigurationCommand({ Bucket: name }), mapObjectLock), { codes: ['ObjectLockConfigurationNotFoundError'], value: { enabled: false } }),
      factOf(s3(new GetBucketLifecycleConfigurationCommand({ Bucket: name }), mapLifecycleRules), { codes: ['NoSuchLifecycleConfiguration'], value: [] }),
      factOf(s3(new GetBucketLoggingCommand({ Bucket: name }), mapLogging)),
    ]);
    const bucket: Bucket = {
      name,
      ownerAccountId,
      region,
      exists: true,
      policy,
      policyStatusIsPublic,
      acl,
      objectOwnership,
      publicAccessBlock,
      versioning,
      objectLock,
      lifecycleRules,
      logging,
    };
    if (!isCollectionError(logging) && logging !== null) {
      bucket.loggingTargetRegion = logging.targetBucket === name ? region : await this.regionOf(logging.targetBucket, ownerAccountId);
    }
    return bucket;
  }

  /**
   * Region of an access-log target bucket, asked as the owner (GetBucketLocation answers from any
   * region); trail buckets usually share one target, so it is asked once.
   */
  private regionOf(name: string, ownerAccountId: string): Promise<string | CollectionError> {
    const key = `${ownerAccountId}|${name}`;
    let region = this.targetRegions.get(key);
    if (region === undefined) {
      const target: Target = { accountId: ownerAccountId, region: this.context.caller.controlRegion };
      region = factOf(this.context.gateway.read(target, 's3', new GetBucketLocationCommand({ Bucket: name }), regionOfLocationConstraint));
      this.targetRegions.set(key, region);
    }
    return region;
  }

  private accountBlock(accountId: string): void {
    if (this.accountBlocks.has(accountId)) return;
    const target: Target = { accountId, region: this.context.caller.controlRegion };
    const command = new GetAccountPublicAccessBlockCommand({ AccountId: accountId });
    this.accountBlocks.set(
      accountId,
      this.context.tasks.spawn(() =>
        factOf(this.context.gateway.read(target, 's3control', command, mapPublicAccessBlock), { codes: ['NoSuchPublicAccessBlockConfiguration'], value: null }),
      ),
    );
  }
}
