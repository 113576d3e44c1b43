/**
 * --verify-integrity end to end: digest chains written and signed the way CloudTrail does in the
 * fake AWS's log-archive bucket, collected with the real SDK clients, judged by the built-in
 * integrity rules. Each kind of damage the issue lists is detected and named by S3 key.
 */
import { fakeAwsPerTest } from '../fake-aws/per-test.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { collectSnapshot, type CollectOptions } from '../../src/collectors/index.js';
import { permissionsPolicy } from '../../src/collectors/permissions.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadRule } from '../../src/policy/loader.js';
import { isCollectionError, type ChainVerification, type DigestChain, type Snapshot, type Trail } from '../../src/snapshot/schema.js';
import { snapshotValidator } from '../../src/snapshot/validate.js';
import type { Finding } from '../../src/results.js';
import { digestKey, editDigest, editLogFile, generateSigningKey, hourlyEnds, publicKeyOf, writeBackfill, writeChain, type ChainPlace, type SigningKey, type WrittenDigest } from '../fake-aws/digests.js';
import type { FakeBucket, FakeObject, FakeTrail } from '../fake-aws/model.js';
import { ORG_ACCOUNTS, SCENARIO_TIME, orgTrailWithLogArchive, type Scenario } from '../fake-aws/scenarios.js';
import { isReadOnlyAction, startFakeAws, type FakeAws } from '../fake-aws/server.js';
import { builtinFragments } from '../support/fragments.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BUCKET = `pass-org-trail-logs-${ORG_ACCOUNTS.logArchive}`;
const TRAIL = 'pass-org-trail';
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ORG_ACCOUNTS.management}:trail/${TRAIL}`;
const REGIONS = ['us-east-1', 'eu-west-1'];
/** Digests every hour at :31:07, from well before the 24-hour window to just before the scan. */
const ENDS = hourlyEnds('2024-05-31T06:31:07Z', SCENARIO_TIME);

let keys: { east: SigningKey; eastRotated: SigningKey; west: SigningKey; rogue: SigningKey };

beforeAll(() => {
  keys = {
    east: generateSigningKey('us-east-1', '2023-01-01T00:00:00Z', '2024-06-01T00:00:00Z'),
    eastRotated: generateSigningKey('us-east-1', '2024-06-01T00:00:00Z', '2025-06-01T00:00:00Z'),
    west: generateSigningKey('eu-west-1', '2023-01-01T00:00:00Z', '2025-06-01T00:00:00Z'),
    // Never published by ListPublicKeys.
    rogue: generateSigningKey('us-east-1', '2023-01-01T00:00:00Z', '2025-06-01T00:00:00Z'),
  };
});

const fakes = fakeAwsPerTest();

interface World {
  scenario: Scenario;
  objects: Map<string, FakeObject>;
  chains: Map<string, WrittenDigest[]>;
  place(accountId: string, region: string): ChainPlace;
  trail: FakeTrail;
}

/** The example organization with every member's chain intact in two regions; keys rotate at midnight in us-east-1. */
function organizationWithChains(): World {
  const scenario = orgTrailWithLogArchive();
  const organizationId = scenario.model.organization!.id;
  const logArchive = scenario.model.accounts.find((account) => account.id === ORG_ACCOUNTS.logArchive)!;
  const bucket = logArchive.buckets.find((candidate) => candidate.name === BUCKET) as FakeBucket;
  const objects = new Map<string, FakeObject>();
  bucket.objects = objects;
  scenario.model.digestPublicKeys = [publicKeyOf(keys.east), publicKeyOf(keys.eastRotated), publicKeyOf(keys.west)];
  const trail = scenario.model.accounts.find((account) => account.id === ORG_ACCOUNTS.management)!.trails.find((candidate) => candidate.name === TRAIL)!;
  const place = (accountId: string, region: string): ChainPlace => ({ bucket: BUCKET, organizationId, accountId, region, trailName: TRAIL, homeRegion: 'us-east-1' });
  const keyAt = (region: string) => (end: Date) => (region === 'eu-west-1' ? keys.west : end.getTime() < Date.parse('2024-06-01T00:00:00Z') ? keys.east : keys.eastRotated);
  const chains = new Map<string, WrittenDigest[]>();
  for (const accountId of Object.values(ORG_ACCOUNTS)) {
    for (const region of REGIONS) chains.set(`${accountId}/${region}`, writeChain(objects, place(accountId, region), { ends: ENDS, keyAt: keyAt(region), logFiles: 2 }));
  }
  return { scenario, objects, chains, place, trail };
}

async function scan(world: World, options: Partial<CollectOptions> = { verifyIntegrity: { windowHours: 24, files: false } }, fakeOptions: Parameters<typeof startFakeAws>[1] = {}): Promise<{ snapshot: Snapshot; fake: FakeAws }> {
  const fake = await fakes.start(world.scenario.model, world.scenario.caller, { now: () => new Date(SCENARIO_TIME), ...fakeOptions });
  const snapshot = await collectSnapshot({
    org: true,
    roleName: world.scenario.scanRoleName,
    regions: REGIONS,
    now: () => new Date(SCENARIO_TIME),
    ...options,
  });
  const validate = snapshotValidator();
  expect(validate(snapshot), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  // SPEC §9 with its one opt-in exception: object reads (digests, and log files with `files`) only when verification was asked.
  const objectReads = options.verifyIntegrity === undefined ? [] : ['GetObject', 'ListObjectsV2'];
  expect(fake.calls.filter((call) => !isReadOnlyAction(call.action) && !objectReads.includes(call.action))).toEqual([]);
  return { snapshot, fake };
}

function orgTrail(snapshot: Snapshot): Trail {
  return snapshot.trails.find((trail) => trail.arn === TRAIL_ARN)!;
}

function chainsOf(snapshot: Snapshot): DigestChain[] {
  const integrity = orgTrail(snapshot).integrity;
  if (integrity === undefined || isCollectionError(integrity)) throw new Error(`no integrity facts: ${JSON.stringify(integrity)}`);
  return integrity.chains;
}

function verified(snapshot: Snapshot, name: string): ChainVerification {
  const chain = chainsOf(snapshot).find((candidate) => candidate.name === name);
  if (!chain || isCollectionError(chain.verification)) throw new Error(`chain ${name}: ${JSON.stringify(chain)}`);
  return chain.verification;
}

const RULES = ['digest-signatures-valid', 'digest-chain-continuous', 'log-files-intact'].map((name) => {
  const file = `policies/integrity/${name}.yaml`;
  const { rule, diagnostics } = loadRule({ file, text: readFileSync(path.join(ROOT, file), 'utf8'), builtin: true }, undefined, builtinFragments());
  expect(diagnostics).toEqual([]);
  return rule!;
});

function verdicts(snapshot: Snapshot): Record<string, Finding> {
  const findings = evaluate(snapshot, RULES, { now: new Date(snapshot.scanTime) }).filter((finding) => finding.resource.arn === TRAIL_ARN);
  return Object.fromEntries(findings.map((finding) => [finding.ruleId.replace('integrity/', ''), finding]));
}

function evidenceText(finding: Finding | undefined): string {
  return JSON.stringify(finding?.evidence ?? []);
}

function problemsOf(snapshot: Snapshot): string[] {
  return chainsOf(snapshot).flatMap((chain) => {
    if (isCollectionError(chain.verification)) return [`${chain.name} error ${chain.verification.$error.code}`];
    const v = chain.verification;
    const logFiles = v.logFiles && !isCollectionError(v.logFiles) ? v.logFiles.failures : [];
    return [
      ...v.signatureFailures.map((p) => `${chain.name} signature ${p.key}`),
      ...v.linkBreaks.map((p) => `${chain.name} link ${p.key}`),
      ...v.gaps.filter((gap) => !gap.explained).map((gap) => `${chain.name} gap ${gap.start}..${gap.end}`),
      ...logFiles.map((p) => `${chain.name} log ${p.key}`),
    ];
  });
}

describe('--verify-integrity on the fake AWS', () => {
  it('verifies every member chain of an organization trail across a key rotation, and passes', async () => {
    const world = organizationWithChains();
    const { snapshot, fake } = await scan(world, { verifyIntegrity: { windowHours: 24, files: true } });
    expect(chainsOf(snapshot).map((chain) => chain.name)).toEqual(Object.values(ORG_ACCOUNTS).flatMap((id) => [...REGIONS].sort().map((region) => `${id}/${region}`)));
    expect(problemsOf(snapshot)).toEqual([]);
    const east = verified(snapshot, `${ORG_ACCOUNTS.workloadA}/us-east-1`);
    expect(east.digests).toBe(24);
    expect(east.firstDigest?.key).toBe(digestKey(world.place(ORG_ACCOUNTS.workloadA, 'us-east-1'), new Date('2024-05-31T12:31:07Z')));
    expect(east.lastDigest?.endTime).toBe('2024-06-01T11:31:07.000Z');
    expect(east.logFiles).toEqual({ checked: 48, failures: [] });
    expect(snapshot.integrity).toMatchObject({ windowHours: 24, files: true, windowEnd: '2024-06-01T12:00:00.000Z' });
    expect(snapshot.integrity!.objectsRead).toBe(10 * 24 * 3);
    // One listing per chain and day folder (the window spans two days), one ListPublicKeys per region.
    expect(fake.calls.filter((call) => call.action === 'ListObjectsV2')).toHaveLength(10 * 2);
    expect(fake.calls.filter((call) => call.action === 'ListPublicKeys').map((call) => call.region).sort()).toEqual([...REGIONS].sort());
    // Objects are read in the account that owns the bucket.
    expect(new Set(fake.calls.filter((call) => call.action === 'GetObject').map((call) => call.accountId))).toEqual(new Set([ORG_ACCOUNTS.logArchive]));
    const found = verdicts(snapshot);
    expect(Object.fromEntries(Object.entries(found).map(([rule, finding]) => [rule, finding.status]))).toEqual({ 'digest-signatures-valid': 'pass', 'digest-chain-continuous': 'pass', 'log-files-intact': 'pass' });
  });

  it('names an edited digest by key (its signature fails)', async () => {
    const world = organizationWithChains();
    const victim = world.chains.get(`${ORG_ACCOUNTS.workloadB}/eu-west-1`)![20]!;
    editDigest(world.objects, victim.key, (document) => {
      (document.logFiles as unknown[]).pop();
    });
    // Small listing pages: each day folder (two trails' worth of keys would share it) takes several.
    const { snapshot, fake } = await scan(world, undefined, { pageSizes: { 's3:ListObjectsV2': 5, 'cloudtrail:ListPublicKeys': 1 } });
    expect(fake.calls.filter((call) => call.action === 'ListObjectsV2').length).toBeGreaterThan(10 * 2 * 2);
    expect(verified(snapshot, `${ORG_ACCOUNTS.workloadB}/eu-west-1`).digests).toBe(24);
    expect(problemsOf(snapshot)).toEqual([`${ORG_ACCOUNTS.workloadB}/eu-west-1 signature ${victim.key}`]);
    const found = verdicts(snapshot);
    expect(found['digest-signatures-valid']?.status).toBe('fail');
    expect(evidenceText(found['digest-signatures-valid'])).toContain(victim.key);
    expect(found['digest-chain-continuous']?.status).toBe('pass');
    expect(found['log-files-intact']).toBeUndefined();
  });

  it('names a deleted digest by key and reports the hour it leaves uncovered', async () => {
    const world = organizationWithChains();
    const chain = world.chains.get(`${ORG_ACCOUNTS.audit}/us-east-1`)!;
    const victim = chain[15]!;
    world.objects.delete(victim.key);
    const { snapshot } = await scan(world);
    expect(problemsOf(snapshot)).toEqual([
      `${ORG_ACCOUNTS.audit}/us-east-1 link ${victim.key}`,
      `${ORG_ACCOUNTS.audit}/us-east-1 gap ${chain[14]!.end.toISOString()}..${victim.end.toISOString()}`,
    ]);
    const found = verdicts(snapshot);
    expect(found['digest-chain-continuous']?.status).toBe('fail');
    expect(evidenceText(found['digest-chain-continuous'])).toContain(victim.key);
    expect(found['digest-signatures-valid']?.status).toBe('pass');
  });

  it('names a digest signed by a key CloudTrail never published', async () => {
    const world = organizationWithChains();
    const place = world.place(ORG_ACCOUNTS.management, 'us-east-1');
    const chain = world.chains.get(`${ORG_ACCOUNTS.management}/us-east-1`)!;
    // Re-write the whole tail from one digest on, signed by the rogue key: links stay consistent.
    const from = 22;
    for (const digest of chain.slice(from)) world.objects.delete(digest.key);
    const forged = writeChain(world.objects, place, { ends: chain.slice(from).map((digest) => digest.end), keyAt: () => keys.rogue, previous: chain[from - 1]! });
    const { snapshot } = await scan(world);
    expect(problemsOf(snapshot)).toEqual(forged.filter((digest) => digest.end.getTime() >= Date.parse('2024-05-31T12:00:00Z')).map((digest) => `${ORG_ACCOUNTS.management}/us-east-1 signature ${digest.key}`));
    const chainFacts = verified(snapshot, `${ORG_ACCOUNTS.management}/us-east-1`);
    expect(chainFacts.signatureFailures[0]?.reason).toContain(`no public key with fingerprint ${keys.rogue.fingerprint}`);
    expect(verdicts(snapshot)['digest-signatures-valid']?.status).toBe('fail');
  });

  it('with --verify-integrity-files, names an edited and a deleted log file by key', async () => {
    const world = organizationWithChains();
    const digest = world.chains.get(`${ORG_ACCOUNTS.workloadA}/eu-west-1`)![10]!;
    const [edited, deleted] = digest.logKeys;
    editLogFile(world.objects, edited!);
    world.objects.delete(deleted!);
    const { snapshot } = await scan(world, { verifyIntegrity: { windowHours: 24, files: true } });
    expect(problemsOf(snapshot).sort()).toEqual([`${ORG_ACCOUNTS.workloadA}/eu-west-1 log ${deleted}`, `${ORG_ACCOUNTS.workloadA}/eu-west-1 log ${edited}`].sort());
    const logFiles = verified(snapshot, `${ORG_ACCOUNTS.workloadA}/eu-west-1`).logFiles;
    expect(JSON.stringify(logFiles)).toContain('the log file was changed');
    expect(JSON.stringify(logFiles)).toContain(`missing: deleted or moved (named by ${digest.key})`);
    const found = verdicts(snapshot);
    expect(found['log-files-intact']?.status).toBe('fail');
    expect(evidenceText(found['log-files-intact'])).toContain(edited);
    expect(found['digest-signatures-valid']?.status).toBe('pass');
  });

  it('accepts a stop and restart of logging that the trail status records, and backfill digests', async () => {
    const world = organizationWithChains();
    const name = `${ORG_ACCOUNTS.management}/us-east-1`;
    const place = world.place(ORG_ACCOUNTS.management, 'us-east-1');
    const chain = world.chains.get(name)!;
    // Logging stopped after the 02:31 digest and started again at 07:40: CloudTrail restarts the chain.
    for (const digest of chain) world.objects.delete(digest.key);
    const before = chain.filter((digest) => digest.end.getTime() <= Date.parse('2024-06-01T02:31:07Z')).map((digest) => digest.end);
    const after = chain.filter((digest) => digest.end.getTime() >= Date.parse('2024-06-01T08:31:07Z')).map((digest) => digest.end);
    const keyAt = (end: Date) => (end.getTime() < Date.parse('2024-06-01T00:00:00Z') ? keys.east : keys.eastRotated);
    writeChain(world.objects, place, { ends: before, keyAt });
    const restarted = writeChain(world.objects, place, { ends: after, keyAt });
    world.trail.status = { ...world.trail.status, startLoggingTime: '2024-06-01T07:40:00Z', stopLoggingTime: '2024-06-01T02:50:00Z' };
    const backfill = writeBackfill(world.objects, place, new Date('2024-06-01T09:35:00Z'), keys.eastRotated);
    const { snapshot } = await scan(world);
    expect(problemsOf(snapshot)).toEqual([]);
    const facts = verified(snapshot, name);
    expect(facts.backfillDigests).toBe(1);
    expect(facts.gaps).toEqual([
      expect.objectContaining({ start: '2024-06-01T02:31:07.000Z', end: '2024-06-01T07:31:07.000Z', explained: true, beforeKey: restarted[0]!.key }),
    ]);
    expect(facts.gaps[0]!.reason).toContain('logging stopped at 2024-06-01T02:50:00.000Z, started at 2024-06-01T07:40:00.000Z');
    expect(verdicts(snapshot)['digest-chain-continuous']?.status).toBe('pass');
    expect(backfill).toContain('_backfill.json.gz');
  });

  it('reports an unexplained gap when digests stop while the trail says it is logging', async () => {
    const world = organizationWithChains();
    const chain = world.chains.get(`${ORG_ACCOUNTS.workloadB}/us-east-1`)!;
    for (const digest of chain.slice(-5)) world.objects.delete(digest.key);
    const { snapshot } = await scan(world);
    const lastKept = chain.at(-6)!;
    expect(problemsOf(snapshot)).toEqual([`${ORG_ACCOUNTS.workloadB}/us-east-1 gap ${lastKept.end.toISOString()}..2024-06-01T12:00:00.000Z`]);
    expect(verified(snapshot, `${ORG_ACCOUNTS.workloadB}/us-east-1`).gaps[0]?.afterKey).toBe(lastKept.key);
    expect(verdicts(snapshot)['digest-chain-continuous']?.status).toBe('fail');
  });

  it('gives error, never pass, when the digests cannot be read, naming the permission', async () => {
    const world = organizationWithChains();
    const { snapshot } = await scan(world, undefined, { faults: [{ match: { service: 's3', action: 'ListObjectsV2', accountId: ORG_ACCOUNTS.logArchive }, fault: { kind: 'accessDenied' } }] });
    expect(new Set(chainsOf(snapshot).map((chain) => (isCollectionError(chain.verification) ? chain.verification.$error.action : 'read')))).toEqual(new Set(['s3:ListBucket']));
    const found = verdicts(snapshot);
    expect(found['digest-signatures-valid']?.status).toBe('error');
    expect(found['digest-signatures-valid']?.message).toContain('s3:ListBucket');
    expect(found['digest-chain-continuous']?.status).toBe('error');
  });

  it('gives error when the bucket belongs to an account outside the scan', async () => {
    const world = organizationWithChains();
    const { snapshot } = await scan(world, { accounts: [ORG_ACCOUNTS.management, ORG_ACCOUNTS.workloadA], verifyIntegrity: { windowHours: 24, files: false } });
    const codes = chainsOf(snapshot).map((chain) => (isCollectionError(chain.verification) ? chain.verification.$error.code : 'read'));
    expect(codes.length).toBe(4);
    expect(codes.every((code) => code !== 'read')).toBe(true);
    expect(verdicts(snapshot)['digest-chain-continuous']?.status).toBe('error');
  });

  it('reads only what the --verify-integrity permission statements allow', async () => {
    const world = organizationWithChains();
    const { fake } = await scan(world, { verifyIntegrity: { windowHours: 24, files: true } });
    const policy = permissionsPolicy({ verifyIntegrity: { files: true } });
    const granted = new Set(policy.Statement.flatMap((statement) => statement.Action));
    const iamActionOf: Record<string, string> = { ListObjectsV2: 's3:ListBucket', GetObject: 's3:GetObject', ListPublicKeys: 'cloudtrail:ListPublicKeys' };
    const integrityCalls = fake.calls.filter((call) => call.action in iamActionOf);
    expect(integrityCalls.length).toBeGreaterThan(0);
    for (const call of integrityCalls) expect(granted.has(iamActionOf[call.action]!), call.action).toBe(true);
    const glob = (pattern: string) => new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.?+^$()[\]{}|\\]/g, '\\$&')).join('.*')}$`);
    const read = policy.Statement.find((statement) => statement.Action.includes('s3:GetObject'))!;
    const list = policy.Statement.find((statement) => statement.Action.includes('s3:ListBucket'))!;
    const objectPatterns = [read.Resource].flat().map(glob);
    const prefixPatterns = [list.Condition!.StringLike!['s3:prefix']!].flat().map(glob);
    for (const call of integrityCalls.filter((c) => c.action === 'GetObject')) {
      expect(objectPatterns.some((pattern) => pattern.test(`arn:aws:s3:::${call.s3!.bucket}/${call.s3!.key!}`)), call.s3!.key).toBe(true);
    }
    for (const call of integrityCalls.filter((c) => c.action === 'ListObjectsV2')) {
      expect(prefixPatterns.some((pattern) => pattern.test(call.s3!.prefix ?? '')), call.s3!.prefix).toBe(true);
    }
    // Without --verify-integrity-files the statement reaches digests only.
    const digestsOnly = permissionsPolicy({ verifyIntegrity: { files: false } });
    const digestRead = [digestsOnly.Statement.find((statement) => statement.Action.includes('s3:GetObject'))!.Resource].flat().map(glob);
    const logRead = integrityCalls.find((call) => call.action === 'GetObject' && call.s3!.key!.includes('/CloudTrail/'))!;
    expect(digestRead.some((pattern) => pattern.test(`arn:aws:s3:::${logRead.s3!.bucket}/${logRead.s3!.key!}`))).toBe(false);
    expect(digestsOnly.Statement.flatMap((statement) => statement.Action)).not.toContain('kms:Decrypt');
  });

  it('collects no integrity facts and makes no object reads when not asked', async () => {
    const world = organizationWithChains();
    const { snapshot, fake } = await scan(world, {});
    expect(snapshot.integrity).toBeUndefined();
    expect(orgTrail(snapshot).integrity).toBeUndefined();
    expect(fake.calls.filter((call) => ['GetObject', 'ListObjectsV2', 'ListPublicKeys'].includes(call.action))).toEqual([]);
    expect(evaluate(snapshot, RULES, { now: new Date(snapshot.scanTime) })).toEqual([]);
  });
});
