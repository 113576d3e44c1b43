/**
 * The union of snapshots collected by the shards of one scan (`--shard I/N`, `trailwarden merge`).
 * Pure. Every resource appears once, by its identity; where shards saw the same resource, each fact
 * that one shard observed and another recorded as an error is taken from the shard that observed
 * it. Lists come out in the order the collectors write them, so the union of the shards is the
 * snapshot one full scan would have written.
 */
import { UserError } from '../errors.js';
import { isCollectionError, type CollectionError, type IntegrityRun, type Organization, type ShardRef, type Snapshot, type Trail } from './schema.js';

/**
 * The collectors' order of identities (accounts by id, resources by ARN or name): code-unit order,
 * so a snapshot sorts the same on every machine whatever its locale.
 */
export function compareIdentity(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The collectors' order of standalone errors: by account, region, action, message. */
export function compareCollectionErrors(a: CollectionError, b: CollectionError): number {
  const key = (error: CollectionError) => [error.$error.accountId ?? '', error.$error.region ?? '', error.$error.action, error.$error.message ?? ''].join('\u0000');
  return compareIdentity(key(a), key(b));
}

export function collectionErrorKey(error: CollectionError['$error']): string {
  return [error.action, error.code, error.accountId ?? '', error.region ?? '', error.message ?? ''].join('|');
}

/**
 * One record from two sightings of the same resource, field by field: the first sighting's value
 * unless it is an error (or absent) and the second observed the fact.
 */
export function preferObserved<T extends object>(first: T, second: T): T {
  const merged: Record<string, unknown> = { ...(first as Record<string, unknown>) };
  for (const [key, value] of Object.entries(second)) {
    const current = merged[key];
    if (value === undefined) continue;
    if (current === undefined || (isCollectionError(current) && !isCollectionError(value))) merged[key] = value;
  }
  return merged as T;
}

function unionBy<T extends object>(lists: readonly (readonly T[])[], identity: (item: T) => string): T[] {
  const byIdentity = new Map<string, T>();
  for (const list of lists) {
    for (const item of list) {
      const id = identity(item);
      const seen = byIdentity.get(id);
      byIdentity.set(id, seen === undefined ? item : preferObserved(seen, item));
    }
  }
  return [...byIdentity.entries()].sort(([a], [b]) => compareIdentity(a, b)).map(([, item]) => item);
}

/** An observed organization beats "not an organization" (null), which beats an error. */
function mergeOrganization(organizations: readonly Snapshot['organization'][]): Snapshot['organization'] {
  const observed = organizations.filter((org): org is Organization => org !== null && !isCollectionError(org));
  if (observed.length > 0) return observed.reduce((merged, org) => preferObserved(merged, org));
  if (organizations.includes(null)) return null;
  return organizations[0] ?? null;
}

function earliest(times: readonly string[]): string {
  return times.reduce((min, time) => (Date.parse(time) < Date.parse(min) ? time : min));
}

function firstDefined<T>(values: readonly (T | undefined)[]): T | undefined {
  return values.find((value) => value !== undefined);
}

/**
 * The digest verification of the merged scan: present only if every part verified (a part that did
 * not would leave its chains unjudged), over the union of their windows and the sum of their reads.
 */
function mergeIntegrity(runs: readonly (IntegrityRun | undefined)[]): IntegrityRun | undefined {
  if (runs.length === 0 || runs.some((run) => run === undefined)) return undefined;
  const all = runs as IntegrityRun[];
  const windowStart = all.map((run) => run.windowStart).reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
  const windowEnd = all.map((run) => run.windowEnd).reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
  return {
    windowStart,
    windowEnd,
    windowHours: Math.max(...all.map((run) => run.windowHours)),
    files: all.every((run) => run.files),
    objectsRead: all.reduce((sum, run) => sum + run.objectsRead, 0),
    bytesRead: all.reduce((sum, run) => sum + run.bytesRead, 0),
    listCalls: all.reduce((sum, run) => sum + run.listCalls, 0),
  };
}

/** Shards verify the chains of their own accounts: one trail's chains are the union of its copies' chains. */
function mergeTrailChains(trails: Trail[], lists: readonly (readonly Trail[])[]): Trail[] {
  return trails.map((trail) => {
    const copies = lists.flatMap((list) => list.filter((other) => other.arn === trail.arn && other !== trail));
    const integrity = trail.integrity;
    if (integrity === undefined || isCollectionError(integrity) || copies.length === 0) return trail;
    const chains = new Map(integrity.chains.map((chain) => [chain.name, chain]));
    for (const copy of copies) {
      if (copy.integrity === undefined || isCollectionError(copy.integrity)) continue;
      for (const chain of copy.integrity.chains) if (!chains.has(chain.name)) chains.set(chain.name, chain);
    }
    if (chains.size === integrity.chains.length) return trail;
    return { ...trail, integrity: { chains: [...chains.values()].sort((a, b) => compareIdentity(a.name, b.name)) } };
  });
}

/** The union of shard snapshots. Throws a UserError when they cannot be parts of one scan. */
export function mergeSnapshots(snapshots: readonly Snapshot[]): Snapshot {
  const first = snapshots[0];
  if (first === undefined) throw new UserError('nothing to merge: no snapshot given');
  const partitions = [...new Set(snapshots.map((snapshot) => snapshot.partition))];
  if (partitions.length > 1) throw new UserError(`the snapshots come from different partitions (${partitions.join(', ')}); shards of one scan share a partition`);
  const lists = <K extends 'accounts' | 'trails' | 'buckets' | 'kmsKeys' | 'logGroups' | 'eventDataStores'>(key: K) => snapshots.map((snapshot) => snapshot[key]);
  const schema = firstDefined(snapshots.map((snapshot) => snapshot.$schema));
  const tool = firstDefined(snapshots.map((snapshot) => snapshot.tool));
  const callerAccountId = firstDefined(snapshots.map((snapshot) => snapshot.callerAccountId));
  const hasTopics = snapshots.some((snapshot) => snapshot.snsTopics !== undefined);
  const hasErrors = snapshots.some((snapshot) => snapshot.errors !== undefined);
  const integrity = mergeIntegrity(snapshots.map((snapshot) => snapshot.integrity));
  const errors = new Map<string, CollectionError>();
  for (const error of snapshots.flatMap((snapshot) => snapshot.errors ?? [])) {
    const key = collectionErrorKey(error.$error);
    if (!errors.has(key)) errors.set(key, error);
  }
  return {
    ...(schema !== undefined ? { $schema: schema } : {}),
    schemaVersion: first.schemaVersion,
    // A full scan is stamped with its start; the shards' earliest start is the merged scan's.
    scanTime: earliest(snapshots.map((snapshot) => snapshot.scanTime)),
    ...(tool !== undefined ? { tool } : {}),
    partition: first.partition,
    ...(callerAccountId !== undefined ? { callerAccountId } : {}),
    organization: mergeOrganization(snapshots.map((snapshot) => snapshot.organization)),
    accounts: unionBy(lists('accounts'), (account) => account.id),
    trails: mergeTrailChains(unionBy(lists('trails'), (trail) => trail.arn), lists('trails')),
    buckets: unionBy(lists('buckets'), (bucket) => bucket.name),
    kmsKeys: unionBy(lists('kmsKeys'), (key) => key.arn),
    logGroups: unionBy(lists('logGroups'), (group) => group.arn),
    ...(hasTopics ? { snsTopics: unionBy(snapshots.map((snapshot) => snapshot.snsTopics ?? []), (topic) => topic.arn) } : {}),
    eventDataStores: unionBy(lists('eventDataStores'), (store) => store.arn),
    ...(hasErrors ? { errors: [...errors.values()].sort(compareCollectionErrors) } : {}),
    ...(integrity ? { integrity } : {}),
  };
}

/**
 * What is wrong with the slices given to `merge`, from the shard each part records (`--shard I/N`):
 * a slice missing (its accounts are in no report), a slice given twice, slices of different
 * splits, or a part that records no shard among parts that do. Parts that record none at all
 * (older snapshots, whole scans) say nothing either way.
 */
export function shardWarnings(parts: readonly { file: string; shard?: ShardRef | undefined }[]): string[] {
  const sharded = parts.filter((part) => part.shard !== undefined);
  if (sharded.length === 0) return [];
  const warnings: string[] = [];
  const unmarked = parts.filter((part) => part.shard === undefined);
  if (unmarked.length > 0) warnings.push(`${unmarked.map((part) => part.file).join(', ')} record${unmarked.length === 1 ? 's' : ''} no shard, unlike the other parts (a whole scan merged with shards counts its accounts twice)`);
  const counts = [...new Set(sharded.map((part) => part.shard!.count))].sort((a, b) => a - b);
  if (counts.length > 1) {
    warnings.push(`the parts come from different splits (${sharded.map((part) => `${part.file} is ${part.shard!.index}/${part.shard!.count}`).join(', ')}); merge the shards of one scan`);
    return warnings;
  }
  const count = counts[0]!;
  const byIndex = new Map<number, string[]>();
  for (const part of sharded) byIndex.set(part.shard!.index, [...(byIndex.get(part.shard!.index) ?? []), part.file]);
  for (const [index, files] of [...byIndex].sort(([a], [b]) => a - b)) {
    if (index > count) warnings.push(`${files.join(', ')} record${files.length === 1 ? 's' : ''} shard ${index}/${count}, which does not exist`);
    else if (files.length > 1) warnings.push(`shard ${index}/${count} is given ${files.length} times (${files.join(', ')}); each slice should be merged once`);
  }
  const missing = missingShardIndexes(sharded.map((part) => part.shard!));
  if (missing.length > 0) {
    const shown = missing.slice(0, 10).map((index) => `${index}/${count}`).join(', ');
    warnings.push(`shard${missing.length === 1 ? '' : 's'} ${shown}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''} ${missing.length === 1 ? 'is' : 'are'} missing: the accounts of ${missing.length === 1 ? 'that slice are' : 'those slices are'} in no report`);
  }
  return warnings;
}

/** The slices (1-based) of one --shard split that none of `shards` is; none when they come from different splits. */
export function missingShardIndexes(shards: readonly ShardRef[]): number[] {
  const counts = new Set(shards.map((shard) => shard.count));
  if (counts.size !== 1) return [];
  const count = [...counts][0]!;
  const present = new Set(shards.map((shard) => shard.index));
  return Array.from({ length: count }, (_, i) => i + 1).filter((index) => !present.has(index));
}

/** The code of the error a merged snapshot records for each slice of its split that was not merged. */
export const SHARD_MISSING = 'ShardMissing';

/**
 * The union of the snapshots of --shard runs, as mergeSnapshots gives it, with an error recorded
 * for each slice of the split that is not among them: its accounts were scanned by no part, so the
 * merged scan is incomplete in scope (trailwarden/scan-scope), never silently smaller. A report of
 * it must not close the alerts of accounts it could not see.
 */
export function mergeShardSnapshots(snapshots: readonly Snapshot[]): Snapshot {
  const merged = mergeSnapshots(snapshots);
  const shards = snapshots.flatMap((snapshot) => (snapshot.shard ? [snapshot.shard] : []));
  const missing = shards.length > 0 ? missingShardIndexes(shards) : [];
  if (missing.length === 0) return merged;
  const count = shards[0]!.count;
  const gaps: CollectionError[] = missing.map((index) => ({
    $error: {
      action: 'organizations:ListAccounts',
      code: SHARD_MISSING,
      message: `shard ${index}/${count} was not merged: the accounts of that slice were scanned by no part`,
    },
  }));
  return { ...merged, errors: [...(merged.errors ?? []), ...gaps].sort(compareCollectionErrors) };
}
