/**
 * Trail buckets, each read once per scan in the account that owns it, and the account-level Block
 * Public Access of those owners.
 *
 * S3 names no owner account, so the owner is found among the scanned accounts: HeadBucket with
 * ExpectedBucketOwner, signed by the candidate itself, answers 200 only to the owner (403 to any
 * other account, 404 when the bucket does not exist) and names the bucket's region. Candidates go
 * cheapest first: account ids written in the bucket name and the trail's owner; then accounts
 * whose names suggest a log archive; then the rest. A typical organization (bucket in the
 * log-archive account, often named after it) costs one or two probes per bucket.
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
type Probe = { kind: 'owner'; region?: string } | { kind: 'missing' } | { kind: 'denied' } | { kind: 'unopened' } | { kind: 'failed'; error: CollectionError };

interface Unowned {
  /** false when S3 answered 404; an error when no probe could tell. */
  exists: boolean | CollectionError;
  /** An account id written in the bucket name that is outside the scan: where to evaluate instead. */
  namedOwner?: string;
  probed: number;
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

export class BucketCollector {
  private readonly accountBlocks = new Map<string, Promise<PublicAccessBlock | null | CollectionError>>();

  constructor(private readonly context: ScanContext) {}

  /** Account-level Block Public Access of every account found to own a trail bucket. */
  async accountPublicAccessBlocks(): Promise<Map<string, PublicAccessBlock | null | CollectionError>> {
    const entries = await Promise.all([...this.accountBlocks].map(async ([accountId, fact]) => [accountId, await fact] as const));
    return new Map(entries);
  }

  async collect(name: string, trailOwner: string): Promise<Bucket> {
    const found = await this.findOwner(name, trailOwner);
    if ('ownerAccountId' in found) return this.readOwnedBucket(name, found.ownerAccountId, found.region);
    return this.unownedBucket(name, found);
  }

  private async findOwner(name: string, trailOwner: string): Promise<{ ownerAccountId: string; region?: string } | Unowned> {
    const { directory } = this.context;
    const probed = new Set<string>();
    let firstFailure: CollectionError | undefined;
    let missing = false;
    let denied = false;
    // Probes a batch of accounts; the owner's id, or undefined when none of them owns it.
    const probeAll = async (accountIds: string[]): Promise<{ ownerAccountId: string; region?: string } | undefined> => {
      for (let start = 0; start < accountIds.length && !missing; start += SWEEP_WIDTH) {
        const batch = accountIds.slice(start, start + SWEEP_WIDTH);
        batch.forEach((accountId) => probed.add(accountId));
        const probes = await Promise.all(batch.map((accountId) => this.probe(name, accountId)));
        for (const [index, probe] of probes.entries()) {
          if (probe.kind === 'owner') return { ownerAccountId: batch[index] ?? '', ...(probe.region ? { region: probe.region } : {}) };
          if (probe.kind === 'missing') missing = true;
          if (probe.kind === 'denied') denied = true;
          if (probe.kind === 'failed') firstFailure ??= probe.error;
        }
      }
      return undefined;
    };

    const named = accountIdsInName(name);
    const likely: string[] = [];
    for (const accountId of [...named, trailOwner]) {
      if (!likely.includes(accountId) && (await directory.includes(accountId))) likely.push(accountId);
    }
    const fromLikely = await probeAll(likely);
    if (fromLikely !== undefined) return fromLikely;

    if (!missing) {
      await directory.whenComplete();
      const looksLikeLogArchive = (accountId: string) => LOG_ACCOUNT_HINT.test(directory.get(accountId)?.name ?? '');
      const unprobed = () => directory.ids().filter((accountId) => !probed.has(accountId)).sort();
      const found = (await probeAll(unprobed().filter(looksLikeLogArchive))) ?? (await probeAll(unprobed()));
      if (found !== undefined) return found;
    }
    const namedOwner = named.find((accountId) => !directory.has(accountId));
    // S3 answers 404 before it checks the owner, so any 403 proves the bucket exists.
    const exists =
      missing ? false
      : denied ? true
      : (firstFailure ?? collectionError({ action: 's3:ListBucket', code: OWNER_NOT_IN_SCAN, message: `no scanned account could be asked about bucket ${name}` }));
    return { exists, ...(namedOwner ? { namedOwner } : {}), probed: probed.size };
  }

  /** HeadBucket with ExpectedBucketOwner, signed by the candidate owner. */
  private async probe(name: string, accountId: string): Promise<Probe> {
    const { access, caller, gateway } = this.context;
    if (!(await access.open(accountId)).ok) return { kind: 'unopened' };
    try {
      const output = await gateway.call({ accountId, region: caller.controlRegion }, 's3', new HeadBucketCommand({ Bucket: name, ExpectedBucketOwner: accountId }));
      return { kind: 'owner', ...(output.BucketRegion ? { region: output.BucketRegion } : {}) };
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
    const reason = missing
      ? { code: NO_SUCH_BUCKET, message: `bucket ${name} does not exist` }
      : {
          code: OWNER_NOT_IN_SCAN,
          message: found.namedOwner
            ? `bucket ${name} is not owned by a scanned account; evaluate in account ${found.namedOwner}`
            : `bucket ${name} is owned by none of the ${found.probed} scanned account(s) asked`,
        };
    const error = (action: string): CollectionError =>
      collectionError({ action, ...reason, ...(found.namedOwner && !missing ? { accountId: found.namedOwner } : {}) });
    const facts = Object.fromEntries(Object.entries(OWNER_FACTS).map(([fact, action]) => [fact, error(action)])) as Record<keyof typeof OWNER_FACTS, CollectionError>;
    return { name, ownerAccountId: error('s3:ListBucket'), region: error('s3:GetBucketLocation'), exists: found.exists, ...facts };
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

  /** Region of the access-log target bucket, asked as the owner (GetBucketLocation answers from any region). */
  private regionOf(name: string, ownerAccountId: string): Promise<string | CollectionError> {
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
