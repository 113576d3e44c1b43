/**
 * What every collector module shares during one scan, and the two helpers that make facts: a read
 * that may fail becomes value-or-error, and a read that cannot happen (owner outside the scan)
 * becomes an error that says where to evaluate instead.
 */
import type { CollectionError } from '../snapshot/schema.js';
import type { AccountAccess, Caller } from './credentials.js';
import type { AccountDirectory } from './directory.js';
import { ACCOUNT_NOT_ACCESSIBLE, AwsCallError, OWNER_NOT_IN_SCAN, collectionError, type ErrorDetail } from './errors.js';
import type { AwsGateway } from './gateway.js';
import type { ProgressSink } from './progress.js';
import type { TaskGroup } from './tasks.js';

export interface ScanContext {
  gateway: AwsGateway;
  access: AccountAccess;
  caller: Caller;
  /** Accounts the scan may read from (the organization listing filtered by `accounts`, plus the caller). */
  directory: AccountDirectory;
  progress: ProgressSink;
  /** Owner-level work (trail details, buckets, keys, log groups) started as trails are found. */
  tasks: TaskGroup;
  /** Errors that stand for no single fact (snapshot.errors). */
  errors: CollectionError[];
}

/**
 * The value of a read, or the error recorded in its place. `absent` lists the "not configured"
 * answers that are facts (NoSuchBucketPolicy means "no policy"), never errors.
 */
export async function factOf<T>(read: Promise<T>, absent?: { codes: readonly string[]; value: T }): Promise<T | CollectionError> {
  try {
    return await read;
  } catch (error) {
    if (!(error instanceof AwsCallError)) throw error;
    if (absent !== undefined && absent.codes.includes(error.detail.code)) return absent.value;
    return collectionError(error.detail);
  }
}

type OwnerAccess = { ok: true } | { ok: false; code: string; reason: string };

/**
 * Whether facts owned by `ownerId` can be read with the owner's own credentials. Waits for the
 * account listing only when the owner has not been listed yet.
 */
export async function openOwner(context: ScanContext, ownerId: string): Promise<OwnerAccess> {
  if (!(await context.directory.includes(ownerId))) {
    return { ok: false, code: OWNER_NOT_IN_SCAN, reason: `owned by account ${ownerId}, which is not in the scan; evaluate in account ${ownerId}` };
  }
  const opened = await context.access.open(ownerId);
  if (!opened.ok) {
    return {
      ok: false,
      code: ACCOUNT_NOT_ACCESSIBLE,
      reason: `owned by account ${ownerId}, which could not be opened (${opened.error.action}: ${opened.error.code}); evaluate in account ${ownerId}`,
    };
  }
  return { ok: true };
}

/** The error standing for a fact its owner's account could not provide. */
export function ownerUnavailable(action: string, ownerId: string, region: string | undefined, access: Exclude<OwnerAccess, { ok: true }>, detail?: string): CollectionError {
  const error: ErrorDetail = { action, code: access.code, accountId: ownerId, message: detail ? `${access.reason} (${detail})` : access.reason };
  if (region !== undefined) error.region = region;
  return collectionError(error);
}
