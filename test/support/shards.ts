/**
 * What the shards of a scan would have collected from an organization, cut out of a full snapshot:
 * each shard scans the accounts the collectors' stable hash gives it (src/collectors/shard.ts),
 * sees the trails those accounts see, and reads each trail's bucket, key and log group (and the
 * alarm topics of that group) whoever owns them. The organization-level facts are in every shard.
 * Resources nobody references stay with the shard of their owner, so the shards' union is whole.
 */
import { inShard, type Shard } from '../../src/collectors/shard.js';
import { isCollectionError, type Snapshot } from '../../src/snapshot/schema.js';

/** CloudTrail names a log group with a `:*` suffix; the snapshot without. */
const logGroupArn = (arn: string) => arn.replace(/:\*$/, '');

export function shardOfSnapshot(snapshot: Snapshot, shard: Shard): Snapshot {
  const accounts = snapshot.accounts.filter((account) => inShard(account.id, shard));
  const ids = new Set(accounts.map((account) => account.id));
  const owned = (accountId: unknown) => typeof accountId === 'string' && ids.has(accountId);
  const seenTrails = new Set(accounts.flatMap((account) => (isCollectionError(account.trailArns) ? [] : account.trailArns)));
  const trails = snapshot.trails.filter((trail) => seenTrails.has(trail.arn) || owned(trail.ownerAccountId));
  const bucketNames = new Set(trails.flatMap((trail) => trail.s3BucketName ?? []));
  const keyArns = new Set(trails.flatMap((trail) => trail.kmsKeyId ?? []));
  const groupArns = new Set(trails.flatMap((trail) => (trail.cloudWatchLogsLogGroupArn ? [logGroupArn(trail.cloudWatchLogsLogGroupArn)] : [])));
  const logGroups = snapshot.logGroups.filter((group) => groupArns.has(logGroupArn(group.arn)) || owned(group.accountId));
  const topicArns = new Set(logGroups.flatMap((group) => (group.alarms && !isCollectionError(group.alarms) ? group.alarms.flatMap((alarm) => alarm.alarmActions) : [])));
  const storeArns = new Set(accounts.flatMap((account) => (account.eventDataStoreArns && !isCollectionError(account.eventDataStoreArns) ? account.eventDataStoreArns : [])));
  return {
    ...snapshot,
    shard: { index: shard.index, count: shard.count },
    accounts,
    trails,
    buckets: snapshot.buckets.filter((bucket) => bucketNames.has(bucket.name) || owned(bucket.ownerAccountId)),
    kmsKeys: snapshot.kmsKeys.filter((key) => keyArns.has(key.arn) || owned(key.accountId)),
    logGroups,
    ...(snapshot.snsTopics ? { snsTopics: snapshot.snsTopics.filter((topic) => topicArns.has(topic.arn) || owned(topic.accountId)) } : {}),
    eventDataStores: snapshot.eventDataStores.filter((store) => storeArns.has(store.arn) || owned(store.accountId)),
    ...(snapshot.errors ? { errors: snapshot.errors.filter((error) => error.$error.accountId === undefined || owned(error.$error.accountId)) } : {}),
    // Each shard reads its own digests; here the first carries the whole scan's counts, so the shards add up to it.
    ...(snapshot.integrity && shard.index !== 1 ? { integrity: { ...snapshot.integrity, objectsRead: 0, bytesRead: 0, listCalls: 0 } } : {}),
  };
}

export function shardsOfSnapshot(snapshot: Snapshot, count: number): Snapshot[] {
  return Array.from({ length: count }, (_, i) => shardOfSnapshot(snapshot, { index: i + 1, count }));
}

/**
 * The smallest shard count above 1 that gives every shard at least one account of the snapshot,
 * so a merge test cannot pass by merging a full shard with empty ones. (The demo's repeated-digit
 * account ids all have the same FNV-1a parity: two shards would leave one empty.)
 */
export function smallestSplittingShardCount(snapshot: Snapshot): number {
  for (let count = 2; count <= snapshot.accounts.length; count++) {
    if (shardsOfSnapshot(snapshot, count).every((shard) => shard.accounts.length > 0)) return count;
  }
  throw new Error('the snapshot has too few accounts to shard');
}
