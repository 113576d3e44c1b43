/**
 * The union of shard snapshots (trailwarden merge): identities, observed facts over errors, the
 * collectors' order, and the proof that the shards of the demo organization merge back into it.
 */
import { NO_POLICY_SETTINGS } from '../../src/policy/rule-settings.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadRuleSet } from '../../src/run/scan.js';
import { parseSnapshot } from '../../src/snapshot/io.js';
import { mergeSnapshots, preferObserved } from '../../src/snapshot/merge.js';
import type { CollectionError, Snapshot } from '../../src/snapshot/schema.js';
import { buildSnapshot } from '../support/snapshot-builder.js';
import { shardsOfSnapshot, smallestSplittingShardCount } from '../support/shards.js';

const DEMO_FILE = path.resolve(import.meta.dirname, '../../examples/demo/snapshot.json');
const demo = (): Snapshot => parseSnapshot(readFileSync(DEMO_FILE, 'utf8'), DEMO_FILE);

const denied = (action: string, accountId: string): CollectionError => ({ $error: { action, code: 'AccessDenied', accountId, region: 'us-east-1' } });
const ORG_TRAIL = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail';

describe('preferObserved', () => {
  it('takes each fact from the sighting that observed it, field by field', () => {
    const first: Record<string, unknown> = { id: 'a', status: denied('cloudtrail:GetTrailStatus', '111111111111'), tags: [{ key: 'owner', value: 'sec' }] };
    const second: Record<string, unknown> = { id: 'a', status: { isLogging: true }, tags: denied('cloudtrail:ListTags', '222222222222') };
    expect(preferObserved(first, second)).toEqual({ id: 'a', status: { isLogging: true }, tags: [{ key: 'owner', value: 'sec' }] });
  });

  it('keeps the first of two observations and of two errors, and fills fields only one sighting has', () => {
    const first: Record<string, unknown> = { isLogging: false, policy: denied('s3:GetBucketPolicy', '111111111111') };
    const second: Record<string, unknown> = { isLogging: true, policy: denied('s3:GetBucketPolicy', '222222222222'), name: 'b' };
    expect(preferObserved(first, second)).toEqual({ isLogging: false, policy: denied('s3:GetBucketPolicy', '111111111111'), name: 'b' });
  });
});

describe('mergeSnapshots', () => {
  it('unites accounts and resources by identity, in the collectors’ order', () => {
    const a = buildSnapshot({ accounts: [{ id: '333333333333' }, { id: '111111111111' }], trails: [{ arn: ORG_TRAIL }] });
    const b = buildSnapshot({ accounts: [{ id: '222222222222' }], trails: [{ arn: ORG_TRAIL }, { arn: 'arn:aws:cloudtrail:eu-west-1:222222222222:trail/local' }] });
    const merged = mergeSnapshots([a, b]);
    expect(merged.accounts.map((account) => account.id)).toEqual(['111111111111', '222222222222', '333333333333']);
    expect(merged.trails.map((trail) => trail.arn)).toEqual(['arn:aws:cloudtrail:eu-west-1:222222222222:trail/local', ORG_TRAIL]);
    expect(merged.buckets.map((bucket) => bucket.name)).toEqual([...new Set([...a.buckets, ...b.buckets].map((bucket) => bucket.name))].sort((x, y) => x.localeCompare(y)));
  });

  it('takes a trail fact one shard could not read from the shard that read it', () => {
    const a = buildSnapshot({ trails: [{ arn: ORG_TRAIL, status: denied('cloudtrail:GetTrailStatus', '111111111111') }] });
    const b = buildSnapshot({ trails: [{ arn: ORG_TRAIL, tags: denied('cloudtrail:ListTags', '111111111111') }] });
    const [trail] = mergeSnapshots([a, b]).trails;
    expect(trail!.status).toEqual(b.trails[0]!.status);
    expect(trail!.tags).toEqual(a.trails[0]!.tags);
  });

  it('prefers an observed organization, field by field, and "not an organization" over an error', () => {
    const org = buildSnapshot({});
    const withAdmins = { ...org, organization: { ...(org.organization as object), cloudTrailDelegatedAdministrators: ['222222222222'] } } as Snapshot;
    const withoutAdmins = { ...org, organization: { ...(org.organization as object), cloudTrailDelegatedAdministrators: denied('organizations:ListDelegatedAdministrators', '111111111111') } } as Snapshot;
    expect(mergeSnapshots([withoutAdmins, withAdmins]).organization).toEqual(withAdmins.organization);
    const failed = { ...org, organization: denied('organizations:DescribeOrganization', '111111111111') };
    expect(mergeSnapshots([failed, withAdmins]).organization).toEqual(withAdmins.organization);
    expect(mergeSnapshots([failed, { ...org, organization: null }]).organization).toBeNull();
    expect(mergeSnapshots([failed]).organization).toEqual(failed.organization);
  });

  it('keeps each standalone error once, sorted as the collectors sort them, and the earliest scan time', () => {
    const assume = (accountId: string) => ({ $error: { action: 'sts:AssumeRole', code: 'AccessDenied', accountId } });
    const shared = { $error: { action: 'organizations:ListAccounts', code: 'AccountNotInOrganization', accountId: '999999999999', message: 'not in the organization' } };
    const a = { ...buildSnapshot({ scanTime: '2026-11-01T12:05:00.000Z' }), errors: [assume('555555555555'), shared] };
    const b = { ...buildSnapshot({ scanTime: '2026-11-01T12:00:00.000Z' }), errors: [shared, assume('444444444444')] };
    const merged = mergeSnapshots([a, b]);
    expect(merged.errors).toEqual([assume('444444444444'), assume('555555555555'), shared]);
    expect(merged.scanTime).toBe('2026-11-01T12:00:00.000Z');
  });

  it('refuses snapshots of different partitions, and nothing at all', () => {
    const commercial = buildSnapshot({});
    const china = buildSnapshot({ partition: 'aws-cn' });
    expect(() => mergeSnapshots([commercial, china])).toThrow(UserError);
    expect(() => mergeSnapshots([commercial, china])).toThrow(/different partitions \(aws, aws-cn\)/);
    expect(() => mergeSnapshots([])).toThrow(UserError);
  });
});

describe('shards of the demo organization', () => {
  it('merge back into the demo snapshot (in the collectors’ order), whatever the order of the parts', () => {
    const full = demo();
    const count = smallestSplittingShardCount(full);
    const shards = shardsOfSnapshot(full, count);
    expect(shards.map((shard) => shard.accounts.length).reduce((a, b) => a + b)).toBe(full.accounts.length);
    // Shared resources (the organization trail, its bucket and key) are in several shards at once.
    expect(shards.filter((shard) => shard.trails.some((trail) => trail.isOrganizationTrail)).length).toBeGreaterThan(1);
    const canonical = mergeSnapshots([full]);
    expect(mergeSnapshots(shards)).toEqual(canonical);
    expect(mergeSnapshots([...shards].reverse())).toEqual(canonical);
  });

  it('evaluate, merged, to exactly the findings of the full snapshot', async () => {
    const full = demo();
    const { rules } = await loadRuleSet([], NO_POLICY_SETTINGS);
    const now = new Date(full.scanTime);
    const merged = evaluate(mergeSnapshots(shardsOfSnapshot(full, smallestSplittingShardCount(full))), rules, { now });
    // The same findings in the same order as the full snapshot once it is in the collectors' order…
    expect(merged).toEqual(evaluate(mergeSnapshots([full]), rules, { now }));
    // …and the same findings as the demo file as it is written.
    const canonicalJson = (findings: unknown[]) => findings.map((finding) => JSON.stringify(finding)).sort();
    expect(canonicalJson(merged)).toEqual(canonicalJson(evaluate(full, rules, { now })));
  });
});
