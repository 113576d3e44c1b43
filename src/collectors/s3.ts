/**
 * Trail buckets, each read once per scan in the account that owns it, and the account-level Block
 * Public Access of those owners.
 *
 * S3 names no owner account, so the owner is found among the scanned accounts by their own
 * ListBuckets (one call per account, cached, each answer listing every bucket of that account with
 * its region). Candidates go cheapest first: account ids written in the bucket name and the trail's
 * owner; then, if HeadBucket shows the bucket exists at all, accounts whose names suggest logging;
 * then the rest. A typical organization (bucket in the log-archive account) costs one or two.
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
  HeadBucketCommand,
  ListBucketsCommand,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import type { Bucket, CollectionError, PublicAccessBlock } from '../snapshot/schema.js';
import { isCollectionError } from '../snapshot/schema.js';
import { factOf, type ScanContext } from './context.js';
import { AwsCallError, NO_SUCH_BUCKET, OWNER_NOT_IN_SCAN, collectionError } from './errors.js';
import type { OutputOf, SdkCommand, Target } from './gateway.js';
import { accountIdsInName } from './map/arn.js';
import {
  mapAcl,
  mapBucketListing,
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
/** ListBuckets calls at once while sweeping the remaining accounts. */
const SWEEP_WIDTH = 8;

type Listing = Map<string, string | undefined>;
type Existence = { exists: boolean | CollectionError; region?: string };

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

export class BucketCollector {
  private readonly listings = new Map<string, Promise<Listing | undefined>>();
  private readonly accountBlocks = new Map<string, Promise<PublicAccessBlock | null | CollectionError>>();

  constructor(private readonly context: ScanContext) {}

  /** Account-level Block Public Access of every account found to own a trail bucket. */
  async accountPublicAccessBlocks(): Promise<Map<string, PublicAccessBlock | null | CollectionError>> {
    const entries = await Promise.all([...this.accountBlocks].map(async ([accountId, fact]) => [accountId, await fact] as const));
    return new Map(entries);
  }

  async collect(name: string, trailOwner: string): Promise<Bucket> {
    const owner = await this.findOwner(name, trailOwner);
    if ('ownerAccountId' in owner) return this.readOwnedBucket(name, owner.ownerAccountId, owner.region);
    return this.unownedBucket(name, owner);
  }

  private async findOwner(
    name: string,
    trailOwner: string,
  ): Promise<{ ownerAccountId: string; region?: string } | (Existence & { namedOwner?: string; checked: number })> {
    const { directory } = this.context;
    const tried = new Set<string>();
    const owns = async (accountId: string): Promise<boolean> => {
      tried.add(accountId);
      return (await this.listing(accountId))?.has(name) === true;
    };
    const named = accountIdsInName(name);
    for (const accountId of [...named, trailOwner]) {
      if (tried.has(accountId) || !(await directory.includes(accountId))) continue;
      if (await owns(accountId)) return this.owned(accountId, name);
    }

    const existence = await this.headBucket(name, trailOwner);
    if (existence.exists === false) return { ...existence, checked: tried.size };

    await directory.whenComplete();
    const looksLikeLogArchive = (accountId: string) => LOG_ACCOUNT_HINT.test(directory.get(accountId)?.name ?? '');
    const remaining = directory
      .ids()
      .filter((accountId) => !tried.has(accountId))
      .sort((a, b) => Number(looksLikeLogArchive(b)) - Number(looksLikeLogArchive(a)) || a.localeCompare(b));
    for (let start = 0; start < remaining.length; start += SWEEP_WIDTH) {
      const batch = remaining.slice(start, start + SWEEP_WIDTH);
      const hits = await Promise.all(batch.map(owns));
      const index = hits.indexOf(true);
      if (index >= 0) return this.owned(batch[index] ?? '', name);
    }
    const namedOwner = named.find((accountId) => !directory.has(accountId));
    return { ...existence, ...(namedOwner ? { namedOwner } : {}), checked: tried.size };
  }

  private async owned(accountId: string, name: string): Promise<{ ownerAccountId: string; region?: string }> {
    const region = (await this.listing(accountId))?.get(name);
    return { ownerAccountId: accountId, ...(region ? { region } : {}) };
  }

  /** Every bucket of an account (ListBuckets, all pages), or undefined when it cannot be listed. */
  private listing(accountId: string): Promise<Listing | undefined> {
    let listing = this.listings.get(accountId);
    if (listing === undefined) {
      listing = (async () => {
        if (!(await this.context.access.open(accountId)).ok) return undefined;
        const target: Target = { accountId, region: this.context.caller.controlRegion };
        try {
          const buckets = await this.context.gateway.readPages(
            target,
            's3',
            (token) => new ListBucketsCommand(token ? { ContinuationToken: token } : {}),
            (output) => output.Buckets ?? [],
            (output) => output.ContinuationToken,
          );
          return mapBucketListing(buckets);
        } catch (error) {
          if (error instanceof AwsCallError) return undefined;
          throw error;
        }
      })();
      this.listings.set(accountId, listing);
    }
    return listing;
  }

  /**
   * HeadBucket from the trail owner's view (else the caller's): 404 means the bucket does not exist
   * (a real failure: delivery is broken and the name can be taken); 403 means it exists elsewhere.
   */
  private async headBucket(name: string, trailOwner: string): Promise<Existence> {
    const { access, caller, gateway } = this.context;
    const viewer = (await this.context.directory.includes(trailOwner)) && (await access.open(trailOwner)).ok ? trailOwner : caller.accountId;
    try {
      const output = await gateway.call({ accountId: viewer, region: caller.controlRegion }, 's3', new HeadBucketCommand({ Bucket: name }));
      return { exists: true, ...(output.BucketRegion ? { region: output.BucketRegion } : {}) };
    } catch (error) {
      if (!(error instanceof AwsCallError)) throw error;
      const code = error.detail.code;
      if (code === 'NotFound' || code === NO_SUCH_BUCKET) return { exists: false };
      if (code === 'AccessDenied' || code === 'Forbidden') return { exists: true };
      return { exists: collectionError(error.detail) };
    }
  }

  private unownedBucket(name: string, found: Existence & { namedOwner?: string; checked: number }): Bucket {
    const exists = found.exists;
    const missing = exists === false;
    const reason = missing
      ? { code: NO_SUCH_BUCKET, message: `bucket ${name} does not exist` }
      : {
          code: OWNER_NOT_IN_SCAN,
          message: found.namedOwner
            ? `bucket ${name} is not owned by a scanned account; evaluate in account ${found.namedOwner}`
            : `bucket ${name} is owned by none of the ${found.checked} scanned account(s) that could be listed`,
        };
    const error = (action: string): CollectionError =>
      collectionError({ action, ...reason, ...(found.namedOwner && !missing ? { accountId: found.namedOwner } : {}) });
    const facts = Object.fromEntries(Object.entries(OWNER_FACTS).map(([fact, action]) => [fact, error(action)])) as Record<keyof typeof OWNER_FACTS, CollectionError>;
    return {
      name,
      ownerAccountId: error('s3:ListAllMyBuckets'),
      region: found.region ?? error('s3:GetBucketLocation'),
      exists,
      ...facts,
    };
  }

  private async readOwnedBucket(name: string, ownerAccountId: string, listedRegion: string | undefined): Promise<Bucket> {
    const { gateway, caller } = this.context;
    const region = listedRegion ?? (await factOf(gateway.read({ accountId: ownerAccountId, region: caller.controlRegion }, 's3', new GetBucketLocationCommand({ Bucket: name }), regionOfLocationConstraint)));
    // Without a region the control region still works: the S3 client follows S3's region redirect.
    const target: Target = { accountId: ownerAccountId, region: typeof region === 'string' ? region : caller.controlRegion };
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

  /** Region of another bucket of the owner (the access-log target), from its listing or GetBucketLocation. */
  private async regionOf(name: string, ownerAccountId: string): Promise<string | CollectionError> {
    const listed = (await this.listing(ownerAccountId))?.get(name);
    if (listed !== undefined) return listed;
    const target: Target = { accountId: ownerAccountId, region: this.context.caller.controlRegion };
    return factOf(this.context.gateway.read(target, 's3', new GetBucketLocationCommand({ Bucket: name }), regionOfLocationConstraint));
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
